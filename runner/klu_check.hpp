#pragma once
#include <memory>

#include "common/reporter.hpp"
#include "spice_bridge/simulator.hpp"

namespace xbar {

// Without KLU, ngspice's default solver needs minutes for a 128x128 tile and
// hours beyond (docs/ngspice.md).  Before a tile of `cells` cells
// runs, say once per process, with the fix, when the loaded library lacks it.
// Returns whether KLU is there (or the tile too small to matter).
bool warn_once_without_klu(Simulator& sim, long long cells, Reporter* reporter);

// The simulator a job runs on: `given`, or else an isolated one made from
// `limits` and kept alive by `own`.  Before a tile of `cells` cells, warns once
// (through `reporter`, when there is one) if the library lacks KLU.
Simulator& job_simulator(Simulator* given, const SimLimits& limits, long long cells, Reporter* reporter,
                         std::unique_ptr<Simulator>& own);
// The same without the check, for a job that checks after its run: the
// isolated simulator learns KLU from the run's own log ("Using KLU"), so the
// check then costs no probe child of its own.
Simulator& job_simulator(Simulator* given, const SimLimits& limits, Reporter* reporter,
                         std::unique_ptr<Simulator>& own);

}  // namespace xbar
