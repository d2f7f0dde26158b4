#pragma once
// The SPICE engine: a tile's circuit, run by any Simulator, mapped back into
// tile coordinates.  The only place that knows both the circuit's node names
// and the simulator's vectors.
#include <exception>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/stop_condition.hpp"
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
  // Where the climb starts, and its order (unset: the caller's default).
  std::string first_rung = "op";
  std::optional<RungOrder> order = std::nullopt;
};

// Climbs the convergence ladder until a rung's result passes the KCL check
// (check_solution at its default tolerance); throws SimulationError when none
// does.
TileSolution solve_with_spice(const TileSpec& tile, const Circuit& circuit, const std::vector<std::string>& netlist,
                              Simulator& sim, const SpiceSolveOptions& options = {});

// The one SPICE climb of a tile circuit's operating point (the op's and each
// read's): `netlist` warm-started from options.warm_start, the circuit's
// analysis up the ladder from options.first_rung in options.order
// (kStrictFirst when unset); `accept` maps and checks a result.  Sets
// options.rung.
LadderOutcome climb_from_start(Simulator& sim, const Circuit& circuit, const std::vector<std::string>& netlist,
                               const std::function<void(const SimResult&)>& accept, const SpiceSolveOptions& options);

// SPICE's start on a transistor tile: what `solve` (the nodal engine)
// returns, or nothing when it throws (an interrupt excepted), so that SPICE
// starts cold and the job goes on; `on_cold` hears why.
template <class Start>
std::optional<Start> nodal_start_or_cold(const std::function<Start()>& solve,
                                         const std::function<void(const std::exception&)>& on_cold) {
  try {
    return solve();
  } catch (const std::exception& e) {  // whatever stops the nodal engine, SPICE can still start cold
    throw_if_interrupted();
    if (on_cold) on_cold(e);
    return std::nullopt;
  }
}

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
