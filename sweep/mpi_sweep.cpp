#include "sweep/mpi_sweep.hpp"

#ifdef XBAR_HAVE_MPI

#include <mpi.h>

#include <cstdint>
#include <deque>
#include <filesystem>
#include <string>

#include "common/diagnostics.hpp"
#include "sweep/sweep_scheduler.hpp"

namespace xbar {

namespace {

constexpr int kTagRequest = 1;  // rank -> 0: I have an idle worker
constexpr int kTagAssign = 2;   // 0 -> rank: a point index, or -1: no more
constexpr int kTagResult = 3;   // rank -> 0: a journal line

// MPI_Init here, MPI_Finalize on every way out.
class MpiScope {
 public:
  MpiScope() {
    int ready = 0;
    MPI_Initialized(&ready);
    if (!ready) MPI_Init(nullptr, nullptr);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
    MPI_Comm_size(MPI_COMM_WORLD, &size_);
  }
  ~MpiScope() {
    int done = 0;
    MPI_Finalized(&done);
    if (!done) MPI_Finalize();
  }
  int rank() const { return rank_; }
  int size() const { return size_; }

 private:
  int rank_ = 0, size_ = 1;
};

void send_assign(int rank, std::int64_t point) { MPI_Send(&point, 1, MPI_INT64_T, rank, kTagAssign, MPI_COMM_WORLD); }

void send_result(const PointRecord& r) {
  const std::string line = record_to_line(r);
  MPI_Send(line.data(), static_cast<int>(line.size()), MPI_CHAR, 0, kTagResult, MPI_COMM_WORLD);
}

// A rank other than 0: take points from rank 0 while a local worker is idle.
void serve_points(const SweepOptions& opt, const volatile std::sig_atomic_t* stop) {
  // Rank 0 owns the folder; this rank only needs the points' configs.
  std::optional<SweepPlan> plan;
  try {
    plan = plan_sweep(opt.config_path, opt.sets, opt.out_dir);
  } catch (const std::exception&) {
    // Rank 0 reports the same problem; still answer its protocol.
  }
  LocalWorkers local(plan ? plan->setup : SweepSetup{}, opt, 100);
  std::deque<std::size_t> none;  // points are submitted as they are assigned
  bool no_more = false;
  while (!no_more || local.busy()) {
    if (stop && *stop) break;
    while (!no_more && local.pool().can_take()) {
      std::int64_t want = -1, point = -1;
      MPI_Send(&want, 1, MPI_INT64_T, 0, kTagRequest, MPI_COMM_WORLD);
      MPI_Recv(&point, 1, MPI_INT64_T, 0, kTagAssign, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      if (point < 0 || !plan)
        no_more = true;
      else
        local.pool().submit(static_cast<std::size_t>(point));
    }
    for (auto& r : local.exchange(none)) send_result(r);
  }
  local.stop();
}

// Rank 0's view of the other ranks: answers their requests for points from
// the pending ones and collects their results.
class RemoteRanks final : public PointTransport {
 public:
  explicit RemoteRanks(int ranks) : ranks_(ranks) {}
  std::vector<PointRecord> exchange(std::deque<std::size_t>& pending) override {
    std::vector<PointRecord> finished;
    int waiting = 0;
    MPI_Status st;
    while (MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &waiting, &st), waiting) {
      if (st.MPI_TAG == kTagRequest) {
        std::int64_t want;
        MPI_Recv(&want, 1, MPI_INT64_T, st.MPI_SOURCE, kTagRequest, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (pending.empty()) {
          send_assign(st.MPI_SOURCE, -1);
          ++released_;
        } else {
          send_assign(st.MPI_SOURCE, static_cast<std::int64_t>(pending.front()));
          pending.pop_front();
          ++running_;
        }
      } else {
        int len = 0;
        MPI_Get_count(&st, MPI_CHAR, &len);
        std::string line(static_cast<std::size_t>(len), '\0');
        MPI_Recv(line.data(), len, MPI_CHAR, st.MPI_SOURCE, kTagResult, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        if (running_ > 0) --running_;
        if (auto r = record_from_line(line)) finished.push_back(std::move(*r));
      }
    }
    return finished;
  }
  bool busy() const override { return running_ > 0 || released_ < ranks_ - 1; }
  void stop() override {}

 private:
  int ranks_;
  std::size_t running_ = 0;
  int released_ = 0;
};

// Rank 0: journal every result, hand out points, run a local pool too.
SweepOutcome coordinate(const SweepOptions& opt, SweepObserver& observer, const volatile std::sig_atomic_t* stop,
                        int ranks) {
  std::unique_ptr<SweepSession> session;
  try {
    session = std::make_unique<SweepSession>(opt, observer);
  } catch (...) {
    for (int r = 1; r < ranks; ++r) {  // release the other ranks, then report
      std::int64_t want;
      MPI_Status st;
      MPI_Recv(&want, 1, MPI_INT64_T, MPI_ANY_SOURCE, kTagRequest, MPI_COMM_WORLD, &st);
      send_assign(st.MPI_SOURCE, -1);
    }
    throw;
  }
  LocalWorkers local(session->plan().setup, opt, ranks > 1 ? 10 : 250);
  RemoteRanks remote(ranks);
  SweepOutcome out = schedule_points(*session, local, {&remote}, stop);
  if (out.interrupted) MPI_Abort(MPI_COMM_WORLD, 128 + static_cast<int>(*stop));  // other ranks may wait on us
  return out;
}

}  // namespace

bool mpi_built() { return true; }

std::optional<SweepOutcome> run_sweep_mpi(const SweepOptions& opt, SweepObserver& observer,
                                          const volatile std::sig_atomic_t* stop) {
  MpiScope mpi;
  if (mpi.rank() != 0) {
    serve_points(opt, stop);
    return std::nullopt;
  }
  return coordinate(opt, observer, stop, mpi.size());
}

}  // namespace xbar

#else

namespace xbar {
bool mpi_built() { return false; }
std::optional<SweepOutcome> run_sweep_mpi(const SweepOptions&, SweepObserver&, const volatile std::sig_atomic_t*) {
  return std::nullopt;
}
}  // namespace xbar

#endif
