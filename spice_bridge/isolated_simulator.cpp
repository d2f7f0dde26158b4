// make_isolated_simulator(): every job in a forked child.  The child runs the job
// on its own copy of the in-process session and streams frames back over a pipe
// (see child_protocol.hpp); the parent enforces the time limit, turns signals
// into SimulationErrors and always reaps the child.
//
// The child is a plain fork(), not fork+exec: if this process has already
// initialised ngspice the child inherits the (cleaned) session, otherwise it
// initialises its own.  ngspice runs no threads of its own here (blocking
// commands only), so the copy is consistent -- but a fork while another thread
// of this process holds the session would deadlock the child (the time limit,
// if any, then ends it).  Do not mix in-process and isolated jobs across threads.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <new>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "spice_bridge/child_protocol.hpp"
#include "spice_bridge/child_registry.hpp"
#include "spice_bridge/ngspice_session.hpp"
#include "spice_bridge/netlist_guard.hpp"
#include "spice_bridge/sandbox.hpp"
#include "spice_bridge/simulator.hpp"
#include "spice_bridge/testing_hooks.hpp"

namespace xbar {
namespace {

using spice::FrameKind;
using Clock = std::chrono::steady_clock;

// Sends a frame to the parent ahead of the job's reply.
using SendFrame = std::function<void(FrameKind, std::string_view)>;
// What a child does with its session; returns the one reply frame.
using ChildJob = std::function<spice::Frame(spice::NgspiceSession&, const SendFrame&)>;

std::atomic<bool> g_crash_children{false};

// What the child sent and how it ended.
struct ChildOutcome {
  std::string log;          // streamed log lines
  std::string last_status;  // the last progress report, e.g. "tran: 45.3%"
  std::string version;      // sent by a run job beside its result
  std::optional<spice::Frame> reply;
  bool timed_out = false;
  int wait_status = 0;
};

// ---- child side -------------------------------------------------------------

void write_all_or_exit(int fd, std::string_view data) {
  const char* p = data.data();
  std::size_t left = data.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) _exit(1);  // the parent is gone: nobody wants the result
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

// Runs in the child and never returns.  _exit skips the parent's atexit handlers
// and stdio buffers, which belong to the parent.
[[noreturn]] void child_main(int fd, std::size_t memory_limit,
                             const ChildJob& job) {
  // The parent's handlers (a test framework's, a CLI's) must not run here: a
  // crash has to reach the parent as a signal, and nothing else may print.
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT, SIGPIPE, SIGTERM, SIGINT}) signal(sig, SIG_DFL);
  // The parent's unflushed stdio buffers were copied too, and ngspice flushes
  // stdout: send them nowhere, or the parent's output would appear twice.
  if (int null = open("/dev/null", O_WRONLY | O_CLOEXEC); null >= 0) {
    dup2(null, STDOUT_FILENO);
    dup2(null, STDERR_FILENO);
    close(null);
  }
  if (kChildAddressSpaceLimit && memory_limit > 0) {
    rlimit limit{memory_limit, memory_limit};
    setrlimit(RLIMIT_AS, &limit);
  }
  try {
    auto& session = spice::NgspiceSession::instance();
    session.set_cleanup_after_job(false);  // the process ends after this job
    // ngspice is started (its start-up writes a private folder); from here on
    // nothing this process runs may start a process or change a file.
    spice::enter_sandbox();
    session.set_log_listener([fd](const spice::LogLine& line) {
      const bool status = line.text.starts_with("status: ");
      write_all_or_exit(fd, spice::encode_frame(status ? FrameKind::kStatus : FrameKind::kLog,
                                                status ? line.text.substr(8) : line.text));
    });
    spice::Frame reply = job(session, [fd](FrameKind kind, std::string_view payload) {
      write_all_or_exit(fd, spice::encode_frame(kind, payload));
    });
    if (g_crash_children) raise(SIGSEGV);
    // Header, then the payload in place: a 256x256 result is ~4 MB.
    write_all_or_exit(fd, spice::encode_frame_header(reply.kind, reply.payload.size()));
    write_all_or_exit(fd, reply.payload);
  } catch (const SimulationError& e) {
    write_all_or_exit(fd, spice::encode_frame(FrameKind::kError, spice::encode_error(e.what(), e.detail())));
  } catch (const std::bad_alloc&) {
    write_all_or_exit(fd, spice::encode_frame(FrameKind::kError, spice::encode_error("out of memory", "")));
  } catch (const std::exception& e) {
    write_all_or_exit(fd, spice::encode_frame(FrameKind::kError, spice::encode_error(e.what(), "")));
  }
  // The parent reads to end of file; closing here lets it go on while the
  // kernel tears down this process's memory (~40 ms for a 256x256 job).
  close(fd);
  _exit(0);
}

