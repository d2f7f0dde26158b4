#include "common/atomic_file.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <iostream>
#include <random>
#include <streambuf>

#include <fmt/format.h>

namespace xbar {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kTempMark = ".tmp";

[[noreturn]] void io_failure(const std::string& what, const fs::path& path, int err) {
  throw fs::filesystem_error(what, path, std::error_code(err, std::generic_category()));
}

// A stream buffer over a file descriptor that keeps the errno of the first
// failed write, so the caller can say "No space left on device" instead of the
// iostream library's "basic_ios::clear".
class FdBuffer : public std::streambuf {
 public:
  explicit FdBuffer(int fd) : fd_(fd) { setp(buffer_, buffer_ + sizeof buffer_); }
  int error() const { return error_; }

 protected:
  int_type overflow(int_type ch) override {
    if (!drain()) return traits_type::eof();
    if (!traits_type::eq_int_type(ch, traits_type::eof())) {
      *pptr() = traits_type::to_char_type(ch);
      pbump(1);
    }
    return traits_type::not_eof(ch);
  }
  int sync() override { return drain() ? 0 : -1; }

 private:
  bool drain() {
    const char* p = pbase();
    while (p < pptr() && error_ == 0) {
      const ssize_t n = ::write(fd_, p, static_cast<std::size_t>(pptr() - p));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0)
        error_ = errno;
      else
        p += n;
    }
    setp(buffer_, buffer_ + sizeof buffer_);
    return error_ == 0;
  }
  int fd_;
  int error_ = 0;
  char buffer_[1 << 16];
};

// Runs `write` on a stream to `fd`; returns the errno of a failed write, or 0.
int stream_to_fd(int fd, const std::function<void(std::ostream&)>& write) {
  FdBuffer buffer(fd);
  std::ostream out(&buffer);
  write(out);
  out.flush();
  if (buffer.error() != 0) return buffer.error();
  return out ? 0 : EIO;
}

}  // namespace

std::string not_replaceable_reason(const fs::path& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return {};  // a new name
  if (S_ISREG(st.st_mode)) return {};
  if (S_ISLNK(st.st_mode)) return "is a symbolic link";
  if (S_ISDIR(st.st_mode)) return "is a folder";
  if (S_ISFIFO(st.st_mode)) return "is a FIFO";
  if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) return "is a device";
  if (S_ISSOCK(st.st_mode)) return "is a socket";
  return "is not a regular file";
}

bool is_temporary_of(std::string_view entry, std::string_view target) {
  // "." + target + ".tmp" + 8 hex digits
  return entry.size() == 1 + target.size() + kTempMark.size() + 8 && entry.front() == '.' &&
         entry.substr(1, target.size()) == target && entry.substr(1 + target.size(), kTempMark.size()) == kTempMark;
}

void remove_stale_temporaries(const fs::path& dir, std::string_view name) {
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    if (is_temporary_of(it->path().filename().string(), name) && it->is_regular_file(ec) && !it->is_symlink(ec)) {
      std::error_code ignored;
      fs::remove(it->path(), ignored);
    }
  }
}

void write_file_atomically(const fs::path& path, const std::function<void(std::ostream&)>& write) {
  if (const std::string why = not_replaceable_reason(path); !why.empty())
    io_failure(fmt::format("the output {}, not a regular file; it was left as it is", why), path, EEXIST);
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  remove_stale_temporaries(dir, path.filename().string());
  std::random_device rd;
  fs::path tmp;
  int fd = -1;
  for (int attempt = 0; fd < 0; ++attempt) {
    tmp = dir / fmt::format(".{}{}{:08x}", path.filename().string(), kTempMark, rd());
    fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0666);
    if (fd < 0 && (errno != EEXIST || attempt > 16)) io_failure("cannot create a file beside", path, errno);
  }
  try {
    int err = stream_to_fd(fd, write);
    // Make the content durable before the rename makes it visible.
    if (err == 0 && ::fsync(fd) != 0 && errno != EINVAL) err = errno;
    if (::close(fd) != 0 && err == 0) err = errno;
    fd = -1;
    if (err != 0) io_failure("cannot write", path, err);
    if (::rename(tmp.c_str(), path.c_str()) != 0) io_failure("cannot replace", path, errno);
  } catch (...) {
    if (fd >= 0) ::close(fd);
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
}

void write_file_atomically(const fs::path& path, std::string_view content) {
  write_file_atomically(
      path, [&](std::ostream& out) { out.write(content.data(), static_cast<std::streamsize>(content.size())); });
}

void write_stdout(const std::function<void(std::ostream&)>& write) {
  flush_stdout();  // what was queued before goes first
  if (const int err = stream_to_fd(STDOUT_FILENO, write); err != 0) io_failure("cannot write", "standard output", err);
}

void flush_stdout() {
  errno = 0;
  std::cout.flush();  // synced with stdio: this may be the write that fails
  const bool failed = std::fflush(stdout) != 0 || std::ferror(stdout) || !std::cout;
  if (failed) io_failure("cannot write", "standard output", errno != 0 ? errno : EIO);
}

}  // namespace xbar
