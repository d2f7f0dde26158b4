#include "sweep/sweep_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/atomic_file.hpp"
#include "common/child_process.hpp"
#include "common/diagnostics.hpp"

namespace xbar {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kManifest = "sweep.json";
constexpr const char* kJournal = "journal.jsonl";
constexpr const char* kCsv = "sweep.csv";
constexpr const char* kLock = "sweep.lock";

std::string manifest_text(const SweepManifest& m) {
  json inputs = json::array();
  for (const auto& in : m.inputs) inputs.push_back({{"path", in.path}, {"fingerprint", in.fingerprint}});
  json j = {
      {"fingerprint", m.fingerprint}, {"keys", m.keys}, {"points", m.points}, {"config", m.config}, {"inputs", inputs}};
  return j.dump(2) + "\n";
}

// Why a resumed sweep's inputs differ from those it started with, naming the
// file ("" when they are the same).
std::string changed_input(const SweepManifest& old, const SweepManifest& now) {
  for (const auto& o : old.inputs) {
    auto it = std::find_if(now.inputs.begin(), now.inputs.end(), [&](const auto& n) { return n.path == o.path; });
    if (it == now.inputs.end())
      return fmt::format("'{}' was an input of this sweep and is not any more (or cannot be read)", o.path);
    if (it->fingerprint != o.fingerprint)
      return fmt::format("'{}' changed since the sweep started (fingerprint {}, now {})", o.path, o.fingerprint,
                         it->fingerprint);
  }
  for (const auto& n : now.inputs)
    if (std::none_of(old.inputs.begin(), old.inputs.end(), [&](const auto& o) { return o.path == n.path; }))
      return fmt::format("'{}' is a new input; the sweep started without it", n.path);
  return {};
}

// A folder `merge_sweeps` may write: missing, empty (but for our lock), or
// holding the same sweep.
void check_merge_target(const fs::path& out, const SweepManifest& merged) {
  std::error_code ec;
  if (!fs::exists(out, ec)) return;
  if (fs::exists(out / kManifest, ec)) {
    if (read_manifest(out).fingerprint != merged.fingerprint)
      throw InputError({out.string(), 0, 0},
                       "holds a different sweep; merge into an empty folder or one of this sweep");
    return;
  }
  for (fs::directory_iterator it(out, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().filename() != kLock)
      throw InputError({out.string(), 0, 0},
                       "is not empty and holds no sweep; merge into an empty folder or one of this sweep");
}

void write_all(int fd, std::string_view data, const fs::path& path) {
  if (!proc::write_all(fd, data))
    throw fs::filesystem_error("cannot write", path, std::error_code(errno, std::generic_category()));
}

void write_journal_file(const fs::path& dir, const std::map<std::size_t, PointRecord>& records) {
  write_file_atomically(dir / kJournal, [&](std::ostream& out) {
    for (const auto& [point, r] : records) out << record_to_line(r) << '\n';
  });
}

void write_csv_file(const fs::path& dir, const std::vector<std::string>& keys,
                    const std::map<std::size_t, PointRecord>& records) {
  std::vector<PointRecord> sorted;
  sorted.reserve(records.size());
  for (const auto& [point, r] : records) sorted.push_back(r);
  write_file_atomically(dir / kCsv, [&](std::ostream& out) { write_sweep_csv(out, keys, sorted); });
}

}  // namespace

SweepManifest read_manifest(const fs::path& dir) {
  std::ifstream in(dir / kManifest);
  if (!in) throw InputError({dir.string(), 0, 0}, "not a sweep folder (no sweep.json)");
  try {
    json j = json::parse(in);
    SweepManifest m;
    m.fingerprint = j.at("fingerprint").get<std::string>();
    m.keys = j.at("keys").get<std::vector<std::string>>();
    m.points = j.at("points").get<std::size_t>();
    m.config = j.value("config", "");
    for (const auto& in : j.value("inputs", json::array()))
      m.inputs.push_back({in.at("path").get<std::string>(), in.at("fingerprint").get<std::string>()});
    return m;
  } catch (const json::exception& e) {
    throw InputError({(dir / kManifest).string(), 0, 0}, fmt::format("unreadable sweep manifest: {}", e.what()));
  }
}

std::map<std::size_t, PointRecord> read_journal(const fs::path& dir, const SweepManifest& manifest) {
  std::map<std::size_t, PointRecord> out;
  std::ifstream in(dir / kJournal);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(std::move(line));
  for (std::size_t k = 0; k < lines.size(); ++k) {
    const SourcePos at{(dir / kJournal).string(), static_cast<int>(k + 1), 1};
    auto r = record_from_line(lines[k]);
    if (!r) {
      if (k + 1 == lines.size()) break;  // torn by a crash mid-append
      throw InputError(at, "not a journal record; the journal was changed by something other than xbar");
    }
    if (r->point >= manifest.points)
      throw InputError(at, fmt::format("point {} is not a point of this sweep (it has {}: 0 to {})", r->point,
                                       manifest.points, manifest.points - 1));
    if (r->values.size() != manifest.keys.size())
      throw InputError(at, fmt::format("point {} has {} value(s); this sweep has {} key(s)", r->point, r->values.size(),
                                       manifest.keys.size()));
    out[r->point] = std::move(*r);
  }
  return out;
}

SweepFolderLock::SweepFolderLock(const fs::path& dir) {
  fs::create_directories(dir);
  const fs::path path = dir / kLock;
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (fd_ < 0)
    throw InputError({path.string(), 0, 0},
                     fmt::format("cannot open the sweep folder's lock: {}", std::strerror(errno)));
  struct flock whole {};
  whole.l_type = F_WRLCK;
  whole.l_whence = SEEK_SET;
  if (::fcntl(fd_, F_SETLK, &whole) != 0) {
    const int err = errno;
    ::close(fd_);
    throw InputError({dir.string(), 0, 0},
                     err == EACCES || err == EAGAIN
                         ? "another xbar sweep is using this folder; wait for it to end or choose another folder"
                         : fmt::format("cannot lock the sweep folder: {}", std::strerror(err)));
  }
}

SweepFolderLock::~SweepFolderLock() { ::close(fd_); }

SweepStore::SweepStore(fs::path dir, const SweepManifest& manifest, bool resume)
    : dir_(std::move(dir)), lock_(dir_), manifest_(manifest) {
  for (const char* name : {kManifest, kJournal, kCsv})
    if (const std::string why = not_replaceable_reason(dir_ / name); !why.empty())
      throw InputError({(dir_ / name).string(), 0, 0},
                       fmt::format("{}, not a regular file; it was left as it is", why));
  fs::create_directories(dir_ / "points");
  const bool has_journal = fs::exists(dir_ / kJournal);
  if (has_journal && !resume)
    throw InputError({dir_.string(), 0, 0},
                     "this folder already holds a sweep; use --resume to finish it, or choose another folder");
  if (has_journal) {
    const SweepManifest old = read_manifest(dir_);
    // A folder of an xbar that kept no input fingerprints: the sweep's own
    // fingerprint below still has to match.
    if (const std::string why = old.inputs.empty() ? std::string() : changed_input(old, manifest); !why.empty())
      throw InputError({dir_.string(), 0, 0}, fmt::format("--resume needs the inputs the sweep started with: {}", why));
    if (old.fingerprint != manifest.fingerprint)
      throw InputError({dir_.string(), 0, 0},
                       "this folder holds a different sweep (other config, --set values or swept values); "
                       "--resume needs the same config");
    finished_ = read_journal(dir_, old);
    write_journal_file(dir_, finished_);  // drops a line torn by a crash
  }
  write_file_atomically(dir_ / kManifest, manifest_text(manifest_));
  journal_fd_ = ::open((dir_ / kJournal).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_NOFOLLOW | O_CLOEXEC, 0644);
  if (journal_fd_ < 0)
    throw fs::filesystem_error("cannot open", dir_ / kJournal, std::error_code(errno, std::generic_category()));
}

SweepStore::~SweepStore() {
  if (journal_fd_ >= 0) ::close(journal_fd_);
}

void SweepStore::append(const PointRecord& r) {
  write_all(journal_fd_, record_to_line(r) + "\n", dir_ / kJournal);
  if (::fdatasync(journal_fd_) != 0 && errno != EINVAL)  // a full disk may show only here
    throw fs::filesystem_error("cannot write", dir_ / kJournal, std::error_code(errno, std::generic_category()));
  finished_[r.point] = r;
}

void SweepStore::write_csv() const { write_csv_file(dir_, manifest_.keys, finished_); }

fs::path SweepStore::point_dir(std::size_t point) const { return point_dir(dir_, point); }
fs::path SweepStore::point_dir(const fs::path& dir, std::size_t point) {
  return dir / "points" / std::to_string(point);
}

MergeOutcome merge_sweeps(const std::vector<fs::path>& dirs, const fs::path& out) {
  if (dirs.empty()) throw InputError({"--merge", 1, 1}, "give the sweep folders to merge");
  const SweepManifest first = read_manifest(dirs.front());
  check_merge_target(out, first);  // before the lock creates anything there
  SweepFolderLock lock(out);
  check_merge_target(out, first);  // and again, now that no sweep can write it
  std::map<std::size_t, PointRecord> all;
  for (const auto& d : dirs) {
    const SweepManifest m = read_manifest(d);
    if (m.fingerprint != first.fingerprint)
      throw InputError({d.string(), 0, 0}, fmt::format("holds a different sweep than {}", dirs.front().string()));
    for (auto& [point, r] : read_journal(d, m)) all.emplace(point, std::move(r));
  }
  write_file_atomically(out / kManifest, manifest_text(first));
  write_journal_file(out, all);
  write_csv_file(out, first.keys, all);
  return {first.points, all.size()};
}

}  // namespace xbar
