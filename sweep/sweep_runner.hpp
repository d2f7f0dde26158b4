#pragma once
// `xbar sweep`: runs the points of a config's sweep on a pool of worker
// processes, journals each finished point at once, and keeps sweep.csv current.
#include <csignal>
#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "runner/resource_guard.hpp"
#include "sweep/point_job.hpp"
#include "sweep/point_record.hpp"
#include "sweep/sweep_points.hpp"
#include "sweep/worker_pool.hpp"

namespace xbar {

struct SweepOptions {
  std::string config_path;
  std::vector<std::string> sets;
  std::filesystem::path out_dir;  // empty: output.dir of the config
  int jobs = 1;
  bool resume = false;
  Shard shard;
  // A worker over the default memory limit is stopped, as `xbar run`'s
  // simulator child would be.
  PoolLimits limits{.memory_limit_bytes = static_cast<std::size_t>(default_memory_limit_bytes())};
};

struct SweepProgress {
  std::size_t total = 0;  // points of this run (this shard)
  std::size_t done = 0;   // finished, the resumed ones included
  std::size_t failed = 0;
  std::size_t resumed = 0;  // finished before this run
  double elapsed_s = 0;     // of this run
};

// How the sweep tells its caller what happens; the CLI prints it.
class SweepObserver {
 public:
  virtual ~SweepObserver() = default;
  virtual void started(const SweepProgress&, const std::filesystem::path& /*dir*/) {}
  virtual void point_finished(const PointRecord&, const SweepProgress&) {}
};

struct SweepOutcome {
  SweepProgress progress;
  bool interrupted = false;  // stopped by the stop flag before the end
  std::filesystem::path dir;
  PoolStats pool;
};

// A loaded sweep: the base config's spec and where its results go.
struct SweepPlan {
  SweepSetup setup;
  std::string fingerprint;
  std::size_t points = 0;
};
// Throws InputError for a config without a `sweep:` section.
SweepPlan plan_sweep(const std::string& config_path, const std::vector<std::string>& sets,
                     const std::filesystem::path& out_dir);

// `stop`: set (by a signal handler) to end the run early; finished points are
// kept, running ones dropped.
SweepOutcome run_sweep(const SweepOptions& opt, SweepObserver& observer, const volatile std::sig_atomic_t* stop);

}  // namespace xbar
