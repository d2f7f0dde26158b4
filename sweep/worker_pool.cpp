#include "sweep/worker_pool.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstring>
#include <fstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "spice_bridge/sandbox.hpp"
#include "sweep/testing_hooks.hpp"

namespace xbar {

namespace {

std::optional<std::size_t> g_crash_point, g_hang_point;

// Frames on the worker socket: [u32 length][payload], this machine's byte order.
bool send_frame(int fd, std::string_view payload) {
  const auto len = static_cast<std::uint32_t>(payload.size());
  std::string data(reinterpret_cast<const char*>(&len), sizeof len);
  data.append(payload);
  std::string_view rest = data;
  while (!rest.empty()) {
    ssize_t n = ::send(fd, rest.data(), rest.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 1000);
      continue;
    }
    if (n <= 0) return false;
    rest.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

std::optional<std::string> take_frame(std::string& buffer) {
  if (buffer.size() < sizeof(std::uint32_t)) return std::nullopt;
  std::uint32_t len;
  std::memcpy(&len, buffer.data(), sizeof len);
  if (buffer.size() < sizeof len + len) return std::nullopt;
  std::string payload = buffer.substr(sizeof len, len);
  buffer.erase(0, sizeof len + len);
  return payload;
}

// Blocking read of one frame (worker side); nullopt at end of input.
std::optional<std::string> read_frame(int fd, std::string& buffer) {
  char chunk[4096];
  while (true) {
    if (auto f = take_frame(buffer)) return f;
    ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return std::nullopt;
    buffer.append(chunk, static_cast<std::size_t>(n));
  }
}

std::string signal_text(int sig) {
  const char* name = ::sigdescr_np(sig);
  return fmt::format("signal {} ({})", sig, name ? name : "unknown");
}

[[noreturn]] void worker_main(int fd, int parent, const WorkerPool::PointRunner& run, const std::string& writable_dir) {
  ::prctl(PR_SET_PDEATHSIG, SIGKILL);  // never outlive the supervisor, even after its SIGKILL
  if (::getppid() != parent) ::_exit(0);
  // Ctrl-C reaches the whole process group: the supervisor decides what stops.
  std::signal(SIGINT, SIG_IGN);
  std::signal(SIGTERM, SIG_DFL);
  std::signal(SIGPIPE, SIG_IGN);
  for (int s : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) std::signal(s, SIG_DFL);
  // Only this worker's socket stays open: a sibling's socket held here would
  // hide that sibling's end from the supervisor.
  if (fd != 3) {
    ::dup2(fd, 3);
    fd = 3;
  }
  ::close_range(4, ~0U, 0);
  if (int null = ::open("/dev/null", O_RDWR); null >= 0) {
    ::dup2(null, STDIN_FILENO);
    ::dup2(null, STDOUT_FILENO);
    if (null > 3) ::close(null);
  }
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
    reply["rss"] = resident_bytes(::getpid());
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

std::size_t resident_bytes(int pid) {
  std::ifstream in(fmt::format("/proc/{}/statm", pid));
  std::size_t size = 0, resident = 0;
  if (!(in >> size >> resident)) return 0;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

WorkerPool::WorkerPool(int size, PoolLimits limits, PointRunner run)
    : size_(std::max(1, size)), limits_(limits), run_(std::move(run)) {}

WorkerPool::~WorkerPool() { stop(); }

void WorkerPool::spawn() {
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) != 0)
    throw std::runtime_error(fmt::format("socketpair: {}", std::strerror(errno)));
  const int parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    throw std::runtime_error(fmt::format("fork: {}", std::strerror(errno)));
  }
  if (pid == 0) {
    ::close(fds[0]);
    worker_main(fds[1], parent, run_, writable_dir_);
  }
  ::close(fds[1]);
  ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  Worker w;
  w.pid = pid;
  w.fd = fds[0];
  workers_.push_back(std::move(w));
  ++stats_.spawned;
}

bool WorkerPool::can_take() const {
  if (static_cast<int>(workers_.size()) < size_) return true;
  return std::any_of(workers_.begin(), workers_.end(), [](const Worker& w) { return !w.busy; });
}

std::size_t WorkerPool::busy() const {
  return static_cast<std::size_t>(std::count_if(workers_.begin(), workers_.end(), [](const Worker& w) { return w.busy; }));
}

void WorkerPool::submit(std::size_t point) {
  for (int attempt = 0; attempt < 3; ++attempt) {
    auto it = std::find_if(workers_.begin(), workers_.end(), [](const Worker& w) { return !w.busy && w.pid > 0; });
    if (it == workers_.end()) {
      spawn();
      it = workers_.end() - 1;
    }
    if (send_frame(it->fd, std::to_string(point))) {
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

void WorkerPool::reap(Worker& w, int* status) {
  if (w.fd >= 0) ::close(w.fd);
  w.fd = -1;
  int st = 0;
  if (w.pid > 0)
    while (::waitpid(w.pid, &st, 0) < 0 && errno == EINTR) {
    }
  if (status) *status = st;
  w.pid = -1;
}

void WorkerPool::retire(Worker& w) {
  // Closing the socket tells an idle worker to exit; PDEATHSIG is not involved.
  if (w.fd >= 0) ::close(w.fd);
  w.fd = -1;
  if (w.pid > 0) {
    int st;
    // Give it a moment to leave on its own, then make sure.
    for (int i = 0; i < 200 && ::waitpid(w.pid, &st, WNOHANG) == 0; ++i) ::usleep(1000);
    if (::waitpid(w.pid, &st, WNOHANG) == 0) {
      ::kill(w.pid, SIGKILL);
      ::waitpid(w.pid, &st, 0);
    }
  }
  w.pid = -1;
}

void WorkerPool::drop_dead() {
  workers_.erase(std::remove_if(workers_.begin(), workers_.end(), [](const Worker& w) { return w.pid < 0; }),
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
  char chunk[8192];
  bool closed = false;
  while (true) {
    ssize_t n = ::read(w.fd, chunk, sizeof chunk);
    if (n > 0) {
      w.inbox.append(chunk, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    closed = n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK);
    break;
  }
  while (auto frame = take_frame(w.inbox)) {
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
  int status = 0;
  const bool was_busy = w.busy;
  reap(w, &status);
  if (was_busy) {
    ++stats_.crashed;
    std::string how = WIFSIGNALED(status) ? fmt::format("killed by {}", signal_text(WTERMSIG(status)))
                                          : fmt::format("exited with status {}", WEXITSTATUS(status));
    out.push_back(failed(w, fmt::format("the worker process running this point crashed ({})", how)));
    out.back().record.crashed = true;
  }
  return false;
}

void WorkerPool::enforce_limits(std::vector<Completion>& out) {
  const auto now = std::chrono::steady_clock::now();
  for (auto& w : workers_) {
    if (!w.busy || w.pid < 0) continue;
    std::string reason;
    if (limits_.time_limit_s > 0 && std::chrono::duration<double>(now - w.started).count() > limits_.time_limit_s) {
      reason = fmt::format("the point took longer than the time limit of {} s; its worker was stopped", limits_.time_limit_s);
      ++stats_.timed_out;
    } else if (limits_.memory_limit_bytes) {
      const std::size_t rss = resident_bytes(w.pid);
      if (rss > limits_.memory_limit_bytes) {
        reason = fmt::format("the point used {:.0f} MB, over the memory limit of {:.0f} MB; its worker was stopped",
                             rss / 1e6, limits_.memory_limit_bytes / 1e6);
        ++stats_.over_memory;
      }
    }
    if (reason.empty()) continue;
    ::kill(w.pid, SIGKILL);
    out.push_back(failed(w, reason));
    reap(w, nullptr);
  }
}

std::vector<Completion> WorkerPool::wait(int timeout_ms) {
  std::vector<Completion> out;
  std::vector<pollfd> fds;
  for (const auto& w : workers_) fds.push_back({w.fd, POLLIN, 0});
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
    if (w.busy && w.pid > 0) ::kill(w.pid, SIGKILL);
    retire(w);
  }
  workers_.clear();
}

}  // namespace xbar
