#pragma once
// The SPICE engine: a tile's circuit, run by any Simulator, mapped back into
// tile coordinates.  The only place that knows both the circuit's node names
// and the simulator's vectors.
#include <string>
#include <vector>

#include "netlist_gen/circuit.hpp"
#include "tile/tile_solution.hpp"
#include "spice_bridge/simulator.hpp"

namespace xbar {

TileSolution solve_with_spice(const TileSpec& tile, const Circuit& circuit, const std::vector<std::string>& netlist,
                              Simulator& sim);

}  // namespace xbar
