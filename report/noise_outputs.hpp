#pragma once
// The noise outputs (noise.enabled): the noise columns of columns.csv and the
// noise metrics and block of summary.json (README "Noise").
#include <cstddef>
#include <string>

#include <nlohmann/json.hpp>

#include "runner/noise_job.hpp"
#include "runner/run_job.hpp"

namespace xbar {

// Extra columns of columns.csv: header text (leading comma) and the cells of
// row `k` (vector-major, logical column).
std::string noise_columns_header();
std::string noise_columns_cells(const RunResult& r, std::size_t k);

// noise_max_i_rms, noise_min_snr_db, noise_min_enob (and noise_spice_vs_nodal)
// into `metrics`; the band and temperature as a "noise" block of `summary`.
void add_noise_summary(const RunResult& r, nlohmann::json& metrics, nlohmann::json& summary);

}  // namespace xbar
