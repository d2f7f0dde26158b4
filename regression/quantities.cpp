#include "regression/quantities.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <regex>

#include <fmt/format.h>

#include "runner/noise_job.hpp"
#include "runner/transient_job.hpp"

namespace xbar::regression {
namespace {

constexpr std::array<std::pair<std::string_view, QuantityKind>, 33> kMetrics{{
    {"max_rel_err", QuantityKind::kError},
    {"mean_rel_err", QuantityKind::kError},
    {"nrmse", QuantityKind::kError},
    {"max_ir_drop", QuantityKind::kError},
    {"mean_ir_drop", QuantityKind::kError},
    {"adc_max_rel_err", QuantityKind::kError},
    {"max_err_fs", QuantityKind::kError},
    {"mean_err_fs", QuantityKind::kError},
    {"max_rel_err_target", QuantityKind::kError},
    {"mean_rel_err_target", QuantityKind::kError},
    {"nrmse_target", QuantityKind::kError},
    {"max_ir_drop_v", QuantityKind::kVoltage},
    {"spice_vs_nodal", QuantityKind::kAgreement},
    // read mode
    {"i_sense", QuantityKind::kCurrent},
    {"i_cell", QuantityKind::kCurrent},
    {"i_sneak", QuantityKind::kCurrent},
    {"i_sense_lrs", QuantityKind::kCurrent},
    {"i_sense_hrs", QuantityKind::kCurrent},
    {"sneak_path_est", QuantityKind::kCurrent},
    {"sneak_fraction", QuantityKind::kError},
    {"sneak_fraction_lrs", QuantityKind::kError},
    {"read_margin", QuantityKind::kError},
    {"margin_ok", QuantityKind::kError},
    {"sneak_path_factor", QuantityKind::kError},
    {"max_half_selected_v", QuantityKind::kVoltage},
    // transient
    {"energy_per_mvm_j", QuantityKind::kEnergy},
    {"max_energy_per_mvm_j", QuantityKind::kEnergy},
    {"max_settle_s", QuantityKind::kTime},
    {"mean_settle_s", QuantityKind::kTime},
    // noise (noise.enabled)
    {"noise_max_i_rms", QuantityKind::kCurrent},
    {"noise_min_enob", QuantityKind::kError},
    {"noise_min_snr_db", QuantityKind::kError},
    {"noise_spice_vs_nodal", QuantityKind::kAgreement},
}};

constexpr std::size_t kMaxDefaultValues = 1000;

}  // namespace

const char* to_string(QuantityKind kind) {
  switch (kind) {
    case QuantityKind::kCurrent: return "current";
    case QuantityKind::kError: return "error";
    case QuantityKind::kVoltage: return "voltage";
    case QuantityKind::kAgreement: return "agreement";
    case QuantityKind::kEnergy: return "energy";
    case QuantityKind::kTime: return "time";
    case QuantityKind::kCharge: return "charge";
  }
  return "?";
}

std::optional<QuantityKind> parse_quantity_kind(std::string_view text) {
  for (QuantityKind k : {QuantityKind::kCurrent, QuantityKind::kError, QuantityKind::kVoltage, QuantityKind::kAgreement,
                         QuantityKind::kEnergy, QuantityKind::kTime, QuantityKind::kCharge})
    if (text == to_string(k)) return k;
  return std::nullopt;
}

std::optional<QuantityKind> quantity_kind(std::string_view name) {
  for (const auto& [metric, kind] : kMetrics)
    if (name == metric) return kind;
  static const std::regex column(
      R"((i_ideal|i_target|i_spice|i_nodal|noise_i_rms|rel_err|t_settle|q)\[v(0|[1-9][0-9]{0,6}),c(0|[1-9][0-9]{0,6})\])");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(name.begin(), name.end(), m, column)) return std::nullopt;
  const std::string what = m[1].str();
  if (what == "rel_err") return QuantityKind::kError;
  if (what == "t_settle") return QuantityKind::kTime;
  if (what == "q") return QuantityKind::kCharge;
  return QuantityKind::kCurrent;
}

Tolerance default_tolerance(QuantityKind kind) {
  switch (kind) {
    case QuantityKind::kCurrent: return {1e-6, 1e-15};
    case QuantityKind::kError: return {1e-4, 1e-6};
    case QuantityKind::kVoltage: return {1e-5, 1e-9};
    case QuantityKind::kAgreement: return {0.0, 1e-9};
    case QuantityKind::kEnergy: return {1e-6, 1e-21};
    case QuantityKind::kTime: return {1e-4, 1e-15};
    case QuantityKind::kCharge: return {1e-6, 1e-24};
  }
  return {};
}

std::string known_quantities_text() {
  std::string text = "metrics:";
  for (const auto& [metric, kind] : kMetrics) text += fmt::format(" {}", metric);
  return text + "; per column: i_ideal|i_spice|i_nodal|noise_i_rms|rel_err|t_settle|q[vN,cN]";
}

std::string column_quantity(std::string_view what, int vector, int col) {
  return fmt::format("{}[v{},c{}]", what, vector, col);
}

