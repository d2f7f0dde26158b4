#include "regression/case_pool.hpp"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "common/child_process.hpp"
#include "regression/outcome_codec.hpp"

namespace xbar::regression {
namespace {

using Clock = std::chrono::steady_clock;

struct Running {
  std::size_t index = 0;
  proc::Child process;
  std::string received;
  Clock::time_point started;
  proc::Deadline deadline;
};

[[noreturn]] void child_main(const CaseDef& c, const CaseFunction& run, int fd) {
  proc::restore_crash_signals();
  std::string text;
  try {
    text = encode_outcome(run(c));
  } catch (const std::exception& e) {
    CaseOutcome o;
    o.name = c.name;
    o.status = CaseStatus::kInternal;
    o.message = e.what();
    text = encode_outcome(o);
  } catch (...) {
    CaseOutcome o;
    o.name = c.name;
    o.status = CaseStatus::kInternal;
    o.message = "unknown exception";
    text = encode_outcome(o);
  }
  proc::write_all(fd, text);
  ::close(fd);
  ::_exit(0);  // no atexit handlers, no flushing of stdio buffers copied from the parent
}

// In its own process group, so a time-out can kill the case with any process it started.
Running start(const CaseDef& c, std::size_t index, double time_limit_s, const CaseFunction& run) {
  Running r;
  r.index = index;
  r.process = proc::Child::spawn({.own_group = true}, [&](int fd) { child_main(c, run, fd); });
  r.started = Clock::now();
  r.deadline = proc::Deadline(time_limit_s);
  return r;
}

std::string describe_exit(int status) {
  if (const auto signal = proc::ending_signal(status))
    return fmt::format("the case's process died (signal {}: {})", *signal, proc::signal_description(*signal));
  if (const auto code = proc::exit_code(status))
    return fmt::format("the case's process exited with code {} without a result", *code);
  return "the case's process ended without a result";
}

CaseOutcome finish(Running& r, const CaseDef& c, std::optional<std::string> forced_reason) {
  r.process.close_channel();
  const int status = r.process.reap();
  const double elapsed = std::chrono::duration<double>(Clock::now() - r.started).count();
  CaseOutcome o;
  if (!forced_reason) {
    try {
      if (proc::exit_code(status) == 0 && !r.received.empty()) return decode_outcome(r.received);
      forced_reason = describe_exit(status);
    } catch (const std::exception& e) {
      forced_reason = e.what();
    }
  }
  o.name = c.name;
  o.status = CaseStatus::kCrashed;
  o.message = *forced_reason;
  o.elapsed_s = elapsed;
  return o;
}

}  // namespace

std::vector<CaseOutcome> run_cases(const std::vector<CaseDef>& cases, int jobs, double time_limit_s,
                                   const CaseFunction& run, const std::function<void(const CaseOutcome&)>& on_done) {
  std::vector<CaseOutcome> outcomes(cases.size());
  std::vector<Running> running;
  std::size_t next = 0;
  jobs = std::max(jobs, 1);
  auto done = [&](std::size_t k, CaseOutcome o) {
    o.name = cases[running[k].index].name;
    if (on_done) on_done(o);
    outcomes[running[k].index] = std::move(o);
    running.erase(running.begin() + static_cast<std::ptrdiff_t>(k));
  };
  while (next < cases.size() || !running.empty()) {
    while (next < cases.size() && static_cast<int>(running.size()) < jobs) {
      running.push_back(start(cases[next], next, time_limit_s, run));
      ++next;
    }
    int timeout_ms = 1000;
    for (const Running& r : running) timeout_ms = r.deadline.poll_timeout_ms(timeout_ms);
    std::vector<pollfd> fds;
    for (const Running& r : running) fds.push_back({r.process.fd(), POLLIN, 0});
    const int n = ::poll(fds.data(), fds.size(), timeout_ms);
    if (n < 0 && errno != EINTR) throw std::runtime_error(fmt::format("poll: {}", std::strerror(errno)));
    // Walk backwards so finishing one does not shift the ones not yet seen.
    for (std::size_t k = running.size(); k-- > 0;) {
      Running& r = running[k];
      if (n > 0 && (fds[k].revents & (POLLIN | POLLHUP | POLLERR))) {
        if (proc::read_some(r.process.fd(), r.received) == proc::ReadStatus::kData) continue;
        done(k, finish(r, cases[r.index], std::nullopt));
        continue;
      }
      if (r.deadline.passed()) {
        r.process.kill(SIGKILL);
        done(k, finish(r, cases[r.index], fmt::format("time limit of {} s exceeded: killed", time_limit_s)));
      }
    }
  }
  return outcomes;
}

}  // namespace xbar::regression
