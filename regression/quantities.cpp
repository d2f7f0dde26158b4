#include "regression/quantities.hpp"

#include <array>
#include <regex>

#include <fmt/format.h>

namespace xbar::regression {
namespace {

constexpr std::array<std::pair<std::string_view, QuantityKind>, 8> kMetrics{{
    {"max_rel_err", QuantityKind::kError},
    {"mean_rel_err", QuantityKind::kError},
    {"nrmse", QuantityKind::kError},
    {"max_ir_drop", QuantityKind::kError},
    {"mean_ir_drop", QuantityKind::kError},
    {"adc_max_rel_err", QuantityKind::kError},
    {"max_ir_drop_v", QuantityKind::kVoltage},
    {"spice_vs_nodal", QuantityKind::kAgreement},
}};

constexpr std::size_t kMaxDefaultValues = 1000;

}  // namespace

const char* to_string(QuantityKind kind) {
  switch (kind) {
    case QuantityKind::kCurrent: return "current";
    case QuantityKind::kError: return "error";
    case QuantityKind::kVoltage: return "voltage";
    case QuantityKind::kAgreement: return "agreement";
  }
  return "?";
}

std::optional<QuantityKind> parse_quantity_kind(std::string_view text) {
  for (QuantityKind k : {QuantityKind::kCurrent, QuantityKind::kError, QuantityKind::kVoltage, QuantityKind::kAgreement})
    if (text == to_string(k)) return k;
  return std::nullopt;
}

std::optional<QuantityKind> quantity_kind(std::string_view name) {
  for (const auto& [metric, kind] : kMetrics)
    if (name == metric) return kind;
  static const std::regex column(R"((i_ideal|i_spice|i_nodal|rel_err)\[v(0|[1-9][0-9]{0,6}),c(0|[1-9][0-9]{0,6})\])");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(name.begin(), name.end(), m, column)) return std::nullopt;
  return m[1].str() == "rel_err" ? QuantityKind::kError : QuantityKind::kCurrent;
}

Tolerance default_tolerance(QuantityKind kind) {
  switch (kind) {
    case QuantityKind::kCurrent: return {1e-6, 1e-15};
    case QuantityKind::kError: return {1e-4, 1e-6};
    case QuantityKind::kVoltage: return {1e-5, 1e-9};
    case QuantityKind::kAgreement: return {0.0, 1e-9};
  }
  return {};
}

std::string column_quantity(std::string_view what, int vector, int col) {
  return fmt::format("{}[v{},c{}]", what, vector, col);
}

Observed observe(const RunResult& r) {
  const Metrics& m = r.analysis.metrics;
  Observed out{{"max_rel_err", m.max_rel_err}, {"mean_rel_err", m.mean_rel_err}, {"nrmse", m.nrmse},
               {"max_ir_drop", m.max_ir_drop}, {"mean_ir_drop", m.mean_ir_drop}, {"max_ir_drop_v", m.max_ir_drop_v}};
  if (m.spice_vs_nodal) out.emplace_back("spice_vs_nodal", *m.spice_vs_nodal);
  if (m.adc_max_rel_err) out.emplace_back("adc_max_rel_err", *m.adc_max_rel_err);
  for (const ColumnRecord& c : r.analysis.columns) {
    out.emplace_back(column_quantity("i_ideal", c.vector, c.col), c.i_ideal);
    if (c.i_spice) out.emplace_back(column_quantity("i_spice", c.vector, c.col), *c.i_spice);
    if (c.i_nodal) out.emplace_back(column_quantity("i_nodal", c.vector, c.col), *c.i_nodal);
    if (c.rel_err) out.emplace_back(column_quantity("rel_err", c.vector, c.col), *c.rel_err);
  }
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
