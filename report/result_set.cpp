#include "report/result_set.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <stdexcept>

#include "common/atomic_file.hpp"

namespace xbar {

namespace fs = std::filesystem;

namespace {

constexpr std::string_view kSummary = "summary.json";
constexpr std::string_view kStagingPrefix = ".xbar-staging-";

// summary.json first: commit() removes it first and renames it in last.
constexpr std::array<std::string_view, 11> kResultFiles = {
    kSummary,        "columns.csv", "cells.csv",     "resolved.yaml", "netlist.cir", "read.json",
    "waveforms.csv", "writes.csv",  "waveforms.raw", "ngspice.log",   "error.txt",
};

[[noreturn]] void io_failure(const std::string& what, const fs::path& path, int err) {
  throw fs::filesystem_error(what, path, std::error_code(err, std::generic_category()));
}

bool declared(std::string_view name) {
  return std::find(kResultFiles.begin(), kResultFiles.end(), name) != kResultFiles.end();
}

void sync_folder(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

std::span<const std::string_view> result_file_names() { return kResultFiles; }

ResultSetWriter::ResultSetWriter(const fs::path& dir) : dir_(dir) {
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw fs::filesystem_error("cannot create the output folder", dir_, ec);
  lock_fd_ = ::open(dir_.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (lock_fd_ < 0) io_failure("cannot open the output folder", dir_, errno);
  if (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    ::close(lock_fd_);
    io_failure(err == EWOULDBLOCK ? "another xbar is writing into the output folder" : "cannot lock the output folder",
               dir_, err);
  }
  for (std::string_view name : kResultFiles)
    if (const std::string why = not_replaceable_reason(dir_ / name); !why.empty()) {
      ::close(lock_fd_);
      io_failure(fmt::format("the result file {}; it was left as it is", why), dir_ / name, EEXIST);
    }
  // Leftovers of runs killed before their commit (we hold the lock, so no
  // writer is using them).
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string entry = it->path().filename().string();
    const bool staging = entry.starts_with(kStagingPrefix) && it->is_directory(ec);
    const bool temporary = std::any_of(kResultFiles.begin(), kResultFiles.end(),
                                       [&](std::string_view name) { return is_temporary_of(entry, name); });
    if ((staging || temporary) && !it->is_symlink(ec)) {
      std::error_code ignored;
      fs::remove_all(it->path(), ignored);
    }
  }
  std::string staging = (dir_ / fmt::format("{}XXXXXX", kStagingPrefix)).string();
  if (::mkdtemp(staging.data()) == nullptr) {
    const int err = errno;
    ::close(lock_fd_);
    io_failure("cannot create a staging folder in", dir_, err);
  }
  staging_ = staging;
}

ResultSetWriter::~ResultSetWriter() {
  if (!committed_) {
    std::error_code ec;
    fs::remove_all(staging_, ec);
  }
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

void ResultSetWriter::write(std::string_view name, const std::function<void(std::ostream&)>& write) {
  if (!declared(name)) throw std::logic_error(fmt::format("'{}' is not a declared result file", name));
  try {
    write_file_atomically(staging_ / name, write);
  } catch (const fs::filesystem_error& e) {
    // Name the file as the user knows it, not its staging path.
    throw fs::filesystem_error("cannot write", dir_ / name, e.code());
  }
}

void ResultSetWriter::write(std::string_view name, std::string_view content) {
  write(name, [&](std::ostream& out) { out.write(content.data(), static_cast<std::streamsize>(content.size())); });
}

void ResultSetWriter::commit() {
  // The old set stops being complete before any of it goes.
  for (std::string_view name : kResultFiles) {
    const fs::path old = dir_ / name;
    if (::unlink(old.c_str()) != 0 && errno != ENOENT) io_failure("cannot remove", old, errno);
  }
  sync_folder(dir_);
  // The new set, summary.json last.
  for (std::size_t k = kResultFiles.size(); k-- > 0;) {
    const fs::path staged = staging_ / kResultFiles[k];
    if (!fs::exists(fs::symlink_status(staged))) continue;
    if (::rename(staged.c_str(), (dir_ / kResultFiles[k]).c_str()) != 0)
      io_failure("cannot move into place", dir_ / kResultFiles[k], errno);
  }
  sync_folder(dir_);
  committed_ = true;
  std::error_code ec;
  fs::remove_all(staging_, ec);
}

}  // namespace xbar
