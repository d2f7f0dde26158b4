#include "report/result_set.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <stdexcept>
#include <vector>

#include "common/atomic_file.hpp"
#include "report/analysis_outputs.hpp"
#include "report/failure_evidence.hpp"

namespace xbar {

namespace fs = std::filesystem;

namespace {

static_assert(kRunFiles[0] == "summary.json");
constexpr std::string_view kStagingPrefix = ".xbar-staging-";

// The files of every run, then each analysis' (report/analysis_outputs.hpp),
// then a failed job's (report/failure_evidence.hpp); each name once.
// summary.json first: commit() removes it first and renames it in last.
const std::vector<std::string_view>& result_files() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    auto add = [&](std::string_view name) {
      if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
    };
    for (std::string_view name : kRunFiles) add(name);
    for (const AnalysisOutputs* entry : all_analysis_outputs())
      for (std::string_view name : entry->files) add(name);
    for (std::string_view name : kFailureFiles) add(name);
    return out;
  }();
  return names;
}

[[noreturn]] void io_failure(const std::string& what, const fs::path& path, int err) {
  throw fs::filesystem_error(what, path, std::error_code(err, std::generic_category()));
}

bool declared(std::string_view name) {
  return std::find(result_files().begin(), result_files().end(), name) != result_files().end();
}

void sync_folder(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

std::span<const std::string_view> result_file_names() { return result_files(); }

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
  for (std::string_view name : result_files())
    if (const std::string why = not_replaceable_reason(dir_ / name); !why.empty()) {
      ::close(lock_fd_);
      io_failure(fmt::format("the result file {}; it was left as it is", why), dir_ / name, EEXIST);
    }
  // Leftovers of runs killed before their commit (we hold the lock, so no
  // writer is using them).
  for (fs::directory_iterator it(dir_, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string entry = it->path().filename().string();
    const bool staging = entry.starts_with(kStagingPrefix) && it->is_directory(ec);
    const bool temporary = std::any_of(result_files().begin(), result_files().end(),
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
  for (std::string_view name : result_files()) {
    const fs::path old = dir_ / name;
    if (::unlink(old.c_str()) != 0 && errno != ENOENT) io_failure("cannot remove", old, errno);
  }
  sync_folder(dir_);
  // The new set, summary.json last.
  for (std::size_t k = result_files().size(); k-- > 0;) {
    const fs::path staged = staging_ / result_files()[k];
    if (!fs::exists(fs::symlink_status(staged))) continue;
    if (::rename(staged.c_str(), (dir_ / result_files()[k]).c_str()) != 0)
      io_failure("cannot move into place", dir_ / result_files()[k], errno);
  }
  sync_folder(dir_);
  committed_ = true;
  std::error_code ec;
  fs::remove_all(staging_, ec);
}

}  // namespace xbar
