#pragma once
// The SPICE engine: a tile's circuit, run by any Simulator, mapped back into
// tile coordinates.  The only place that knows both the circuit's node names
// and the simulator's vectors.
#include <string>
#include <vector>

#include "netlist_gen/circuit.hpp"
#include "runner/convergence_ladder.hpp"
#include "spice_bridge/simulator.hpp"
#include "tile/tile_solution.hpp"

namespace xbar {

struct SpiceSolveOptions {
  // Node voltages to start ngspice's Newton from (`.nodeset` of every word-
  // line, bit-line and junction node; vector 0); null: SPICE's own start.
  const TileSolution* warm_start = nullptr;
  // Set to the key of the convergence rung that solved it
  // (runner/convergence_ladder.hpp).
  std::string* rung = nullptr;
};

// Climbs the convergence ladder until a rung's result passes the KCL check
// (check_solution at its default tolerance); throws SimulationError when none
// does.
TileSolution solve_with_spice(const TileSpec& tile, const Circuit& circuit, const std::vector<std::string>& netlist,
                              Simulator& sim, const SpiceSolveOptions& options = {});

// The seam between any engine's solution and SPICE's start: `.nodeset` lines
// holding vector `v` of `s` at every word-line, bit-line and junction node of
// `c` (ground and nodes absent from the map skipped).
std::vector<std::string> warm_start_nodeset(const Circuit& c, const TileSolution& s, int v = 0);

}  // namespace xbar
