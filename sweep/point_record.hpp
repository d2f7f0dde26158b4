#pragma once
// The result of one sweep point, as kept in the journal and shown in sweep.csv
// (docs/outputs.md: point, the swept keys, status, error, elapsed_s, metrics).
#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace xbar {

struct PointRecord {
  std::size_t point = 0;
  std::vector<std::string> values;  // one per swept key, canonical text
  bool ok = false;
  std::string error;  // one line; empty when ok
  double elapsed_s = 0;
  std::vector<std::pair<std::string, double>> metrics;  // sorted by name
  // The worker died under the point (a signal from outside, a crash): not
  // the point's own verdict.  `retry`: --resume runs it again; false once it
  // failed the same way twice.
  bool crashed = false;
  bool retry = false;
};

// One journal line (JSON, no line break inside) and back; nullopt for a torn
// or foreign line.
std::string record_to_line(const PointRecord& r);
std::optional<PointRecord> record_from_line(std::string_view line);

// The metrics object of a summary.json text, sorted by name.
std::vector<std::pair<std::string, double>> metrics_of_summary(const std::string& summary_json_text);

// Makes a message fit one CSV cell and one journal line.
std::string one_line(std::string_view text, std::size_t max_len = 1000);

// `records` sorted by point.  Metric columns: every metric name any record has,
// sorted, so the file depends only on the set of records.
void write_sweep_csv(std::ostream& out, const std::vector<std::string>& keys, const std::vector<PointRecord>& records);

}  // namespace xbar
