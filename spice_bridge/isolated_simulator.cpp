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
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <new>
#include <optional>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

#include "common/child_process.hpp"
#include "spice_bridge/child_protocol.hpp"
#include "spice_bridge/netlist_guard.hpp"
#include "spice_bridge/ngspice_session.hpp"
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
  // How it ended; none while a child whose whole result arrived is still
  // exiting (the caller reaps it later).
  std::optional<int> wait_status;
};

// ---- child side -------------------------------------------------------------

void write_all_or_exit(int fd, std::string_view data) {
  if (!proc::write_all(fd, data)) _exit(1);  // the parent is gone: nobody wants the result
}

// Runs in the child and never returns.  _exit skips the parent's atexit handlers
// and stdio buffers, which belong to the parent.
[[noreturn]] void child_main(int fd, std::size_t memory_limit, const ChildJob& job) {
  // The parent's handlers (a test framework's, a CLI's) must not run here: a
  // crash has to reach the parent as a signal, and nothing else may print.
  proc::restore_crash_signals();
  for (int sig : {SIGPIPE, SIGTERM, SIGINT}) signal(sig, SIG_DFL);
  // ngspice prints to stdout and stderr: nothing of it may mix with the
  // parent's output.
  proc::send_to_null({STDOUT_FILENO, STDERR_FILENO});
  if (kChildAddressSpaceLimit) proc::limit_address_space(memory_limit);
  try {
    auto& session = spice::NgspiceSession::instance();
    session.set_cleanup_after_job(false);  // the process ends after this job
    // ngspice is started (its start-up writes a private folder); from here on
    // nothing this process runs may start a process or change a file.
    spice::enter_sandbox();
    session.set_log_listener([fd](const spice::LogLine& line) {
      if (line.text.starts_with("status: "))
        write_all_or_exit(fd, spice::encode_frame(FrameKind::kStatus, spice::encode_status(spice::parse_ngspice_status(
                                                                          std::string_view(line.text).substr(8)))));
      else
        write_all_or_exit(fd, spice::encode_frame(FrameKind::kLog, line.text));
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

void handle_frame(spice::Frame frame, ChildOutcome& out, const StatusListener& on_status) {
  switch (frame.kind) {
    case FrameKind::kLog:
      out.log += frame.payload;
      out.log += '\n';
      break;
    case FrameKind::kStatus: {
      const SimStatus s = spice::decode_status(frame.payload);
      out.last_status = std::isnan(s.percent) ? s.analysis : fmt::format("{}: {:.1f}%", s.analysis, s.percent);
      if (on_status) on_status(s);
      break;
    }
    case FrameKind::kVersion: out.version = std::move(frame.payload); break;
    default: out.reply = std::move(frame);
  }
}

// `before_reaping`, when given, sees the outcome once the child has closed its
// end and before it is reaped, so the parent can decode a large reply while
// the child's exit frees its memory.  `exiting`, when given, takes a child
// whose whole result arrived instead of waiting for its exit here: all it has
// left to do is leave (_exit right after its last write), and leaving unmaps
// its memory, ~30 ms for a 256x256 job, which the parent need not wait for.
ChildOutcome run_in_child(const SimLimits& limits, const ChildJob& job,
                          const std::function<void(ChildOutcome&)>& before_reaping = {},
                          const StatusListener& on_status = {}, std::optional<proc::Child>* exiting = nullptr) {
  std::optional<proc::Child> spawned;
  try {
    // Interruptible: an interrupt (Ctrl-C) kills the child at once.
    spawned =
        proc::Child::spawn({.interruptible = true}, [&](int fd) { child_main(fd, limits.memory_limit_bytes, job); });
  } catch (const proc::SpawnError& e) {
    throw SimulationError(fmt::format("isolated ngspice: {} failed: {}", e.call(), e.reason()));
  }
  proc::Child& child = *spawned;
  ChildOutcome out;
  const proc::Deadline deadline(limits.time_limit_s);
  std::string buffer;
  for (;;) {
    pollfd pfd{child.fd(), POLLIN, 0};
    const int ready = poll(&pfd, 1, deadline.poll_timeout_ms());
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) throw SimulationError(fmt::format("isolated ngspice: poll failed: {}", std::strerror(errno)));
    if (ready == 0) {
      out.timed_out = true;
      child.kill(SIGKILL);
      break;
    }
    const proc::ReadStatus got = proc::read_some(child.fd(), buffer);
    if (got == proc::ReadStatus::kNothing) continue;
    if (got == proc::ReadStatus::kEnd) break;  // the child finished or died
    while (auto frame = spice::take_frame(buffer)) handle_frame(std::move(*frame), out, on_status);
  }
  child.close_channel();
  if (before_reaping && !out.timed_out) before_reaping(out);
  if (exiting && !out.timed_out && out.reply && out.reply->kind == FrameKind::kResult) {
    *exiting = std::move(child);
    return out;
  }
  out.wait_status = child.reap();
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
  if (!out.wait_status) {  // a whole result, its child still exiting
    if (!out.reply) throw std::logic_error("isolated ngspice: a child left to exit without a result");
    return std::move(*out.reply);
  }
  const std::optional<int> signal = proc::ending_signal(*out.wait_status);
  if (signal == spice::sandbox_violation_signal())
    throw SimulationError(
        "the sandbox stopped ngspice: the job tried to start a process, run a program or "
        "create, write or remove a file, which a simulation never needs (signal SIGSYS)",
        log_with_status(out));
  if (signal)
    throw SimulationError(
        fmt::format("ngspice crashed (signal {}: {}){}", *signal, proc::signal_description(*signal), memory_note),
        log_with_status(out));
  const std::optional<int> code = proc::exit_code(*out.wait_status);
  if (!out.reply || code != 0)
    throw SimulationError(
        fmt::format("ngspice child exited with status {} without a result{}", code.value_or(-1), memory_note),
        log_with_status(out));
  return std::move(*out.reply);
}

class IsolatedSimulator final : public Simulator {
 public:
  IsolatedSimulator(SimLimits limits, StatusListener on_status) : limits_(limits), on_status_(std::move(on_status)) {}
  ~IsolatedSimulator() override { reap_exiting(); }
  IsolatedSimulator(const IsolatedSimulator&) = delete;
  IsolatedSimulator& operator=(const IsolatedSimulator&) = delete;

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
    reap_exiting();
    const auto start = Clock::now();
    auto job = [&](spice::NgspiceSession& s, const SendFrame& send) {
      const SimResult r = s.run(netlist, command);
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
    ChildOutcome out = run_in_child(limits_, job, decode, on_status_, &exiting_);
    if (version_.empty() && !out.version.empty()) version_ = out.version;
    // The log of a run that asked for KLU and got it answers has_klu()
    // without a probe child (its absence proves nothing: a run may not ask).
    if (klu_.empty() && ("\n" + out.log).find("\nUsing KLU as Direct Linear Solver") != std::string::npos) klu_ = "1";
    spice::Frame reply = reply_or_throw(std::move(out), limits_);
    if (reply.kind != FrameKind::kResult || !decoded)
      throw SimulationError("isolated ngspice: unexpected reply from the child");
    decoded->elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();  // fork and transfer included
    return std::move(*decoded);
  }

 private:
  // The child of the last run, still exiting after its whole result arrived.
  void reap_exiting() {
    if (exiting_) exiting_->reap();
    exiting_.reset();
  }

  std::string value_from_child(const std::function<std::string(spice::NgspiceSession&)>& ask) {
    reap_exiting();
    spice::Frame reply = reply_or_throw(run_in_child(limits_,
                                                     [&](spice::NgspiceSession& s, const SendFrame&) {
                                                       return spice::Frame{FrameKind::kValue, ask(s)};
                                                     }),
                                        limits_);
    if (reply.kind != FrameKind::kValue) throw SimulationError("isolated ngspice: unexpected reply from the child");
    return reply.payload;
  }

  SimLimits limits_;
  StatusListener on_status_;
  std::string version_;
  std::string klu_;
  std::optional<proc::Child> exiting_;
};

}  // namespace

std::unique_ptr<Simulator> make_isolated_simulator(SimLimits limits, StatusListener on_status) {
  return std::make_unique<IsolatedSimulator>(limits, std::move(on_status));
}

namespace spice::testing {
void set_isolated_child_crash(bool crash) { g_crash_children = crash; }
}  // namespace spice::testing

}  // namespace xbar
