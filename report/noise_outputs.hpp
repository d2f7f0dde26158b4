#pragma once
// The noise outputs (noise.enabled): the noise columns of columns.csv; its
// figures (noise_max_i_rms, noise_min_enob, noise_min_snr_db,
// noise_spice_vs_nodal), the "noise" block of summary.json (band and
// temperature) and its terminal line are the entry kNoiseOutputs
// (report/analysis_outputs.hpp) in noise_outputs.cpp (README "Noise").
#include <cstddef>
#include <string>

#include "runner/noise_job.hpp"
#include "runner/run_job.hpp"

namespace xbar {

// Extra columns of columns.csv: header text (leading comma) and the cells of
// row `k` (vector-major, logical column).
std::string noise_columns_header();
std::string noise_columns_cells(const RunResult& r, std::size_t k);

}  // namespace xbar
