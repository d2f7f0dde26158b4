#include "noise/noise_network.hpp"

#include <stdexcept>

#include <fmt/format.h>

#include "common/diagnostics.hpp"

namespace xbar {
namespace {

class NetworkBuilder {
 public:
  NetworkBuilder(const TileSpec& t, const Circuit& c, const TileSolution& op, int vector, const NoiseOptions& o)
      : t_(t), c_(c), op_(op), v_(vector), o_(o), tia_(t.sense == SenseKind::kTia) {}

  NoiseNetwork build() {
    mark_held_nodes();
    for (const Element& e : c_.elements) element(e);
    for (int pj = 0; pj < c_.map.phys_cols; ++pj) sense_amplifier(pj);
    for (NoiseSource& s : net_.sources) resolve(s);
    return std::move(net_);
  }

 private:
  // Nodes held by an ideal source get no unknown; virtual-ground sense nodes
  // are the outputs.
  void mark_held_nodes() {
    const std::size_t n = c_.node_names.size();
    std::vector<char> held(n, 0);
    held[kGround] = 1;
    for (const Element& e : c_.elements) {
      if (e.kind == ElementKind::kVoltageSource || e.kind == ElementKind::kVcvs) held[e.nodes[0]] = 1;
      if (e.kind == ElementKind::kMosfet || e.kind == ElementKind::kDynamicCell ||
          e.kind == ElementKind::kBatchSource || e.kind == ElementKind::kPwlSource || e.kind == ElementKind::kSelector)
        throw SimulationError(fmt::format(
            "noise is computed for 1R tiles (and the ideal access switch) at one operating point; element '{}' has "
            "no small-signal noise model in xbar",
            e.name));
    }
    output_of_.assign(n, -1);
    tia_of_.assign(n, -1);
    for (int pj = 0; pj < c_.map.phys_cols; ++pj) {
      if (tia_)
        tia_of_[c_.map.tia_out[pj]] = pj;
      else
        output_of_[c_.map.sense[pj]] = pj;
    }
    net_.unknown_of.assign(n, -1);
    for (std::size_t k = 0; k < n; ++k)
      if (!held[k]) net_.unknown_of[k] = net_.unknowns++;
    net_.output.assign(c_.map.phys_cols, {});
    touching_sense_.assign(c_.map.phys_cols, {});
  }

  int unknown(NodeId n) const { return net_.unknown_of[n]; }

  // A conductance g between a and b: matrix stamps, and the output terms of
  // a virtual-ground node it reaches.
  void conductance(NodeId a, NodeId b, double g) {
    const int ua = unknown(a), ub = unknown(b);
    if (ua >= 0) net_.matrix.push_back({ua, ua, g});
    if (ub >= 0) net_.matrix.push_back({ub, ub, g});
    if (ua >= 0 && ub >= 0) {
      net_.matrix.push_back({ua, ub, -g});
      net_.matrix.push_back({ub, ua, -g});
    }
    for (auto [s, other] : {std::pair{a, b}, std::pair{b, a}}) {
      const int pj = output_of_[s];
      if (pj < 0) continue;
      touching_sense_[pj].push_back({other, g});
      if (unknown(other) >= 0) net_.output[pj].push_back({unknown(other), g});
    }
  }

  // A noise current from a to b (through the element it belongs to).
  NoiseSource& across(NoiseKind kind, NodeId a, NodeId b, double white, double flicker, NoiseSource::Spice spice) {
    NoiseSource& s = net_.sources.emplace_back();
    s.kind = kind, s.white = white, s.flicker = flicker, s.spice = spice, s.a = a, s.b = b;
    raw_.push_back({{a, -1.0}, {b, 1.0}});
    return s;
  }

