#pragma once
// A sweep's folder on disk:
//   sweep.json     what sweep this is (fingerprint, keys, point count, and
//                  the fingerprint of each input file)
//   journal.jsonl  one line per finished point, appended and fsynced at once:
//                  the durable record that --resume and --merge read
//   sweep.csv      rewritten atomically from the journal, sorted by point
//   inputs/        the frozen copies of the data files the points read
//   points/<i>/    each point's own outputs
//   sweep.lock     locked (fcntl) while a sweep or merge writes the folder
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "sweep/point_record.hpp"

namespace xbar {

struct SweepManifest {
  std::string fingerprint;
  std::vector<std::string> keys;
  std::size_t points = 0;
  std::string config;  // the config file, for people reading the folder
  struct Input {
    std::string path, fingerprint;
  };
  std::vector<Input> inputs;  // the config file, then each data file
};

// Holds the lock of a sweep folder (created if missing) for its lifetime;
// throws InputError when another xbar sweep holds it.  The lock is an fcntl
// record lock, so forked workers do not inherit it and it dies with its owner.
class SweepFolderLock {
 public:
  explicit SweepFolderLock(const std::filesystem::path& dir);
  ~SweepFolderLock();
  SweepFolderLock(const SweepFolderLock&) = delete;
  SweepFolderLock& operator=(const SweepFolderLock&) = delete;

 private:
  int fd_ = -1;
};

class SweepStore {
 public:
  // Creates and locks the folder.  Without `resume`, refuses a folder that
  // already holds a journal; with it, refuses one of another sweep (an input
  // file that changed, named; another fingerprint) and loads the finished
  // points, dropping a line torn by a crash.  Throws InputError.
  SweepStore(std::filesystem::path dir, const SweepManifest& manifest, bool resume);
  ~SweepStore();
  SweepStore(const SweepStore&) = delete;
  SweepStore& operator=(const SweepStore&) = delete;

  const std::map<std::size_t, PointRecord>& finished() const { return finished_; }
  // Durable when it returns (one write, then fdatasync).
  void append(const PointRecord& r);
  // Atomically rewrites sweep.csv from every finished point.
  void write_csv() const;

  const std::filesystem::path& dir() const { return dir_; }
  std::filesystem::path point_dir(std::size_t point) const;
  static std::filesystem::path point_dir(const std::filesystem::path& dir, std::size_t point);

 private:
  std::filesystem::path dir_;
  SweepFolderLock lock_;
  SweepManifest manifest_;
  std::map<std::size_t, PointRecord> finished_;
  int journal_fd_ = -1;
};

// The manifest of a sweep folder; throws InputError when missing or unreadable.
SweepManifest read_manifest(const std::filesystem::path& dir);
// Every journal line of a folder, by point (a later line wins).  A last line
// torn by a crash is dropped; any other line that is not a point of the
// manifest's sweep (point out of range, wrong number of values, not a record)
// is refused with an InputError at journal.jsonl:LINE.
std::map<std::size_t, PointRecord> read_journal(const std::filesystem::path& dir, const SweepManifest& manifest);

struct MergeOutcome {
  std::size_t points = 0;    // in the sweep
  std::size_t finished = 0;  // found in the inputs
};
// Joins the journals of shard folders of one sweep into `out` (manifest,
// journal, sweep.csv); point folders stay where they are.  Throws InputError
// when the folders hold different sweeps, or `out` is neither empty nor a
// folder of the same sweep.
MergeOutcome merge_sweeps(const std::vector<std::filesystem::path>& dirs, const std::filesystem::path& out);

}  // namespace xbar
