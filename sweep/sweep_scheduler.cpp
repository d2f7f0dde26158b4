#include "sweep/sweep_scheduler.hpp"

#include <filesystem>

#include "sweep/point_job.hpp"

namespace xbar {

LocalWorkers::LocalWorkers(const SweepSetup& setup, const SweepOptions& opt, int wait_ms)
    : setup_(setup),
      pool_(opt.jobs, opt.limits, [this](std::size_t point, Simulator& sim) { return run_point(setup_, point, sim); }),
      wait_ms_(wait_ms) {
  if (!setup_.dir.empty()) pool_.confine_workers_to(std::filesystem::absolute(setup_.dir).string());
}

std::vector<PointRecord> LocalWorkers::exchange(std::deque<std::size_t>& pending) {
  while (!pending.empty() && pool_.can_take()) {
    pool_.submit(pending.front());
    pending.pop_front();
  }
  std::vector<PointRecord> finished;
  for (auto& c : pool_.wait(wait_ms_)) finished.push_back(std::move(c.record));
  return finished;
}

SweepOutcome schedule_points(SweepSession& session, LocalWorkers& local, const std::vector<PointTransport*>& others,
                             const volatile std::sig_atomic_t* stop) {
  std::vector<PointTransport*> transports{&local};
  transports.insert(transports.end(), others.begin(), others.end());
  auto& pending = session.pending();
  auto busy = [&] {
    for (const PointTransport* t : transports)
      if (t->busy()) return true;
    return false;
  };
  bool interrupted = false;
  while (!pending.empty() || busy()) {
    if (stop && *stop) {
      interrupted = true;
      break;
    }
    for (PointTransport* t : transports)
      for (auto& r : t->exchange(pending)) session.record(std::move(r));
    session.refresh_csv();
  }
  for (PointTransport* t : transports) t->stop();
  return session.finish(interrupted, local.pool().stats());
}

}  // namespace xbar
