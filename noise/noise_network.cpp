#include "noise/noise_network.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "common/diagnostics.hpp"
#include "nodal/cell_law.hpp"

namespace xbar {
namespace {

class NetworkBuilder {
 public:
  NetworkBuilder(const TileSpec& t, const Circuit& c, const TileSolution& op, int vector, const NoiseOptions& o,
                 const std::vector<MosfetPoint>& mosfets)
      : t_(t), c_(c), op_(op), v_(vector), o_(o), mosfets_(mosfets), law_(t), tia_(t.sense == SenseKind::kTia) {}

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
    std::size_t mosfet_count = 0;
    held[kGround] = 1;
    for (const Element& e : c_.elements) {
      if (e.kind == ElementKind::kVoltageSource || e.kind == ElementKind::kVcvs) held[e.nodes[0]] = 1;
      if (e.kind == ElementKind::kDynamicCell || e.kind == ElementKind::kBatchSource ||
          e.kind == ElementKind::kPwlSource || (e.kind == ElementKind::kMosfet && e.subckt))
        throw SimulationError(fmt::format(
            "noise is computed at one operating point of a tile of static cells; element '{}' has no small-signal "
            "noise model in xbar",
            e.name));
      if (e.kind == ElementKind::kMosfet) ++mosfet_count;
    }
    if (mosfet_count != mosfets_.size())
      throw std::invalid_argument("noise: the transistors' operating points do not match the circuit");
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
    sense_column_.assign(c_.map.phys_cols, {});
  }

  int unknown(NodeId n) const { return net_.unknown_of[n]; }

  // Entry (row, col) of the conductance matrix: d(current leaving `row`) /
  // d(voltage of `col`).  Rows and columns of held nodes have no unknown; a
  // virtual-ground node's row is its output (the current into it from the
  // array, minus the row), and its column is kept for the amplifier's e_n.
  void stamp(NodeId row, NodeId col, double value) {
    const int ur = unknown(row), uc = unknown(col);
    if (ur >= 0 && uc >= 0) net_.matrix.push_back({ur, uc, value});
    if (const int pj = output_of_[col]; pj >= 0) sense_column_[pj].push_back({row, value});
    if (const int pj = output_of_[row]; pj >= 0 && uc >= 0) net_.output[pj].push_back({uc, -value});
  }

  // A conductance g between a and b.
  void conductance(NodeId a, NodeId b, double g) { stamp(a, a, g), stamp(b, b, g), stamp(a, b, -g), stamp(b, a, -g); }

  // A current g (V_p - V_n) leaving node a through an element into node b.
  void transconductance(NodeId a, NodeId b, NodeId p, NodeId n, double g) {
    stamp(a, p, g), stamp(a, n, -g), stamp(b, p, -g), stamp(b, n, g);
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
        const double v = device_voltage(k);
        const DeviceLaw::Point d = t_.model.at(e.value, v);
        const double g_ss = d.di_dv, i = d.i;
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
      case ElementKind::kSelector: {
        // A barrier device: the thermal noise of its differential
        // conductance and the full shot noise 2q|I| of its current (README
        // "Noise"); ngspice's B source has neither, so both are injected.
        const std::size_t k = static_cast<std::size_t>(e.row) * op_.phys_cols + e.col;
        const double v = op_.v_wl[v_][k] - op_.v_bl[v_][k] - device_voltage(k);
        const DeviceLaw::Point s = t_.selector.at(v);
        const double g_ss = s.di_dv;
        conductance(e.nodes[0], e.nodes[1], g_ss);
        across(NoiseKind::kThermal, e.nodes[0], e.nodes[1], o_.thermal_density(g_ss), 0.0, NoiseSource::Spice::kAcross);
        across(NoiseKind::kShot, e.nodes[0], e.nodes[1], 2.0 * kElementaryCharge * std::fabs(s.i), 0.0,
               NoiseSource::Spice::kAcross);
        break;
      }
      case ElementKind::kMosfet: mosfet(e, mosfets_.at(mosfet_index_++)); break;
      default: break;  // sources (held nodes), capacitors (open at the band's low end: see README)
    }
  }

