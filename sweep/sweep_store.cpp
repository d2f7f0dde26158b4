#include "sweep/sweep_store.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "common/atomic_file.hpp"
#include "common/diagnostics.hpp"

namespace xbar {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

constexpr const char* kManifest = "sweep.json";
constexpr const char* kJournal = "journal.jsonl";
constexpr const char* kCsv = "sweep.csv";

std::string manifest_text(const SweepManifest& m) {
  json j = {{"fingerprint", m.fingerprint}, {"keys", m.keys}, {"points", m.points}, {"config", m.config}};
  return j.dump(2) + "\n";
}

void write_all(int fd, std::string_view data, const fs::path& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw std::runtime_error(fmt::format("cannot write {}: {}", path.string(), std::strerror(errno)));
    data.remove_prefix(static_cast<std::size_t>(n));
  }
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
    return m;
  } catch (const json::exception& e) {
    throw InputError({(dir / kManifest).string(), 0, 0}, fmt::format("unreadable sweep manifest: {}", e.what()));
  }
}

std::map<std::size_t, PointRecord> read_journal(const fs::path& dir) {
  std::map<std::size_t, PointRecord> out;
  std::ifstream in(dir / kJournal);
  std::string line;
  while (std::getline(in, line))
    if (auto r = record_from_line(line)) out[r->point] = std::move(*r);
  return out;
}

SweepStore::SweepStore(fs::path dir, const SweepManifest& manifest, bool resume)
    : dir_(std::move(dir)), manifest_(manifest) {
  fs::create_directories(dir_ / "points");
  const bool has_journal = fs::exists(dir_ / kJournal);
  if (has_journal && !resume)
    throw InputError({dir_.string(), 0, 0},
                     "this folder already holds a sweep; use --resume to finish it, or choose another folder");
  if (has_journal) {
    const SweepManifest old = read_manifest(dir_);
    if (old.fingerprint != manifest.fingerprint)
      throw InputError({dir_.string(), 0, 0},
                       "this folder holds a different sweep (other config, --set values or swept values); "
                       "--resume needs the same config");
    finished_ = read_journal(dir_);
    write_journal_file(dir_, finished_);  // drops a line torn by a crash
  }
  write_file_atomically(dir_ / kManifest, manifest_text(manifest_));
  journal_fd_ = ::open((dir_ / kJournal).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (journal_fd_ < 0)
    throw std::runtime_error(fmt::format("cannot open {}: {}", (dir_ / kJournal).string(), std::strerror(errno)));
}

SweepStore::~SweepStore() {
  if (journal_fd_ >= 0) ::close(journal_fd_);
}

void SweepStore::append(const PointRecord& r) {
  write_all(journal_fd_, record_to_line(r) + "\n", dir_ / kJournal);
  ::fdatasync(journal_fd_);
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
  std::map<std::size_t, PointRecord> all;
  for (const auto& d : dirs) {
    const SweepManifest m = read_manifest(d);
    if (m.fingerprint != first.fingerprint)
      throw InputError({d.string(), 0, 0}, fmt::format("holds a different sweep than {}", dirs.front().string()));
    for (auto& [point, r] : read_journal(d)) all.emplace(point, std::move(r));
  }
  fs::create_directories(out);
  write_file_atomically(out / kManifest, manifest_text(first));
  write_journal_file(out, all);
  write_csv_file(out, first.keys, all);
  return {first.points, all.size()};
}

}  // namespace xbar
