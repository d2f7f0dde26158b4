#pragma once
// SPICE's convergence ladder, climbed the way commercial simulators climb it:
// when an operating point does not converge, try again with another method,
// one method per attempt so that each rung really differs and fails fast.
//
//   op       Newton (from the warm start, when the netlist has one), nothing else
//   gmin     gmin stepping only (ngspice's dynamic gmin stepping; its "true"
//            gmin stepping, tried after it by default, spent over a minute
//            failing on a 32x32 floating read, so `dyngmin` leaves it out)
//   source   source stepping only (Gillespie's adaptive ramp)
//   relaxed  tolerances loosened 1000x (reltol 1e-6, vntol 1e-9, abstol
//            1e-15) with ngspice's whole chain (Newton, gmin, source); the
//            result is kept only if the caller's check (xbar's KCL check at
//            the requested tolerance) passes
//
// ngspice 46 runs Newton, gmin stepping and source stepping inside one `op`
// (cktop.c); the rungs switch them on one at a time with `.options noopiter
// gminsteps srcsteps dyngmin`.  Its fourth fallback, the transient operating point
// ("optran"), is switched off for the session (spice_bridge/ngspice_session):
// it spent minutes before failing on a 32x32 floating read.
//
// Every attempt is one job on the caller's Simulator, so each one is bound by
// the job's time and memory limits and runs in the sandbox.  A rung that
// fails for another reason than convergence (a time-out, a crash, a parse
// error) ends the climb at once.
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "netlist_gen/circuit.hpp"
#include "spice_bridge/simulator.hpp"

namespace xbar {

struct ConvergenceRung {
  std::string key;                                           // as summary.json's spice_convergence says it
  std::string what;                                          // for messages
  std::vector<std::pair<std::string, std::string>> options;  // set on top of the circuit's own
};

// The rungs, in the order they are tried.
const std::vector<ConvergenceRung>& convergence_ladder();

// The order of the climb.  kRelaxedFirst tries the relaxed rung before the
// strict ones: for a 1T1R read with floating lines every strict rung fails,
// slowly (32x32: 38 s, 64x64: 268 s before the relaxed rung solved it), and
// the relaxed result is held to the same KCL check at the requested tolerance.
enum class RungOrder { kStrictFirst, kRelaxedFirst };

struct LadderOutcome {
  SimResult result;
  std::string rung;                   // the key of the rung that converged
  std::vector<std::string> failures;  // one line per rung that did not
};

// Runs `command` on `netlist` (written from `circuit`, whose options each
// rung starts from) up the ladder.  `accept` maps and checks a
// result (throwing SimulationError when it fails the check); a rung whose
// result it rejects counts as not converged.  Throws SimulationError naming
// every attempt and the options the user can try when no rung converges.
// The climb starts at `first_rung` (a key of convergence_ladder()) and takes
// the rungs after it in `order`.
LadderOutcome run_convergence_ladder(Simulator& sim, const Circuit& circuit, std::vector<std::string> netlist,
                                     const std::string& command, const std::function<void(const SimResult&)>& accept,
                                     const std::string& first_rung = "op", RungOrder order = RungOrder::kStrictFirst);

// The later of two rung keys in the ladder's order ("" counts as none).
std::string later_rung(const std::string& a, const std::string& b);

namespace testing {
// Test-only: the first `n` rungs of every climb fail as a non-convergence
// would, without running, so a test can see the ladder advance.
void set_forced_rung_failures(int n);
}  // namespace testing

}  // namespace xbar
