#pragma once
// The one writer of a failed job's evidence, for `xbar run`, sweep points and
// regression cases: the netlist as simulated, the simulator's own words and
// the error, written as the folder's whole result set (report/result_set.hpp),
// so no result file of an earlier run is left beside them to be mistaken for
// this one's.
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace xbar {

// The files only a failed job leaves (beside netlist.cir, a file of every run).
inline constexpr std::string_view kFailureFiles[] = {"ngspice.log", "error.txt"};

struct FailureEvidence {
  std::span<const std::string> netlist;  // netlist.cir when not empty
  std::string_view log;                  // ngspice.log when not empty (the simulator's output)
  std::string_view error;                // error.txt when not empty (the error message)
};

// Replaces the result set in `dir` (created if missing) by `e`'s files.
// Throws std::filesystem::filesystem_error when they cannot be written.
void write_failure_evidence(const std::filesystem::path& dir, const FailureEvidence& e);

}  // namespace xbar
