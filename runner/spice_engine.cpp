#include "runner/spice_engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <span>
#include <string_view>
#include <unordered_map>

#include "analysis/tile_analysis.hpp"
#include "common/diagnostics.hpp"

namespace xbar {
namespace {

// The result's vectors by name, each checked to hold one value per input
// vector.
class VectorLookup {
 public:
  VectorLookup(const SimResult& r, int vectors) : r_(r), n_(static_cast<std::size_t>(vectors)) {}

  std::span<const double> get(const std::string& name) const {
    const auto values = r_.vectors.find(name);
    if (!values) throw SimulationError(fmt::format("ngspice returned no vector '{}'", name), r_.log);
    if (values->size() != n_)
      throw SimulationError(fmt::format("ngspice vector '{}' has {} points; expected {}", name, values->size(), n_),
                            r_.log);
    return *values;
  }
  // The node's values over the vectors; empty for ground.
  std::span<const double> node(const Circuit& c, NodeId n) const {
    return n == kGround ? std::span<const double>() : get(c.node_names[n]);
  }

 private:
  const SimResult& r_;
  std::size_t n_;
};

}  // namespace

namespace {

TileSolution map_result(const TileSpec& tile, const Circuit& circuit, const SimResult& r, Simulator& sim) {
  const int V = tile.vectors(), R = tile.rows, PC = tile.phys_cols();
  const auto& m = circuit.map;
  VectorLookup vec(r, V);
  TileSolution s;
  s.engine = "spice";
  s.simulator_version = sim.version();
  s.log = r.log;
  s.warnings = r.warnings;
  s.elapsed_s = r.elapsed_s;
  s.allocate(V, R, PC, !m.cell_mid.empty());
  // Each vector is looked up once, not once per input vector; ground reads 0.
  auto at = [](std::span<const double> values, int v) { return values.empty() ? 0.0 : values[v]; };
  for (std::size_t k = 0; k < m.wl.size(); ++k) {
    const auto wl = vec.node(circuit, m.wl[k]);
    const auto bl = vec.node(circuit, m.bl[k]);
    const auto mid = m.cell_mid.empty() ? std::span<const double>() : vec.node(circuit, m.cell_mid[k]);
    for (int v = 0; v < V; ++v) {
      s.v_wl[v][k] = at(wl, v);
      s.v_bl[v][k] = at(bl, v);
      if (!m.cell_mid.empty()) s.v_mid[v][k] = at(mid, v);
    }
  }
  // A source's branch current flows from its + node through it: a driver
  // delivers the negative of it.
  for (int i = 0; i < R; ++i) {
    const auto branch = vec.get(m.driver_source[i] + "#branch");
    for (int v = 0; v < V; ++v) s.driver_current[v][i] = -branch[v];
  }
  for (int j = 0; j < PC; ++j) {
    if (tile.sense == SenseKind::kVirtualGround) {
      const auto branch = vec.get(m.sense_source[j] + "#branch");
      for (int v = 0; v < V; ++v) {
        s.column_current[v][j] = branch[v];
        s.array_current[v][j] = s.column_current[v][j];
      }
    } else {
      const auto sense = vec.node(circuit, m.sense[j]);
      const auto out = vec.node(circuit, m.tia_out[j]);
      for (int v = 0; v < V; ++v) {
        const double vs = at(sense, v), vo = at(out, v);
        s.column_current[v][j] = -vo / tile.tia_r_f;
        s.array_current[v][j] = (vs - vo) / tile.tia_r_f;  // the op-amp input draws nothing
      }
    }
  }
  return s;
}

}  // namespace

std::vector<std::string> warm_started_netlist(const Circuit& c, const TileSolution& s, std::vector<std::string> netlist,
                                              int v) {
  // Every node voltage the solution knows: the line and junction nodes, and
  // the nodes a DC source holds against ground (the gate lines); NaN: unknown.
  std::vector<double> volts(c.node_names.size(), std::numeric_limits<double>::quiet_NaN());
  if (!volts.empty()) volts[kGround] = 0.0;
  auto put = [&](const std::vector<NodeId>& nodes, const std::vector<std::vector<double>>& values) {
    if (values.size() <= static_cast<std::size_t>(v)) return;
    for (std::size_t k = 0; k < nodes.size() && k < values[v].size(); ++k)
      if (nodes[k] > kGround) volts[nodes[k]] = values[v][k];
  };
  put(c.map.wl, s.v_wl);
  put(c.map.bl, s.v_bl);
  put(c.map.cell_mid, s.v_mid);
  std::unordered_map<std::string_view, double> held;  // DC sources against ground: name -> V
  for (const Element& e : c.elements)
    if (e.kind == ElementKind::kVoltageSource && e.nodes.size() == 2 && e.nodes[1] == kGround && e.nodes[0] > kGround) {
      held.emplace(e.name, e.value);
      if (std::isnan(volts[e.nodes[0]])) volts[e.nodes[0]] = e.value;
    }
  // A gate line carries no DC current: with gate-line resistance (r_gl) every
  // gate node of row i is at its row's source voltage too.
  const std::size_t gate_rows = c.map.gate_source.size();
  for (std::size_t k = 0; gate_rows > 0 && k < c.map.gate.size(); ++k) {
    const auto source = held.find(c.map.gate_source[k / (c.map.gate.size() / gate_rows)]);
    if (source != held.end() && c.map.gate[k] > kGround && std::isnan(volts[c.map.gate[k]]))
      volts[c.map.gate[k]] = source->second;
  }
  // `ic=vds,vgs,vbs` per transistor whose four terminals are all known
  // (a subcircuit wrapper takes no such parameter).
  std::unordered_map<std::string_view, std::string> ic;
  for (const Element& e : c.elements) {
    if (e.kind != ElementKind::kMosfet || e.subckt || e.nodes.size() != 4) continue;
    const double d = volts[e.nodes[0]], g = volts[e.nodes[1]], src = volts[e.nodes[2]], b = volts[e.nodes[3]];
    if (std::isnan(d) || std::isnan(g) || std::isnan(src) || std::isnan(b)) continue;
    ic.emplace(e.name, fmt::format(" ic={:.17g},{:.17g},{:.17g}", d - src, g - src, b - src));
  }
  if (ic.empty()) return netlist;
  for (std::size_t k = 1; k < netlist.size(); ++k) {  // line 0 is the title
    std::string& line = netlist[k];
    if (line.empty() || line[0] != 'm') continue;
    const auto it = ic.find(std::string_view(line).substr(0, line.find(' ')));
    if (it != ic.end()) line += it->second;
  }
  return netlist;
}

LadderOutcome climb_from_start(Simulator& sim, const Circuit& circuit, const std::vector<std::string>& netlist,
                               const std::function<void(const SimResult&)>& accept, const SpiceSolveOptions& options) {
  LadderOutcome out = run_convergence_ladder(
      sim, circuit, options.warm_start ? warm_started_netlist(circuit, *options.warm_start, netlist) : netlist,
      analysis_command(circuit), accept, options.first_rung, options.order.value_or(RungOrder::kStrictFirst));
  if (options.rung) *options.rung = out.rung;
  return out;
}

TileSolution solve_with_spice(const TileSpec& tile, const Circuit& circuit, const std::vector<std::string>& netlist,
                              Simulator& sim, const SpiceSolveOptions& options) {
  TileSolution s;
  climb_from_start(
      sim, circuit, netlist,
      [&](const SimResult& r) {
        s = map_result(tile, circuit, r, sim);
        check_solution(tile, s);
      },
      options);
  return s;
}

}  // namespace xbar
