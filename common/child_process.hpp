#pragma once
// Forked child processes: the one place that forks, frames messages on the
// channel between parent and child, keeps deadlines, limits a child's
// resources, kills and reaps, and says how a child ended.  Used by the
// isolated simulator (one child per job), the sweep's worker pool (long-lived
// workers) and the regression runner (one child per case); each keeps its own
// wording of what went wrong.
#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace xbar::proc {

// A pipe, socketpair or fork call failed; what() is "CALL: REASON".
class SpawnError : public std::runtime_error {
 public:
  SpawnError(std::string call, std::string reason);
  const std::string& call() const { return call_; }
  const std::string& reason() const { return reason_; }

 private:
  std::string call_, reason_;
};

struct ChildOptions {
  bool two_way = false;        // a socket pair, both sides send; otherwise a pipe from child to parent
  bool nonblocking = false;    // the parent's end does not block on read or write
  bool own_group = false;      // the child leads a process group, so kill() reaches what it started
  bool interruptible = false;  // listed in child_registry.hpp while it runs, for an interrupt handler
};

// One forked child and the parent's end of its channel.  Destroying a Child
// whose process has not been reaped kills (SIGKILL) and reaps it.
class Child {
 public:
  // Flushes this process's stdio (nothing buffered may be printed twice),
  // forks, and runs `body` in the child with its end of the channel; the child
  // then leaves with _exit(0), which skips the parent's atexit handlers.
  // Throws SpawnError.
  static Child spawn(const ChildOptions& options, const std::function<void(int fd)>& body);

  Child() = default;  // no process
  Child(Child&& other) noexcept;
  Child& operator=(Child&& other) noexcept;
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;
  ~Child();

  pid_t pid() const { return pid_; }
  int fd() const { return fd_; }
  bool running() const { return pid_ > 0; }  // not reaped yet

  void kill(int sig) const;  // the child, or its whole group with own_group
  void close_channel();
  // Waits for the child to end (EINTR retried) and returns its wait status.
  int reap();
  // Closes the channel, gives the child `grace` to leave on its own, then
  // kills it; reaps it either way and returns its wait status.
  int retire(std::chrono::milliseconds grace);

 private:
  Child(pid_t pid, int fd, const ChildOptions& options) : pid_(pid), fd_(fd), options_(options) {}
  void end();  // closes the channel; kills and reaps a child not reaped yet
  pid_t pid_ = -1;
  int fd_ = -1;
  ChildOptions options_;
};

// ---- the channel ------------------------------------------------------------

// Writes all of `data` to a pipe, socket or file (EINTR retried, a full
// non-blocking socket waited on); false when that fails, with errno saying
// why (EPIPE: the other end is gone).  Never raises SIGPIPE on a socket.
bool write_all(int fd, std::string_view data);

enum class ReadStatus { kData, kNothing, kEnd };
// One read appended to `into`: kData, kNothing (a non-blocking end with
// nothing to read now), or kEnd (end of file, or an error).
ReadStatus read_some(int fd, std::string& into);

// Frames: [u8 kind][u64 length][payload], in this machine's byte order.
constexpr std::size_t kFrameHeaderSize = 1 + sizeof(std::uint64_t);
std::string encode_frame_header(std::uint8_t kind, std::uint64_t payload_size);
std::string encode_frame(std::uint8_t kind, std::string_view payload);

struct RawFrame {
  std::uint8_t kind;
  std::string payload;
};
// A frame header that `take_frame`'s check refused.
class FrameError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};
// Takes one whole frame off the front of `buffer`; nullopt while it is
// incomplete.  `valid` judges each header as soon as it has arrived
// (FrameError when it says no), so a corrupt length is not waited for.
std::optional<RawFrame> take_frame(std::string& buffer,
                                   const std::function<bool(std::uint8_t kind, std::uint64_t size)>& valid);

// ---- deadlines --------------------------------------------------------------

class Deadline {
 public:
  Deadline() = default;               // none
  explicit Deadline(double seconds);  // seconds <= 0: none
  bool set() const { return at_.has_value(); }
  bool passed() const;
  // The poll(2) timeout until the deadline, at most `cap_ms` (-1: no cap);
  // -1 (wait without end) when neither applies.
  int poll_timeout_ms(int cap_ms = -1) const;

 private:
  std::optional<std::chrono::steady_clock::time_point> at_;
};

// ---- in the child -----------------------------------------------------------

// Crash signals (SEGV, BUS, FPE, ILL, ABRT) back to their default action: a
// crash must end the child and reach the parent as a signal, not run handlers
// the parent installed (a test framework's, a CLI's).
void restore_crash_signals();
// Points each of `fds` at /dev/null.
void send_to_null(std::initializer_list<int> fds);
// RLIMIT_AS of this process (0: leave it).
void limit_address_space(std::size_t bytes);

// ---- how a child ended ------------------------------------------------------

// The signal that ended a child, from its wait status.
std::optional<int> ending_signal(int wait_status);
// Its exit code, when it exited.
std::optional<int> exit_code(int wait_status);
// The system's description of a signal ("Segmentation fault").
std::string signal_description(int sig);

// Resident memory of a process in bytes (0 if unknown).
std::size_t resident_bytes(pid_t pid);

}  // namespace xbar::proc