// ---- parent side ------------------------------------------------------------

// Owns a child pid: kills and reaps it if the parent leaves early.
class ChildGuard {
 public:
  // Registered so that an interrupt (Ctrl-C) can kill the child at once.
  explicit ChildGuard(pid_t pid) : pid_(pid) { spice::register_child(pid); }
  ~ChildGuard() {
    if (pid_ <= 0) return;
    kill(pid_, SIGKILL);
    wait();
  }
  int wait() {
    int status = 0;
    while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
    }
    spice::unregister_child(pid_);
    pid_ = -1;
    return status;
  }
  pid_t pid() const { return pid_; }
  ChildGuard(const ChildGuard&) = delete;
  ChildGuard& operator=(const ChildGuard&) = delete;

 private:
  pid_t pid_;
};

void handle_frame(spice::Frame frame, ChildOutcome& out) {
  switch (frame.kind) {
    case FrameKind::kLog:
      out.log += frame.payload;
      out.log += '\n';
      break;
    case FrameKind::kStatus:
      out.last_status = std::move(frame.payload);
      break;
    case FrameKind::kVersion:
      out.version = std::move(frame.payload);
      break;
    default:
      out.reply = std::move(frame);
  }
}

// `before_reaping`, when given, sees the outcome once the child has closed its
// end and before it is reaped, so the parent can decode a large reply while
// the child's exit frees its memory.
ChildOutcome run_in_child(const SimLimits& limits, const ChildJob& job,
                          const std::function<void(ChildOutcome&)>& before_reaping = {}) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    throw SimulationError(fmt::format("isolated ngspice: pipe failed: {}", std::strerror(errno)));
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    throw SimulationError(fmt::format("isolated ngspice: fork failed: {}", std::strerror(errno)));
  }
  if (pid == 0) {
    close(fds[0]);
    child_main(fds[1], limits.memory_limit_bytes, job);
  }
  close(fds[1]);
  ChildGuard child(pid);
  ChildOutcome out;
  const bool limited = limits.time_limit_s > 0;
  const auto deadline = Clock::now() + std::chrono::duration_cast<Clock::duration>(
                                           std::chrono::duration<double>(limited ? limits.time_limit_s : 0));
  std::string buffer;
  char chunk[1 << 16];
  try {
    for (;;) {
      int timeout_ms = -1;
      if (limited) {
        auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now()).count();
        timeout_ms = static_cast<int>(std::max<long long>(0, left));
      }
      pollfd pfd{fds[0], POLLIN, 0};
      const int ready = poll(&pfd, 1, timeout_ms);
      if (ready < 0 && errno == EINTR) continue;
      if (ready < 0) throw SimulationError(fmt::format("isolated ngspice: poll failed: {}", std::strerror(errno)));
      if (ready == 0) {
        out.timed_out = true;
        kill(pid, SIGKILL);
        break;
      }
      const ssize_t n = read(fds[0], chunk, sizeof chunk);
      if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (n <= 0) break;  // EOF: the child finished or died
      buffer.append(chunk, static_cast<std::size_t>(n));
      while (auto frame = spice::take_frame(buffer)) handle_frame(std::move(*frame), out);
    }
  } catch (...) {
    close(fds[0]);
    throw;
  }
  close(fds[0]);
  if (before_reaping && !out.timed_out) before_reaping(out);
  out.wait_status = child.wait();
  return out;
}

std::string log_with_status(const ChildOutcome& out) {
  if (out.last_status.empty()) return out.log;
  return out.log + "last progress report: " + out.last_status + '\n';
}

