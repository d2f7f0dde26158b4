#include "regression/quantities.hpp"

#include <algorithm>
#include <regex>

#include <fmt/format.h>

namespace xbar::regression {
namespace {

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

namespace {

// "what[vV,cC]" of any declared column figure: what, V and C (no leading zeros).
std::optional<QuantityKind> column_kind(std::string_view name) {
  static const std::regex column(R"(([a-z_]+)\[v(0|[1-9][0-9]{0,6}),c(0|[1-9][0-9]{0,6})\])");
  std::match_results<std::string_view::const_iterator> m;
  if (!std::regex_match(name.begin(), name.end(), m, column)) return std::nullopt;
  const ColumnFigureDef* c = find_column_figure(m[1].str());
  return c ? std::optional(c->kind) : std::nullopt;
}

}  // namespace

std::optional<QuantityKind> quantity_kind(std::string_view name) {
  if (const FigureDef* f = find_figure(name)) return f->kind;
  return column_kind(name);
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
  std::string metrics = "metrics:", columns;
  std::vector<std::string_view> seen;  // a figure of two analyses (kcl_residual) once
  for (const AnalysisOutputs* entry : all_analysis_outputs()) {
    for (const FigureDef& f : entry->figures)
      if (std::find(seen.begin(), seen.end(), f.name) == seen.end()) {
        seen.push_back(f.name);
        metrics += fmt::format(" {}", f.name);
      }
    for (const ColumnFigureDef& c : entry->column_figures)
      columns += fmt::format("{}{}", columns.empty() ? "" : "|", c.what);
  }
  return metrics + "; per column: " + columns + "[vN,cN]";
}

std::string column_quantity(std::string_view what, int vector, int col) {
  return column_figure_name(what, vector, col);
}

Observed observe(const RunResult& r) {
  Observed out;
  for (const AnalysisOutputs* entry : analysis_outputs_of(r)) {
    // What was not computed is not observed (as in summary.json).
    for (const FigureDef& f : entry->figures)
      if (const auto v = f.value(r)) out.emplace_back(f.name, *v);
    if (entry->column_values) entry->column_values(r, out);
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
