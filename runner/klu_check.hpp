#pragma once
#include "common/reporter.hpp"
#include "spice_bridge/simulator.hpp"

namespace xbar {

// Without KLU, ngspice's default solver needs minutes for a 128x128 tile and
// hours beyond (shared/notes/ngspice.md).  Before a tile of `cells` cells
// runs, say once per process, with the fix, when the loaded library lacks it.
// Returns whether KLU is there (or the tile too small to matter).
bool warn_once_without_klu(Simulator& sim, long long cells, Reporter* reporter);

}  // namespace xbar