  void element(const Element& e) {
    switch (e.kind) {
      case ElementKind::kResistor: {
        const double g = 1.0 / e.value;
        const int pj = tia_of_[e.nodes[1]];
        if (pj >= 0 && e.nodes[0] == c_.map.sense[pj]) {
          // TIA feedback: (V_S - V_out) / r_f = V_S (1 + gain) / r_f; its
          // noise current lands on S (the amplifier output absorbs the other end).
          const int us = unknown(e.nodes[0]);
          if (us >= 0) net_.matrix.push_back({us, us, (1.0 + t_.tia_gain) * g});
          net_.output[pj].push_back({us, t_.tia_gain * g});
        } else {
          conductance(e.nodes[0], e.nodes[1], g);
        }
        across(NoiseKind::kThermal, e.nodes[0], e.nodes[1], o_.thermal_density(g), 0.0, NoiseSource::Spice::kNative);
        break;
      }
      case ElementKind::kCell: {
        const std::size_t k = static_cast<std::size_t>(e.row) * op_.phys_cols + e.col;
        const double v = op_.device_voltage(v_, k);
        const double g_ss = t_.model.conductance(e.value, v);
        const double i = t_.model.current(e.value, v);
        conductance(e.nodes[0], e.nodes[1], g_ss);
        // ngspice gives a linear cell (a resistor) its thermal noise itself;
        // a nonlinear one (a B source) has none there, so it is injected.
        across(NoiseKind::kThermal, e.nodes[0], e.nodes[1], o_.thermal_density(g_ss), 0.0,
               t_.model.linear() ? NoiseSource::Spice::kNative : NoiseSource::Spice::kAcross);
        if (o_.shot_fano > 0)
          across(NoiseKind::kShot, e.nodes[0], e.nodes[1], o_.shot_density(i), 0.0, NoiseSource::Spice::kAcross);
        if (o_.read_q0 > 0)
          across(NoiseKind::kRead, e.nodes[0], e.nodes[1], 0.0, o_.read_flicker(e.value, i),
                 NoiseSource::Spice::kAcross);
        break;
      }
      default: break;  // sources (held nodes), capacitors (open at the band's low end: see README)
    }
  }

  void sense_amplifier(int pj) {
    const NodeId s = c_.map.sense[pj];
    if (o_.sense_i_n > 0) {
      NoiseSource& src = net_.sources.emplace_back();
      src.kind = NoiseKind::kSense, src.white = o_.sense_i_n * o_.sense_i_n,
      src.spice = NoiseSource::Spice::kSenseCurrent;
      src.pj = pj;
      raw_.push_back({{s, 1.0}});
    }
    if (o_.sense_e_n > 0) {
      NoiseSource& src = net_.sources.emplace_back();
      src.kind = NoiseKind::kSense, src.white = o_.sense_e_n * o_.sense_e_n,
      src.spice = NoiseSource::Spice::kSenseVoltage;
      src.pj = pj;
      std::vector<std::pair<NodeId, double>> inj;
      if (tia_) {
        // V_out = gain (e_n - V_S): S receives gain e_n / r_f through r_f,
        // and the output -V_out / r_f loses gain e_n / r_f.
        const double a = t_.tia_gain / t_.tia_r_f;
        inj.push_back({s, a});
        src.direct.push_back({pj, -a});
      } else {
        // S_j held at e_n: each conductance g into S_j drives g e_n into its
        // far node, and carries -g e_n into S_j.
        for (auto [other, g] : touching_sense_[pj]) {
          inj.push_back({other, g});
          inj.push_back({s, -g});
        }
      }
      raw_.push_back(std::move(inj));
    }
  }

  // Injections into held nodes: a virtual-ground node passes them to its
  // column's output; any other held node absorbs them.
  void resolve(NoiseSource& s) {
    const auto& raw = raw_[static_cast<std::size_t>(&s - net_.sources.data())];
    for (auto [node, coef] : raw) {
      if (const int u = unknown(node); u >= 0)
        s.inject.push_back({u, coef});
      else if (const int pj = output_of_[node]; pj >= 0)
        s.direct.push_back({pj, coef});
    }
  }

  const TileSpec& t_;
  const Circuit& c_;
  const TileSolution& op_;
  const int v_;
  const NoiseOptions& o_;
  const bool tia_;
  NoiseNetwork net_;
  std::vector<int> output_of_, tia_of_;  // NodeId -> physical column (virtual-ground S_j; TIA output)
  std::vector<std::vector<std::pair<NodeId, double>>> touching_sense_;  // per column: (far node, g)
  std::vector<std::vector<std::pair<NodeId, double>>> raw_;             // per source: (node, current)
};

}  // namespace

NoiseNetwork build_noise_network(const TileSpec& tile, const Circuit& circuit, const TileSolution& op, int vector,
                                 const NoiseOptions& options) {
  if (tile.access_transistors() || tile.cell->has(CellPart::kSelector))
    throw SimulationError(
        fmt::format("noise is computed for 1R tiles and the ideal access switch; this {} tile has "
                    "access transistors or selectors",
                    to_string(tile.cell)));
  if (vector < 0 || vector >= op.vectors || op.phys_cols != tile.phys_cols() || op.rows != tile.rows)
    throw std::invalid_argument("noise: the operating point does not match the tile");
  return NetworkBuilder(tile, circuit, op, vector, options).build();
}

std::vector<std::pair<int, double>> output_columns(const TileSpec& tile, int j) {
  if (tile.cell->differential) return {{tile.plus_col(j), 1.0}, {tile.minus_col(j), -1.0}};
  return {{j, 1.0}};
}

}  // namespace xbar
