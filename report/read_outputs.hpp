#pragma once
// The files of a read (analysis.type: read): read.json, cells.csv (with each
// cell's role), netlist.cir, resolved.yaml, and summary.json whose metrics
// carry the read's numbers so sweeps can tabulate them.
#include <filesystem>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "report/result_set.hpp"
#include "runner/run_job.hpp"

namespace xbar {

// Adds the read's scalar metrics (README, "Read mode") to summary.json's `metrics`.
void add_read_metrics(const ReadReport& read, nlohmann::json& metrics);

// read.json: the setup, the three reads, the sneak paths and the estimate.
std::string read_json(const RunResult& r);

// cells.csv of the stored-pattern read: the op-mode columns, then `role`
// (selected, half_row, half_col, unselected); the cells `cells_mode` selects.
void write_read_cells_csv(const ReadReport& read, CellsOutput cells_mode, std::ostream& out);

// Stages every file of a read, summary.json among them (via summary_json()).
void write_read_outputs(const RunResult& r, ResultSetWriter& set);

}  // namespace xbar