// The reply of a finished child, or the SimulationError that describes its end.
spice::Frame reply_or_throw(ChildOutcome out, const SimLimits& limits) {
  if (out.timed_out)
    throw SimulationError(fmt::format("time limit of {} s exceeded", limits.time_limit_s), log_with_status(out));
  const std::string memory_note =
      limits.memory_limit_bytes > 0 ? fmt::format(" (memory limit {} bytes)", limits.memory_limit_bytes) : "";
  if (out.reply && out.reply->kind == FrameKind::kError) {
    auto [what, detail] = spice::decode_error(out.reply->payload);
    throw SimulationError(what + memory_note, detail.empty() ? out.log : detail);
  }
  if (WIFSIGNALED(out.wait_status) && WTERMSIG(out.wait_status) == spice::sandbox_violation_signal())
    throw SimulationError("the sandbox stopped ngspice: the job tried to start a process, run a program or "
                          "create, write or remove a file, which a simulation never needs (signal SIGSYS)",
                          log_with_status(out));
  if (WIFSIGNALED(out.wait_status)) {
    const int sig = WTERMSIG(out.wait_status);
    throw SimulationError(fmt::format("ngspice crashed (signal {}: {}){}", sig, strsignal(sig), memory_note),
                          log_with_status(out));
  }
  if (!out.reply || !WIFEXITED(out.wait_status) || WEXITSTATUS(out.wait_status) != 0)
    throw SimulationError(fmt::format("ngspice child exited with status {} without a result{}",
                                      WIFEXITED(out.wait_status) ? WEXITSTATUS(out.wait_status) : -1, memory_note),
                          log_with_status(out));
  return std::move(*out.reply);
}

class IsolatedSimulator final : public Simulator {
 public:
  explicit IsolatedSimulator(SimLimits limits) : limits_(limits) {}

  std::string version() override {
    if (version_.empty()) version_ = value_from_child([](auto& s) { return s.version(); });
    return version_;
  }

  bool has_klu() override {
    if (klu_.empty()) klu_ = value_from_child([](auto& s) { return std::string(s.has_klu() ? "1" : "0"); });
    return klu_ == "1";
  }

  SimResult run(const std::vector<std::string>& netlist, const std::string& command) override {
    // The netlist itself is checked by the child's session before ngspice
    // sees it (checking here too cost ~50 ms per 256x256 job); an unsafe one
    // costs a fork, nothing more.
    spice::check_command_is_analysis(command);
    const auto start = Clock::now();
    auto job = [&](spice::NgspiceSession& s, const SendFrame& send) {
      // Deliberately never freed: the child exits right after sending it, and
      // freeing ~130k vectors first would only delay the reply.
      const SimResult& r = *new SimResult(s.run(netlist, command));
      try {
        send(FrameKind::kVersion, s.version());  // so version() needs no child of its own
      } catch (const SimulationError&) {
        // version() will ask a child of its own, and report the failure there
      }
      return spice::Frame{FrameKind::kResult, spice::encode_result(r)};
    };
    std::optional<SimResult> decoded;
    auto decode = [&](ChildOutcome& out) {
      if (out.reply && out.reply->kind == FrameKind::kResult) decoded = spice::decode_result(out.reply->payload);
    };
    ChildOutcome out = run_in_child(limits_, job, decode);
    if (version_.empty() && !out.version.empty()) version_ = out.version;
    spice::Frame reply = reply_or_throw(std::move(out), limits_);
    if (reply.kind != FrameKind::kResult || !decoded)
      throw SimulationError("isolated ngspice: unexpected reply from the child");
    decoded->elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();  // fork and transfer included
    return std::move(*decoded);
  }

 private:
  std::string value_from_child(const std::function<std::string(spice::NgspiceSession&)>& ask) {
    spice::Frame reply = reply_or_throw(
        run_in_child(limits_,
                     [&](spice::NgspiceSession& s, const SendFrame&) { return spice::Frame{FrameKind::kValue, ask(s)}; }),
        limits_);
    if (reply.kind != FrameKind::kValue) throw SimulationError("isolated ngspice: unexpected reply from the child");
    return reply.payload;
  }

  SimLimits limits_;
  std::string version_;
  std::string klu_;
};

}  // namespace

std::unique_ptr<Simulator> make_isolated_simulator(SimLimits limits) {
  return std::make_unique<IsolatedSimulator>(limits);
}

namespace spice::testing {
void set_isolated_child_crash(bool crash) { g_crash_children = crash; }
}  // namespace spice::testing

}  // namespace xbar
