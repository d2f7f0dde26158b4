#include "runner/klu_check.hpp"

#include <cmath>

#include <fmt/format.h>

namespace xbar {

bool warn_once_without_klu(Simulator& sim, long long cells, Reporter* reporter) {
  // Below this size the default solver is still quick (a 32x32 tile: well
  // under a second), so the probe is not worth its few milliseconds.
  constexpr long long kProbeFromCells = 32 * 32;
  static bool warned = false;
  if (cells < kProbeFromCells || reporter == nullptr) return true;
  if (sim.has_klu()) return true;
  if (!warned && reporter != nullptr) {
    reporter->warning(fmt::format(
        "the loaded libngspice ({}) has no KLU solver: tiles of 128x128 and above will take minutes to hours. "
        "Fix: run scripts/setup, which installs ngspice 46 with KLU from bookworm-backports.",
        sim.version()));
  }
  warned = true;
  return false;
}

Simulator& job_simulator(Simulator* given, const SimLimits& limits, long long cells, Reporter* reporter,
                         std::unique_ptr<Simulator>& own) {
  Simulator& sim = job_simulator(given, limits, reporter, own);
  warn_once_without_klu(sim, cells, reporter);
  return sim;
}

Simulator& job_simulator(Simulator* given, const SimLimits& limits, Reporter* reporter,
                         std::unique_ptr<Simulator>& own) {
  Simulator* sim = given;
  if (sim == nullptr) {
    StatusListener on_status;
    if (reporter)  // ngspice's own progress, beside the phase
      on_status = [reporter](const SimStatus& s) {
        reporter->progress(std::isnan(s.percent) ? s.analysis : fmt::format("{} {:.0f}%", s.analysis, s.percent));
      };
    own = make_isolated_simulator(limits, std::move(on_status));
    sim = own.get();
  }
  return *sim;
}

}  // namespace xbar
