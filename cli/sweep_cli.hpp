#pragma once
// The command-line side of running a sweep, shared by `xbar sweep` and
// `xbar montecarlo` (which runs its samples as a sweep): the options, the
// progress on stderr, local or MPI.
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "sweep/sweep_runner.hpp"

namespace CLI {
class App;
}

namespace xbar {

struct SweepCli {
  std::string config;
  std::vector<std::string> sets;
  std::string out;
  int jobs = 0;  // 0: one per core
  bool resume = false;
  std::string shard;
  std::vector<std::string> merge;
  double time_limit_s = 0;
  double max_memory_gb = -1;  // not given: the default limit of xbar run
  int recycle_after = 500;
  bool mpi = false;
  bool quiet = false;
};

// CONFIG, --set, -o, -j, --resume, --shard, --time-limit, --max-memory,
// --recycle, --mpi, -q.
void add_sweep_run_options(CLI::App* cmd, SweepCli& cli);
// Everything of SweepOptions the options decide (not the config or its sets).
SweepOptions sweep_options(const SweepCli& cli);
// Runs the sweep with progress on stderr, stopped by SIGINT/SIGTERM; nullopt
// on an MPI rank other than 0 (rank 0 reports).
std::optional<SweepOutcome> run_sweep_with_progress(const SweepOptions& opt, const SweepCli& cli);
// Prints what an interrupted run kept (in `results`); returns 128 + the signal.
int report_interruption(const SweepOutcome& r, const char* command, const std::filesystem::path& results);

}  // namespace xbar
