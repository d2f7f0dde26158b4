#include "regression/case_pool.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <stdexcept>

#include <fmt/format.h>

#include "regression/outcome_codec.hpp"

namespace xbar::regression {
namespace {

using Clock = std::chrono::steady_clock;

struct Running {
  std::size_t index = 0;
  pid_t pid = -1;
  int fd = -1;
  std::string received;
  Clock::time_point started, deadline;
  bool has_deadline = false;
};

void write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    done += static_cast<std::size_t>(n);
  }
}

[[noreturn]] void child_main(const CaseDef& c, const CaseFunction& run, int fd) {
  ::setpgid(0, 0);  // so a time-out can kill the case with any process it started
  // A crash must end this process and be seen by the parent, not be caught by
  // handlers the parent installed (a test framework's, say).
  for (int sig : {SIGSEGV, SIGABRT, SIGBUS, SIGFPE, SIGILL}) ::signal(sig, SIG_DFL);
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
  write_all(fd, text);
  ::close(fd);
  ::_exit(0);  // no atexit handlers, no flushing of stdio buffers copied from the parent
}

Running start(const CaseDef& c, std::size_t index, double time_limit_s, const CaseFunction& run) {
  int p[2];
  if (::pipe2(p, O_CLOEXEC) != 0) throw std::runtime_error(fmt::format("pipe: {}", std::strerror(errno)));
  std::fflush(nullptr);  // nothing buffered may be printed twice
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(p[0]);
    ::close(p[1]);
    throw std::runtime_error(fmt::format("fork: {}", std::strerror(errno)));
  }
  if (pid == 0) {
    ::close(p[0]);
    child_main(c, run, p[1]);
  }
  ::close(p[1]);
  ::setpgid(pid, pid);  // also here: whichever runs first
  Running r;
  r.index = index;
  r.pid = pid;
  r.fd = p[0];
  r.started = Clock::now();
  if (time_limit_s > 0) {
    r.has_deadline = true;
    r.deadline = r.started + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(time_limit_s));
  }
  return r;
}

std::string describe_exit(int status) {
  if (WIFSIGNALED(status))
    return fmt::format("the case's process died (signal {}: {})", WTERMSIG(status), ::strsignal(WTERMSIG(status)));
  if (WIFEXITED(status)) return fmt::format("the case's process exited with code {} without a result", WEXITSTATUS(status));
  return "the case's process ended without a result";
}

CaseOutcome finish(Running& r, const CaseDef& c, std::optional<std::string> forced_reason) {
  ::close(r.fd);
  int status = 0;
  while (::waitpid(r.pid, &status, 0) < 0 && errno == EINTR) {
  }
  const double elapsed = std::chrono::duration<double>(Clock::now() - r.started).count();
  CaseOutcome o;
  if (!forced_reason) {
    try {
      if (WIFEXITED(status) && WEXITSTATUS(status) == 0 && !r.received.empty()) return decode_outcome(r.received);
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
    const auto now = Clock::now();
    for (const Running& r : running)
      if (r.has_deadline) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(r.deadline - now).count();
        timeout_ms = static_cast<int>(std::clamp<long long>(left, 0, timeout_ms));
      }
    std::vector<pollfd> fds;
    for (const Running& r : running) fds.push_back({r.fd, POLLIN, 0});
    const int n = ::poll(fds.data(), fds.size(), timeout_ms);
    if (n < 0 && errno != EINTR) throw std::runtime_error(fmt::format("poll: {}", std::strerror(errno)));
    // Walk backwards so finishing one does not shift the ones not yet seen.
    for (std::size_t k = running.size(); k-- > 0;) {
      Running& r = running[k];
      if (n > 0 && (fds[k].revents & (POLLIN | POLLHUP | POLLERR))) {
        char buf[65536];
        const ssize_t got = ::read(r.fd, buf, sizeof buf);
        if (got > 0) {
          r.received.append(buf, static_cast<std::size_t>(got));
          continue;
        }
        if (got < 0 && errno == EINTR) continue;
        done(k, finish(r, cases[r.index], std::nullopt));
        continue;
      }
      if (r.has_deadline && Clock::now() >= r.deadline) {
        ::kill(-r.pid, SIGKILL);
        done(k, finish(r, cases[r.index], fmt::format("time limit of {} s exceeded: killed", time_limit_s)));
      }
    }
  }
  return outcomes;
}

}  // namespace xbar::regression
