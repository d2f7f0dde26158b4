#pragma once
// The MPI mode of `xbar sweep` (built when XBAR_MPI is ON): every rank runs a
// local worker pool; rank 0 also keeps the journal and hands out points one at
// a time, so fast ranks take more.  Ranks share the sweep folder (a cluster's
// shared file system).
#include <csignal>
#include <optional>

#include "sweep/sweep_runner.hpp"

namespace xbar {

bool mpi_built();

// Rank 0 returns the outcome; other ranks return nullopt when done.
std::optional<SweepOutcome> run_sweep_mpi(const SweepOptions& opt, SweepObserver& observer,
                                          const volatile std::sig_atomic_t* stop);

}  // namespace xbar
