#pragma once
// The bookkeeping of one sweep run, shared by the local and the MPI drivers:
// the plan, the store, the points still to run and the progress counts.
#include <chrono>
#include <deque>
#include <memory>

#include "sweep/sweep_runner.hpp"
#include "sweep/sweep_store.hpp"

namespace xbar {

class SweepSession {
 public:
  // Loads the config, opens (or resumes) the folder, lists this shard's points.
  SweepSession(const SweepOptions& opt, SweepObserver& observer);

  const SweepPlan& plan() const { return plan_; }
  std::deque<std::size_t>& pending() { return pending_; }
  // Journals a finished point (durable on return) and tells the observer.
  void record(PointRecord r);
  // Rewrites sweep.csv when the last rewrite is older than a few seconds.
  void refresh_csv(bool now = false);
  SweepOutcome finish(bool interrupted, const PoolStats& stats);

 private:
  std::chrono::steady_clock::time_point start_;
  SweepObserver& observer_;
  SweepPlan plan_;
  std::unique_ptr<SweepStore> store_;
  std::deque<std::size_t> pending_;
  SweepProgress progress_;
  std::chrono::steady_clock::time_point last_csv_;
};

}  // namespace xbar
