// The noise outputs (noise.enabled): the entry kNoiseOutputs
// (report/analysis_outputs.hpp): its columns of columns.csv, its figures
// (noise_max_i_rms, noise_min_enob, noise_min_snr_db, noise_spice_vs_nodal),
// the "noise" block of summary.json (band and temperature) and its terminal
// line (README "Noise").
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <optional>

#include <fmt/format.h>

#include "report/analysis_outputs.hpp"
#include "runner/noise_job.hpp"
#include "runner/run_job.hpp"

namespace xbar {
namespace {

std::string cell(const std::optional<double>& v) { return v ? fmt::format("{}", *v) : std::string(); }

// Its columns of columns.csv (the group of kNoiseOutputs).
std::string noise_columns_cells(const RunResult& r, std::size_t k) {
  const ColumnNoise& n = r.noise->columns.at(k);
  const double rms = std::sqrt(n.power());
  const auto i = noise_signal(r, k);
  const std::optional<double> spice =
      k < r.noise->spice_rms.size() ? std::optional<double>(r.noise->spice_rms[k]) : std::nullopt;
  return fmt::format(",{},{},{},{},{},{},{},{},{}", rms, std::sqrt(n.thermal), std::sqrt(n.shot), std::sqrt(n.read),
                     std::sqrt(n.sense), cell(i ? noise_snr_db(*i, rms) : std::nullopt), noise_enob(r.tile, rms),
                     cell(spice), std::sqrt(n.flicker));
}

using Opt = std::optional<double>;

bool has_noise(const RunResult& r) { return r.noise != nullptr; }

constexpr FigureDef kNoiseFigures[] = {
    {"noise_max_i_rms", QuantityKind::kCurrent, [](const RunResult& r) { return Opt(summarize_noise(r).max_i_rms); }},
    {"noise_min_enob", QuantityKind::kError, [](const RunResult& r) { return Opt(summarize_noise(r).min_enob); }},
    {"noise_min_snr_db", QuantityKind::kError, [](const RunResult& r) { return summarize_noise(r).min_snr_db; }},
    {"noise_spice_vs_nodal", QuantityKind::kAgreement, [](const RunResult& r) { return r.noise->spice_vs_nodal; }},
};

constexpr ColumnFigureDef kNoiseColumnFigures[] = {{"noise_i_rms", QuantityKind::kCurrent}};

void noise_column_values(const RunResult& r, FigureValues& out) {
  for (const ColumnNoise& n : r.noise->columns)
    out.emplace_back(column_figure_name("noise_i_rms", n.vector, n.col), std::sqrt(n.power()));
}

void noise_block(const RunResult& r, nlohmann::json& summary) {
  const NoiseOptions& o = r.noise->options;
  summary["noise"] = {{"f_min", o.f_min}, {"f_max", o.f_max}, {"temperature_k", o.temperature_k}};
}

void noise_terminal(const RunResult& r, std::string& out) {
  const Opt snr = figure_value(r, "noise_min_snr_db");
  const Opt check = figure_value(r, "noise_spice_vs_nodal");
  out += fmt::format("  noise over {:g}..{:g} Hz: max {:.4e} A rms  min ENOB {:.2f}  min SNR {}{}\n",
                     r.noise->options.f_min, r.noise->options.f_max, figure_value(r, "noise_max_i_rms").value(),
                     figure_value(r, "noise_min_enob").value(), snr ? fmt::format("{:.2f} dB", *snr) : "not computed",
                     check ? fmt::format("  ngspice vs xbar {:.3e}", *check) : "");
}

}  // namespace

// An add-on of op: its columns are in op's columns.csv, it has no file of its own.
constinit const AnalysisOutputs kNoiseOutputs{
    .name = "noise",
    .applies = has_noise,
    .figures = kNoiseFigures,
    .column_figures = kNoiseColumnFigures,
    .column_values = noise_column_values,
    .columns_csv = {.after = "e_nonlinear",
                    .header = ",noise_i_rms,noise_thermal,noise_shot,noise_read,noise_sense,noise_snr_db,noise_enob,"
                              "noise_i_rms_spice,noise_flicker",
                    .cells = noise_columns_cells},
    .files = {},
    .write_files = nullptr,
    .summary_blocks = noise_block,
    .terminal = noise_terminal,
};

}  // namespace xbar
