#include "common/child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <utility>

#include <fmt/format.h>

#include "common/child_registry.hpp"

namespace xbar::proc {

using Clock = std::chrono::steady_clock;

SpawnError::SpawnError(std::string call, std::string reason)
    : std::runtime_error(call + ": " + reason), call_(std::move(call)), reason_(std::move(reason)) {}

// ---- Child ------------------------------------------------------------------

Child Child::spawn(const ChildOptions& options, const std::function<void(int fd)>& body) {
  int fds[2];
  const bool made =
      options.two_way ? ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) == 0 : ::pipe2(fds, O_CLOEXEC) == 0;
  if (!made) throw SpawnError(options.two_way ? "socketpair" : "pipe", std::strerror(errno));
  std::fflush(nullptr);  // the child gets a copy of every stdio buffer
  const pid_t pid = ::fork();
  if (pid < 0) {
    const int error = errno;
    ::close(fds[0]);
    ::close(fds[1]);
    throw SpawnError("fork", std::strerror(error));
  }
  if (pid == 0) {
    ::close(fds[0]);
    if (options.own_group) ::setpgid(0, 0);
    body(fds[1]);
    ::_exit(0);
  }
  ::close(fds[1]);
  if (options.own_group) ::setpgid(pid, pid);  // also here: whichever runs first
  if (options.nonblocking) ::fcntl(fds[0], F_SETFL, ::fcntl(fds[0], F_GETFL) | O_NONBLOCK);
  if (options.interruptible) register_child(pid);
  return Child(pid, fds[0], options);
}

Child::Child(Child&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)), fd_(std::exchange(other.fd_, -1)), options_(other.options_) {}

Child& Child::operator=(Child&& other) noexcept {
  if (this != &other) {
    end();
    pid_ = std::exchange(other.pid_, -1);
    fd_ = std::exchange(other.fd_, -1);
    options_ = other.options_;
  }
  return *this;
}

Child::~Child() { end(); }

void Child::end() {
  close_channel();
  if (pid_ <= 0) return;
  kill(SIGKILL);
  reap();
}

void Child::kill(int sig) const {
  if (pid_ > 0) ::kill(options_.own_group ? -pid_ : pid_, sig);
}

void Child::close_channel() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

int Child::reap() {
  int status = 0;
  if (pid_ <= 0) return status;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  if (options_.interruptible) unregister_child(pid_);
  pid_ = -1;
  return status;
}

int Child::retire(std::chrono::milliseconds grace) {
  close_channel();  // tells a child that reads the channel to leave
  if (pid_ <= 0) return 0;
  int status = 0;
  const auto until = Clock::now() + grace;
  while (::waitpid(pid_, &status, WNOHANG) == 0) {
    if (Clock::now() >= until) {
      kill(SIGKILL);
      return reap();
    }
    ::usleep(1000);
  }
  if (options_.interruptible) unregister_child(pid_);
  pid_ = -1;
  return status;
}

// ---- the channel ------------------------------------------------------------

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0 && errno == ENOTSOCK) n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      pollfd p{fd, POLLOUT, 0};
      ::poll(&p, 1, 1000);
      continue;
    }
    if (n == 0) errno = EPIPE;
    if (n <= 0) return false;
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

ReadStatus read_some(int fd, std::string& into) {
  char chunk[1 << 16];
  for (;;) {
    const ssize_t n = ::read(fd, chunk, sizeof chunk);
    if (n > 0) {
      into.append(chunk, static_cast<std::size_t>(n));
      return ReadStatus::kData;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return ReadStatus::kNothing;
    return ReadStatus::kEnd;
  }
}

std::string encode_frame_header(std::uint8_t kind, std::uint64_t payload_size) {
  std::string out(1, static_cast<char>(kind));
  out.append(reinterpret_cast<const char*>(&payload_size), sizeof payload_size);
  return out;
}

std::string encode_frame(std::uint8_t kind, std::string_view payload) {
  std::string out = encode_frame_header(kind, payload.size());
  out.append(payload);
  return out;
}

std::optional<RawFrame> take_frame(std::string& buffer,
                                   const std::function<bool(std::uint8_t kind, std::uint64_t size)>& valid) {
  if (buffer.size() < kFrameHeaderSize) return std::nullopt;
  const auto kind = static_cast<std::uint8_t>(buffer[0]);
  std::uint64_t n;
  std::memcpy(&n, buffer.data() + 1, sizeof n);
  if (!valid(kind, n)) throw FrameError(fmt::format("malformed frame header (kind {}, {} bytes)", kind, n));
  if (buffer.size() - kFrameHeaderSize < n) return std::nullopt;
  RawFrame frame{kind, buffer.substr(kFrameHeaderSize, n)};
  buffer.erase(0, kFrameHeaderSize + n);
  return frame;
}

// ---- deadlines --------------------------------------------------------------

Deadline::Deadline(double seconds) {
  if (seconds > 0)
    at_ = Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

bool Deadline::passed() const { return at_ && Clock::now() >= *at_; }

int Deadline::poll_timeout_ms(int cap_ms) const {
  if (!at_) return cap_ms;
  const long long left = std::chrono::ceil<std::chrono::milliseconds>(*at_ - Clock::now()).count();
  const long long bounded = std::max<long long>(0, left);
  return static_cast<int>(cap_ms < 0 ? bounded : std::min<long long>(bounded, cap_ms));
}

// ---- in the child -----------------------------------------------------------

void restore_crash_signals() {
  for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) ::signal(sig, SIG_DFL);
}

void send_to_null(std::initializer_list<int> fds) {
  const int null = ::open("/dev/null", O_RDWR | O_CLOEXEC);
  if (null < 0) return;
  for (int fd : fds) ::dup2(null, fd);
  if (std::find(fds.begin(), fds.end(), null) == fds.end()) ::close(null);
}

void limit_address_space(std::size_t bytes) {
  if (bytes == 0) return;
  rlimit limit{bytes, bytes};
  ::setrlimit(RLIMIT_AS, &limit);
}

// ---- how a child ended ------------------------------------------------------

std::optional<int> ending_signal(int wait_status) {
  if (WIFSIGNALED(wait_status)) return WTERMSIG(wait_status);
  return std::nullopt;
}

std::optional<int> exit_code(int wait_status) {
  if (WIFEXITED(wait_status)) return WEXITSTATUS(wait_status);
  return std::nullopt;
}

std::string signal_description(int sig) {
  const char* text = ::sigdescr_np(sig);
  return text ? text : fmt::format("Unknown signal {}", sig);
}

std::size_t resident_bytes(pid_t pid) {
  std::ifstream in(fmt::format("/proc/{}/statm", pid));
  std::size_t size = 0, resident = 0;
  if (!(in >> size >> resident)) return 0;
  return resident * static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
}

}  // namespace xbar::proc