  // Voltage across the memory device of cell k: for 1S1R the series law
  // splits the cell's voltage between device and selector (the inner node
  // is not in the operating point).
  double device_voltage(std::size_t k) const {
    if (!law_.has_inner_node() || !op_.v_mid.empty()) return op_.device_voltage(v_, k);
    return law_.at(t_.g[k], op_.v_wl[v_][k] - op_.v_bl[v_][k]).v_device;
  }

  // An NMOS (nodes d g s b) linearised as ngspice does: with V_d >= V_s,
  // I_ds = gds V_ds + gm V_gs + gmbs V_bs; with V_d < V_s the drain acts as
  // the source (gm and gmbs against V_gd and V_bd).  The bulk junctions are
  // their conductances (noiseless in ngspice's MOS models); the channel's
  // noise is a current between drain and source, its thermal and flicker
  // parts as ngspice's own model of the card gives them (mosfet_points()).
  void mosfet(const Element& e, const MosfetPoint& p) {
    const NodeId d = e.nodes[0], g = e.nodes[1], s = e.nodes[2], b = e.nodes[3];
    const std::size_t k = static_cast<std::size_t>(e.row) * op_.phys_cols + e.col;
    const bool reversed = op_.v_mid.at(v_).at(k) < op_.v_bl.at(v_).at(k);
    const NodeId src = reversed ? d : s;  // the terminal acting as the source
    conductance(d, s, p.gds);
    transconductance(d, s, g, src, reversed ? -p.gm : p.gm);
    transconductance(d, s, b, src, reversed ? -p.gmbs : p.gmbs);
    conductance(d, b, p.gbd);
    conductance(s, b, p.gbs);
    across(NoiseKind::kThermal, d, s, p.white, 0.0, NoiseSource::Spice::kNative);
    if (p.flicker > 0) across(NoiseKind::kFlicker, d, s, 0.0, p.flicker, NoiseSource::Spice::kNative);
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
        // S_j held at e_n: column S_j of the matrix times e_n moves to the
        // right-hand side (each conductance g into S_j drives g e_n into its
        // far node and carries -g e_n out of the output).
        for (auto [row, value] : sense_column_[pj]) inj.push_back({row, -value});
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
  const std::vector<MosfetPoint>& mosfets_;
  std::size_t mosfet_index_ = 0;
  const nodal_detail::TwoTerminalLaw law_;
  const bool tia_;
  NoiseNetwork net_;
  std::vector<int> output_of_, tia_of_;  // NodeId -> physical column (virtual-ground S_j; TIA output)
  std::vector<std::vector<std::pair<NodeId, double>>> sense_column_;  // per column: (row, entry) of column S_j
  std::vector<std::vector<std::pair<NodeId, double>>> raw_;           // per source: (node, current)
};

}  // namespace

NoiseNetwork build_noise_network(const TileSpec& tile, const Circuit& circuit, const TileSolution& op, int vector,
                                 const NoiseOptions& options, const std::vector<MosfetPoint>& mosfets) {
  if (vector < 0 || vector >= op.vectors || op.phys_cols != tile.phys_cols() || op.rows != tile.rows ||
      (tile.access_transistors() && op.v_mid.empty()))
    throw std::invalid_argument("noise: the operating point does not match the tile");
  return NetworkBuilder(tile, circuit, op, vector, options, mosfets).build();
}

std::vector<std::pair<int, double>> output_columns(const TileSpec& tile, int j) {
  if (tile.cell->differential) return {{tile.plus_col(j), 1.0}, {tile.minus_col(j), -1.0}};
  return {{j, 1.0}};
}

}  // namespace xbar
