#include "runner/spice_engine.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "analysis/tile_analysis.hpp"
#include "common/diagnostics.hpp"

namespace xbar {
namespace {

class VectorLookup {
 public:
  VectorLookup(const SimResult& r, int vectors) : r_(r), n_(static_cast<std::size_t>(vectors)) {}

  // The named vector, which must hold one value per input vector.
  const std::vector<double>& get(const std::string& name) const {
    auto it = r_.vectors.find(name);
    if (it == r_.vectors.end()) throw SimulationError(fmt::format("ngspice returned no vector '{}'", name), r_.log);
    if (it->second.size() != n_)
      throw SimulationError(fmt::format("ngspice vector '{}' has {} points; expected {}", name, it->second.size(), n_),
                            r_.log);
    return it->second;
  }
  double node(const Circuit& c, NodeId n, std::size_t v) const {
    if (n == kGround) return 0.0;
    return get(c.node_names[n])[v];
  }
  // The node's values over the vectors; null for ground.
  const std::vector<double>* node(const Circuit& c, NodeId n) const {
    return n == kGround ? nullptr : &get(c.node_names[n]);
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
  // Each line node's vector is looked up once for every input vector (one
  // name lookup per node, not per node and vector).
  auto at = [](const std::vector<double>* values, int v) { return values ? (*values)[v] : 0.0; };
  for (std::size_t k = 0; k < m.wl.size(); ++k) {
    const std::vector<double>* wl = vec.node(circuit, m.wl[k]);
    const std::vector<double>* bl = vec.node(circuit, m.bl[k]);
    const std::vector<double>* mid = m.cell_mid.empty() ? nullptr : vec.node(circuit, m.cell_mid[k]);
    for (int v = 0; v < V; ++v) {
      s.v_wl[v][k] = at(wl, v);
      s.v_bl[v][k] = at(bl, v);
      if (!m.cell_mid.empty()) s.v_mid[v][k] = at(mid, v);
    }
  }
  for (int v = 0; v < V; ++v) {
    // A source's branch current flows from its + node through it: a driver
    // delivers the negative of it.
    for (int i = 0; i < R; ++i) s.driver_current[v][i] = -vec.get(m.driver_source[i] + "#branch")[v];
    for (int j = 0; j < PC; ++j) {
      if (tile.sense == SenseKind::kVirtualGround) {
        s.column_current[v][j] = vec.get(m.sense_source[j] + "#branch")[v];
        s.array_current[v][j] = s.column_current[v][j];
      } else {
        const double vs = vec.node(circuit, m.sense[j], v);
        const double vo = vec.node(circuit, m.tia_out[j], v);
        s.column_current[v][j] = -vo / tile.tia_r_f;
        s.array_current[v][j] = (vs - vo) / tile.tia_r_f;  // the op-amp input draws nothing
      }
    }
  }
  return s;
}

}  // namespace

std::vector<std::string> warm_start_nodeset(const Circuit& c, const TileSolution& s, int v) {
  std::vector<std::pair<std::string, double>> voltages;
  const auto& m = c.map;
  auto add = [&](const std::vector<NodeId>& nodes, const std::vector<std::vector<double>>& values) {
    if (values.size() <= static_cast<std::size_t>(v)) return;
    for (std::size_t k = 0; k < nodes.size() && k < values[v].size(); ++k)
      if (nodes[k] > kGround) voltages.emplace_back(c.node_names[nodes[k]], values[v][k]);
  };
  add(m.wl, s.v_wl);
  add(m.bl, s.v_bl);
  add(m.cell_mid, s.v_mid);
  // Merged nodes (zero resistances) appear once.
  std::sort(voltages.begin(), voltages.end());
  voltages.erase(
      std::unique(voltages.begin(), voltages.end(), [](const auto& a, const auto& b) { return a.first == b.first; }),
      voltages.end());
  return nodeset_lines(voltages);
}

TileSolution solve_with_spice(const TileSpec& tile, const Circuit& circuit, const std::vector<std::string>& netlist,
                              Simulator& sim, const SpiceSolveOptions& options) {
  const std::vector<std::string> nodeset =
      options.warm_start ? warm_start_nodeset(circuit, *options.warm_start) : std::vector<std::string>{};
  TileSolution s;
  const LadderOutcome out =
      run_convergence_ladder(sim, circuit, netlist, analysis_command(circuit), nodeset, [&](const SimResult& r) {
        s = map_result(tile, circuit, r, sim);
        check_solution(tile, s);
      });
  if (options.rung) *options.rung = out.rung;
  return s;
}

}  // namespace xbar
