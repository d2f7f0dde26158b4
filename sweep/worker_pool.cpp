#include "sweep/worker_pool.hpp"

#include <poll.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/child_process.hpp"
#include "spice_bridge/sandbox.hpp"
#include "sweep/testing_hooks.hpp"

namespace xbar {

namespace {

std::optional<std::size_t> g_crash_point, g_hang_point;

// Frames on the worker socket carry one kind: a point index one way, a JSON
// reply the other.
constexpr std::uint8_t kPointFrame = 1;

bool send_frame(int fd, std::string_view payload) {
  return proc::write_all(fd, proc::encode_frame(kPointFrame, payload));
}

// Throws proc::FrameError on a frame of another kind.
std::optional<std::string> take_frame(std::string& buffer) {
  auto frame = proc::take_frame(buffer, [](std::uint8_t kind, std::uint64_t) { return kind == kPointFrame; });
  if (!frame) return std::nullopt;
  return std::move(frame->payload);
}

// Blocking read of one frame (worker side); nullopt at end of input.
std::optional<std::string> read_frame(int fd, std::string& buffer) {
  while (true) {
    if (auto f = take_frame(buffer)) return f;
    if (proc::read_some(fd, buffer) != proc::ReadStatus::kData) return std::nullopt;
  }
}

[[noreturn]] void worker_main(int fd, int parent, const WorkerPool::PointRunner& run, const std::string& writable_dir) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the supervisor, even after its SIGKILL
  if (::getppid() != parent) ::_exit(0);
  // Ctrl-C reaches the whole process group: the supervisor decides what stops.
  std::signal(SIGINT, SIG_IGN);
  std::signal(SIGTERM, SIG_DFL);
  std::signal(SIGPIPE, SIG_IGN);
  proc::restore_crash_signals();
  // Only this worker's socket stays open: a sibling's socket held here would
  // hide that sibling's end from the supervisor.
  if (fd != 3) {
    ::dup2(fd, 3);
    fd = 3;
  }
  ::close_range(4, ~0U, 0);
  proc::send_to_null({STDIN_FILENO, STDOUT_FILENO});
  std::unique_ptr<Simulator> sim;
  std::string buffer;
  while (auto frame = read_frame(fd, buffer)) {
    const std::size_t point = std::stoull(*frame);
    if (g_crash_point == point) ::raise(SIGSEGV);
    if (g_hang_point == point)
      while (true) ::pause();
    bool ok = false;
    nlohmann::json reply;
    try {
      if (!sim) {
        sim = make_ngspice_simulator();
        // ngspice's start-up writes a private folder: start it, then confine.
        sim->version();
        if (!writable_dir.empty()) spice::enter_sandbox(writable_dir);
      }
      PointRecord rec = run(point, *sim);
      ok = rec.ok;
      reply["record"] = record_to_line(rec);
    } catch (const std::exception& e) {
      PointRecord rec;
      rec.point = point;
      rec.error = one_line(fmt::format("internal error in worker: {}", e.what()));
      reply["record"] = record_to_line(rec);
    }
    reply["rss"] = proc::resident_bytes(::getpid());
    reply["retire"] = !ok;  // after a failure ngspice may refuse further work
    if (!send_frame(fd, reply.dump())) break;
    if (!ok) break;
  }
  ::_exit(0);
}

}  // namespace

namespace sweep_testing {
void set_crash_point(std::optional<std::size_t> point) { g_crash_point = point; }
void set_hang_point(std::optional<std::size_t> point) { g_hang_point = point; }
}  // namespace sweep_testing

WorkerPool::WorkerPool(int size, PoolLimits limits, PointRunner run)
    : size_(std::max(1, size)), limits_(limits), run_(std::move(run)) {}

WorkerPool::~WorkerPool() { stop(); }

void WorkerPool::spawn() {
  const pid_t parent = ::getpid();
  Worker w;
  w.process = proc::Child::spawn({.two_way = true, .nonblocking = true},
                                 [&](int fd) { worker_main(fd, parent, run_, writable_dir_); });
  workers_.push_back(std::move(w));
  ++stats_.spawned;
}

bool WorkerPool::can_take() const {
  if (static_cast<int>(workers_.size()) < size_) return true;
  return std::any_of(workers_.begin(), workers_.end(), [](const Worker& w) { return !w.busy; });
}

std::size_t WorkerPool::busy() const {
  return static_cast<std::size_t>(
      std::count_if(workers_.begin(), workers_.end(), [](const Worker& w) { return w.busy; }));
}

void WorkerPool::submit(std::size_t point) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto it =
        std::find_if(workers_.begin(), workers_.end(), [](const Worker& w) { return !w.busy && w.process.running(); });
    if (it == workers_.end()) {
      spawn();
      it = workers_.end() - 1;
    }
    if (send_frame(it->process.fd(), std::to_string(point))) {
      it->busy = true;
      it->point = point;
      it->started = std::chrono::steady_clock::now();
      return;
    }
    retire(*it);  // an idle worker that died: start another
    drop_dead();
  }
  throw std::runtime_error("cannot start a sweep worker");
}

