#pragma once
// A sweep's folder on disk:
//   sweep.json     what sweep this is (fingerprint, keys, point count)
//   journal.jsonl  one line per finished point, appended and fsynced at once:
//                  the durable record that --resume and --merge read
//   sweep.csv      rewritten atomically from the journal, sorted by point
//   points/<i>/    each point's own outputs
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
};

class SweepStore {
 public:
  // Creates the folder.  Without `resume`, refuses a folder that already holds
  // a journal; with it, refuses one of another sweep (other fingerprint) and
  // loads the finished points, dropping a line torn by a crash.
  // Throws InputError.
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
  SweepManifest manifest_;
  std::map<std::size_t, PointRecord> finished_;
  int journal_fd_ = -1;
};

// The manifest of a sweep folder; throws InputError when missing or unreadable.
SweepManifest read_manifest(const std::filesystem::path& dir);
// Every valid journal line of a folder, by point (a later line wins).
std::map<std::size_t, PointRecord> read_journal(const std::filesystem::path& dir);

struct MergeOutcome {
  std::size_t points = 0;    // in the sweep
  std::size_t finished = 0;  // found in the inputs
};
// Joins the journals of shard folders of one sweep into `out` (manifest,
// journal, sweep.csv); point folders stay where they are.  Throws InputError
// when the folders hold different sweeps.
MergeOutcome merge_sweeps(const std::vector<std::filesystem::path>& dirs, const std::filesystem::path& out);

}  // namespace xbar
