#pragma once
// The files of a read (analysis.type: read): read.json and cells.csv (with
// each cell's role).  Its figures, files and terminal lines are the entry
// kReadOutputs (report/analysis_outputs.hpp) in read_outputs.cpp.
#include <filesystem>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "report/result_set.hpp"
#include "runner/run_job.hpp"

namespace xbar {

// read.json: the setup, the three reads, the sneak paths and the estimate.
std::string read_json(const RunResult& r);

// cells.csv of the stored-pattern read: the op-mode columns, then `role`
// (selected, half_row, half_col, unselected); the cells `cells_mode` selects.
void write_read_cells_csv(const ReadReport& read, CellsOutput cells_mode, std::ostream& out);

}  // namespace xbar