void WorkerPool::retire(Worker& w) {
  // Closing the socket tells an idle worker to exit; PDEATHSIG is not involved.
  w.process.retire(std::chrono::milliseconds(200));
}

void WorkerPool::drop_dead() {
  workers_.erase(std::remove_if(workers_.begin(), workers_.end(), [](const Worker& w) { return !w.process.running(); }),
                 workers_.end());
}

Completion WorkerPool::failed(const Worker& w, std::string message) const {
  Completion c;
  c.record.point = w.point;
  c.record.error = std::move(message);
  c.record.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - w.started).count();
  c.worker_jobs = w.jobs + 1;
  return c;
}

// False when the worker is gone (its point, if any, is reported as failed).
bool WorkerPool::read_replies(Worker& w, std::vector<Completion>& out) {
  proc::ReadStatus got;
  while ((got = proc::read_some(w.process.fd(), w.inbox)) == proc::ReadStatus::kData) {
  }
  const bool closed = got == proc::ReadStatus::kEnd;
  while (true) {
    std::optional<std::string> frame;
    try {
      frame = take_frame(w.inbox);
    } catch (const proc::FrameError&) {
      w.inbox.clear();
      frame = "";  // reported below as a malformed reply
    }
    if (!frame) break;
    Completion c;
    bool retire_now = true;
    try {
      auto j = nlohmann::json::parse(*frame);
      auto rec = record_from_line(j.at("record").get<std::string>());
      if (!rec) throw std::runtime_error("bad record");
      c.record = std::move(*rec);
      c.worker_rss_bytes = j.at("rss").get<std::size_t>();
      retire_now = j.at("retire").get<bool>();
    } catch (const std::exception&) {
      c = failed(w, "malformed reply from sweep worker");
    }
    w.busy = false;
    ++w.jobs;
    c.worker_jobs = w.jobs;
    out.push_back(std::move(c));
    const bool over_memory = limits_.memory_limit_bytes && out.back().worker_rss_bytes > limits_.memory_limit_bytes;
    if (retire_now || over_memory || (limits_.recycle_after > 0 && static_cast<int>(w.jobs) >= limits_.recycle_after)) {
      ++stats_.recycled;
      retire(w);
      return false;
    }
  }
  if (!closed) return true;
  w.process.close_channel();
  const int status = w.process.reap();
  if (w.busy) {
    ++stats_.crashed;
    const std::optional<int> signal = proc::ending_signal(status);
    std::string how = signal ? fmt::format("killed by signal {} ({})", *signal, proc::signal_description(*signal))
                             : fmt::format("exited with status {}", proc::exit_code(status).value_or(-1));
    out.push_back(failed(w, fmt::format("the worker process running this point crashed ({})", how)));
    out.back().record.crashed = true;
  }
  return false;
}

void WorkerPool::enforce_limits(std::vector<Completion>& out) {
  const auto now = std::chrono::steady_clock::now();
  for (auto& w : workers_) {
    if (!w.busy || !w.process.running()) continue;
    std::string reason;
    if (limits_.time_limit_s > 0 && std::chrono::duration<double>(now - w.started).count() > limits_.time_limit_s) {
      reason = fmt::format("the point took longer than the time limit of {} s; its worker was stopped",
                           limits_.time_limit_s);
      ++stats_.timed_out;
    } else if (limits_.memory_limit_bytes) {
      const std::size_t rss = proc::resident_bytes(w.process.pid());
      if (rss > limits_.memory_limit_bytes) {
        reason = fmt::format("the point used {:.0f} MB, over the memory limit of {:.0f} MB; its worker was stopped",
                             rss / 1e6, limits_.memory_limit_bytes / 1e6);
        ++stats_.over_memory;
      }
    }
    if (reason.empty()) continue;
    w.process.kill(SIGKILL);
    out.push_back(failed(w, reason));
    w.process.close_channel();
    w.process.reap();
  }
}

std::vector<Completion> WorkerPool::wait(int timeout_ms) {
  std::vector<Completion> out;
  std::vector<pollfd> fds;
  for (const auto& w : workers_) fds.push_back({w.process.fd(), POLLIN, 0});
  // Wake up in time to enforce the limits.
  if (limits_.time_limit_s > 0 || limits_.memory_limit_bytes) timeout_ms = std::min(timeout_ms, 100);
  const int n = fds.empty() ? (::poll(nullptr, 0, timeout_ms)) : ::poll(fds.data(), fds.size(), timeout_ms);
  if (n > 0) {
    for (std::size_t k = 0; k < fds.size(); ++k)
      if (fds[k].revents) read_replies(workers_[k], out);
  }
  enforce_limits(out);
  drop_dead();
  return out;
}

void WorkerPool::stop() {
  for (auto& w : workers_) {
    if (w.busy) w.process.kill(SIGKILL);
    retire(w);
  }
  workers_.clear();
}

}  // namespace xbar
