#pragma once
// The one scheduling loop of `xbar sweep`: hands the session's pending points
// to transports, journals what they finish, keeps sweep.csv current and stops
// on the stop flag.  A transport is where points run: the local worker pool,
// or (MPI mode, sweep/mpi_sweep.cpp) the other ranks.
#include <csignal>
#include <deque>
#include <vector>

#include "sweep/sweep_runner.hpp"
#include "sweep/sweep_session.hpp"
#include "sweep/worker_pool.hpp"

namespace xbar {

class PointTransport {
 public:
  virtual ~PointTransport() = default;
  // Takes the pending points it has room for (from the front) and returns the
  // points that finished meanwhile, waiting for them up to its own time.
  virtual std::vector<PointRecord> exchange(std::deque<std::size_t>& pending) = 0;
  // Points are out, or the transport has work left to finish.
  virtual bool busy() const = 0;
  // Ends the transport's work; unfinished points are dropped.
  virtual void stop() = 0;
};

// The worker processes of this machine (`opt.jobs` of them, `opt.limits`),
// confined to the sweep's folder; `wait_ms`: how long one exchange waits.
class LocalWorkers final : public PointTransport {
 public:
  LocalWorkers(const SweepSetup& setup, const SweepOptions& opt, int wait_ms);
  std::vector<PointRecord> exchange(std::deque<std::size_t>& pending) override;
  bool busy() const override { return pool_.busy() > 0; }
  void stop() override { pool_.stop(); }
  WorkerPool& pool() { return pool_; }

 private:
  SweepSetup setup_;
  WorkerPool pool_;
  int wait_ms_;
};

// Runs the session's pending points on the transports until none is left or
// `stop` is set; returns the session's outcome with the local pool's counts.
SweepOutcome schedule_points(SweepSession& session, LocalWorkers& local, const std::vector<PointTransport*>& others,
                             const volatile std::sig_atomic_t* stop);

}  // namespace xbar