namespace {

// The figures of summary.json's read metrics (report/read_outputs.cpp), by the same names.
Observed observe_read(const ReadReport& r) {
  Observed out{{"i_sense", r.stored.i_sense},
               {"i_cell", r.stored.i_cell},
               {"i_sneak", r.stored.i_sneak},
               {"sneak_fraction", r.stored.sneak_fraction},
               {"i_sense_lrs", r.lrs.i_sense},
               {"i_sense_hrs", r.hrs.i_sense},
               {"sneak_fraction_lrs", r.lrs.sneak_fraction},
               {"read_margin", r.read_margin},
               {"margin_ok", r.margin_ok ? 1.0 : 0.0},
               {"max_half_selected_v", r.stored.max_half_selected_v},
               {"sneak_path_est", r.paths.total_est}};
  if (r.path_factor) out.emplace_back("sneak_path_factor", *r.path_factor);
  return out;
}

// The transient metrics of summary.json (report/transient_outputs.cpp), then per column.
void observe_transient(const TransientResult& t, Observed& out) {
  const TransientSummary sum = summarize_transient(t);
  out.emplace_back("energy_per_mvm_j", sum.energy_per_mvm_j);
  out.emplace_back("max_energy_per_mvm_j", sum.max_energy_per_mvm_j);
  out.emplace_back("max_settle_s", sum.max_settle_s);
  out.emplace_back("mean_settle_s", sum.mean_settle_s);
  for (const auto& c : t.columns) {
    if (std::isfinite(c.t_settle)) out.emplace_back(column_quantity("t_settle", c.vector, c.col), c.t_settle);
    out.emplace_back(column_quantity("q", c.vector, c.col), c.charge);
  }
}

// The noise metrics of summary.json (report/noise_outputs.cpp), then per column.
void observe_noise(const RunResult& r, Observed& out) {
  for (const ColumnNoise& n : r.noise->columns)
    out.emplace_back(column_quantity("noise_i_rms", n.vector, n.col), std::sqrt(n.power()));
  const NoiseSummary sum = summarize_noise(r);
  out.emplace_back("noise_max_i_rms", sum.max_i_rms);
  out.emplace_back("noise_min_enob", sum.min_enob);
  if (sum.min_snr_db) out.emplace_back("noise_min_snr_db", *sum.min_snr_db);
  if (r.noise->spice_vs_nodal) out.emplace_back("noise_spice_vs_nodal", *r.noise->spice_vs_nodal);
}

}  // namespace

Observed observe(const RunResult& r) {
  if (r.read) return observe_read(*r.read);
  const Metrics& m = r.analysis.metrics;
  Observed out{{"max_rel_err", m.max_rel_err}, {"mean_rel_err", m.mean_rel_err}, {"nrmse", m.nrmse}};
  // What was not computed is not observed (as in summary.json).
  for (const auto& [name, v] : {std::pair{"max_ir_drop", m.max_ir_drop},
                                {"mean_ir_drop", m.mean_ir_drop},
                                {"max_ir_drop_v", m.max_ir_drop_v},
                                {"max_err_fs", m.max_err_fs},
                                {"mean_err_fs", m.mean_err_fs},
                                {"max_rel_err_target", m.max_rel_err_target},
                                {"mean_rel_err_target", m.mean_rel_err_target},
                                {"nrmse_target", m.nrmse_target},
                                {"spice_vs_nodal", m.spice_vs_nodal},
                                {"adc_max_rel_err", m.adc_max_rel_err}})
    if (v) out.emplace_back(name, *v);
  for (const ColumnRecord& c : r.analysis.columns) {
    out.emplace_back(column_quantity("i_ideal", c.vector, c.col), c.i_ideal);
    if (c.i_spice) out.emplace_back(column_quantity("i_spice", c.vector, c.col), *c.i_spice);
    if (c.i_nodal) out.emplace_back(column_quantity("i_nodal", c.vector, c.col), *c.i_nodal);
    if (c.rel_err) out.emplace_back(column_quantity("rel_err", c.vector, c.col), *c.rel_err);
    if (c.i_target) out.emplace_back(column_quantity("i_target", c.vector, c.col), *c.i_target);
  }
  if (r.transient) observe_transient(*r.transient, out);
  if (r.noise) observe_noise(r, out);
  return out;
}

std::vector<std::string> default_selection(const Observed& observed) {
  std::vector<std::string> metrics, currents, first_vector;
  for (const auto& [name, value] : observed) {
    const bool engine_current = name.starts_with("i_spice[") || name.starts_with("i_nodal[");
    if (!engine_current) {
      if (name.find('[') == std::string::npos) metrics.push_back(name);
      continue;
    }
    currents.push_back(name);
    if (name.find("[v0,") != std::string::npos) first_vector.push_back(name);
  }
  std::vector<std::string>& chosen = currents.size() <= kMaxDefaultValues ? currents : first_vector;
  metrics.insert(metrics.end(), chosen.begin(), chosen.end());
  return metrics;
}

}  // namespace xbar::regression
