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
  // The solution to start ngspice's Newton from (its vector 0, through each
  // transistor's `ic=`, see warm_started_netlist); null: SPICE's own start.
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

// The seam between any engine's solution and SPICE's start: `netlist` (the
// circuit's own) with every transistor line given `ic=vds,vgs,vbs` from
// vector `v` of `s` (the line, junction and gate voltages).  In an `op`,
// ngspice's MOSFETs (level 1, BSIM3/4) take these as their first Newton
// iteration's terminal voltages instead of their own junction guess; they
// change where Newton starts, not what it converges to.  `.nodeset` would
// say the same for the nodes, but ngspice 46 spends O(nodes x nodeset
// nodes) per initial iteration on it (docs/ngspice.md).  Transistors with
// a terminal the solution does not know, and subcircuit wrappers, are left
// as they are.
std::vector<std::string> warm_started_netlist(const Circuit& c, const TileSolution& s, std::vector<std::string> netlist,
                                              int v = 0);

}  // namespace xbar
