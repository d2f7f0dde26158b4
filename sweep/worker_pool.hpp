#pragma once
// Long-lived worker processes, each hosting one ngspice (the library keeps its
// state in globals: one simulation per process).  The pool forks them, hands
// each one point at a time over a socket, and replaces a worker that crashed,
// overran the time or memory limit, failed a point (ngspice may have asked to
// exit) or has run `recycle_after` points (ngspice's heap only grows).
#include <chrono>
#include <cstddef>
#include <functional>
#include <vector>

#include "common/child_process.hpp"
#include "spice_bridge/simulator.hpp"
#include "sweep/point_record.hpp"

namespace xbar {

struct PoolLimits {
  double time_limit_s = 0;             // per point; 0: none
  std::size_t memory_limit_bytes = 0;  // resident memory of a worker; 0: none
  int recycle_after = 500;             // points per worker before a fresh one
};

struct PoolStats {
  std::size_t spawned = 0, crashed = 0, timed_out = 0, over_memory = 0, recycled = 0;
};

struct Completion {
  PointRecord record;                // values are not filled in for points that died with their worker
  std::size_t worker_rss_bytes = 0;  // after the point (0 when the worker died)
  std::size_t worker_jobs = 0;       // points this worker had run, this one included
};

class WorkerPool {
 public:
  // Runs inside a worker process, never in this one.
  using PointRunner = std::function<PointRecord(std::size_t point, Simulator& simulator)>;

  // The caller must not have started ngspice in this process, and should be
  // single-threaded (workers are forked).
  WorkerPool(int size, PoolLimits limits, PointRunner run);
  ~WorkerPool();  // kills every worker
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Workers started from now on run their points sandboxed: no process, no
  // program, and (with Landlock) no file written outside `writable_dir`, the
  // sweep's folder.  See spice_bridge/sandbox.hpp.
  void confine_workers_to(std::string writable_dir) { writable_dir_ = std::move(writable_dir); }

  bool can_take() const;  // an idle worker, or room to start one
  void submit(std::size_t point);
  std::size_t busy() const;
  // Waits up to `timeout_ms` for points to finish.  Returns early (maybe with
  // nothing) when a signal arrives, so the caller can look at its stop flag.
  std::vector<Completion> wait(int timeout_ms);
  // Kills the workers; their unfinished points are dropped, not reported.
  void stop();
  const PoolStats& stats() const { return stats_; }

 private:
  std::string writable_dir_;
  struct Worker {
    proc::Child process;
    bool busy = false;
    std::size_t point = 0;
    std::chrono::steady_clock::time_point started;
    std::size_t jobs = 0;
    std::string inbox;
  };
  void spawn();
  void retire(Worker& w);
  Completion failed(const Worker& w, std::string message) const;
  bool read_replies(Worker& w, std::vector<Completion>& out);
  void enforce_limits(std::vector<Completion>& out);
  void drop_dead();

  int size_;
  PoolLimits limits_;
  PointRunner run_;
  std::vector<Worker> workers_;
  PoolStats stats_;
};

}  // namespace xbar
