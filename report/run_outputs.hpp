#pragma once
// The files of docs/outputs.md, each written whole or not at all.
#include <filesystem>
#include <string>

#include "runner/run_job.hpp"

namespace xbar {

// Writes the run's result set into `dir` (created if missing) through a
// ResultSetWriter: summary.json, columns.csv, cells.csv, netlist.cir (when
// SPICE ran), resolved.yaml, and the files of a read or tran analysis.  Every
// result file an earlier run of any analysis left there is replaced or
// removed; summary.json is moved in last, so its presence marks a complete set.
void write_run_outputs(const RunResult& r, const std::filesystem::path& dir);

// The pieces, for tests and for sweeps that keep only some files.
std::string summary_json(const RunResult& r);
void write_columns_csv(const RunResult& r, std::ostream& out);
void write_cells_csv(const RunResult& r, std::ostream& out);

// Shortest text that reads back as the same double ("" for a missing value).
std::string csv_number(double v);

}  // namespace xbar
