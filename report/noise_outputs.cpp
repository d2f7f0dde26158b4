#include "report/noise_outputs.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>

#include <fmt/format.h>

namespace xbar {
namespace {

std::string cell(const std::optional<double>& v) { return v ? fmt::format("{}", *v) : std::string(); }

}  // namespace

std::string noise_columns_header() {
  return ",noise_i_rms,noise_thermal,noise_shot,noise_read,noise_sense,noise_snr_db,noise_enob,noise_i_rms_spice";
}

std::string noise_columns_cells(const RunResult& r, std::size_t k) {
  const ColumnNoise& n = r.noise->columns.at(k);
  const double rms = std::sqrt(n.power());
  const auto i = noise_signal(r, k);
  const std::optional<double> spice =
      k < r.noise->spice_rms.size() ? std::optional<double>(r.noise->spice_rms[k]) : std::nullopt;
  return fmt::format(",{},{},{},{},{},{},{},{}", rms, std::sqrt(n.thermal), std::sqrt(n.shot), std::sqrt(n.read),
                     std::sqrt(n.sense), cell(i ? noise_snr_db(*i, rms) : std::nullopt), noise_enob(r.tile, rms),
                     cell(spice));
}

void add_noise_summary(const RunResult& r, nlohmann::json& metrics, nlohmann::json& summary) {
  const TileNoiseResult& noise = *r.noise;
  const NoiseSummary sum = summarize_noise(r);
  metrics["noise_max_i_rms"] = sum.max_i_rms;
  metrics["noise_min_enob"] = sum.min_enob;
  if (sum.min_snr_db) metrics["noise_min_snr_db"] = *sum.min_snr_db;
  if (noise.spice_vs_nodal) metrics["noise_spice_vs_nodal"] = *noise.spice_vs_nodal;
  summary["noise"] = {
      {"f_min", noise.options.f_min}, {"f_max", noise.options.f_max}, {"temperature_k", noise.options.temperature_k}};
}

}  // namespace xbar
