// Dynamic models in tiles: the state <-> conductance maps, and the transform
// of a tile circuit's cells into subcircuit instances (see dynamic_cells.hpp).
#include "netlist_gen/dynamic_cells.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

namespace xbar {

bool is_dynamic_cell_model(const ModelInfo& m) { return m.kind == ModelKind::kCell && !m.spice_name.empty(); }

std::optional<DynamicModel> find_dynamic_model(const std::string& name,
                                               const std::map<std::string, double>& overrides) {
  const ModelInfo* info = find_model(name);
  if (info == nullptr || !is_dynamic_cell_model(*info)) return std::nullopt;
  DynamicModel m;
  m.info = info;
  m.overrides = overrides;
  for (const auto& p : info->params) m.params[p.name] = param_value(*info, p.name, overrides);
  // The registry entry owns the state map; a dynamic model without one is a
  // registry bug (tests/unit/test_models.cpp checks every entry).
  if (!info->state) throw std::logic_error("dynamic model '" + name + "' has no state mapping");
  m.state_param = info->state->param;
  m.state_unit = info->state->unit;
  if (!info->state->lo_param.empty()) m.state_lo = m.p(info->state->lo_param);
  if (!info->state->hi_param.empty()) m.state_hi = m.p(info->state->hi_param);
  return m;
}

ParamValue DynamicModel::param_fn() const {
  return [this](const std::string& n) { return p(n); };
}

double DynamicModel::g_of_state(double s) const {
  s = std::clamp(s, state_lo, state_hi);  // the subcircuits clip the same way
  return info->state->g_of_state(param_fn(), s);
}

double DynamicModel::state_of_g(double g) const { return info->state->state_of_g(param_fn(), g); }

std::pair<double, double> DynamicModel::g_range() const {
  const double a = g_of_state(state_lo), b = g_of_state(state_hi);
  return {std::min(a, b), std::max(a, b)};
}

CellModel DynamicModel::read_law() const {
  CellModel c;
  c.name = info->name;
  if (info->read_law) c.law = info->read_law(param_fn());
  return c;
}

void check_dynamic_conductances(const DynamicModel& m, const std::vector<double>& g, int phys_cols,
                                const SourcePos& where_high, const SourcePos& where_low, Diagnostics& diags) {
  const auto [lo, hi] = m.g_range();
  const double slack = 1e-12;  // rounding of the placed values
  for (std::size_t k = 0; k < g.size(); ++k) {
    if (g[k] <= 0) continue;
    const bool high = g[k] > hi * (1 + slack), low = g[k] < lo * (1 - slack);
    if (!high && !low) continue;
    diags.error(high ? where_high : where_low,
                fmt::format("cell ({}, {}) needs a conductance of {:g} S, outside what model '{}' reaches with its "
                            "parameters: [{:g}, {:g}] S (state {} in [{:g}, {:g}]{}); adjust device.g_on/g_off or the "
                            "model's parameters",
                            k / static_cast<std::size_t>(phys_cols), k % static_cast<std::size_t>(phys_cols), g[k],
                            m.info->name, lo, hi, m.state_param, m.state_lo, m.state_hi,
                            m.state_unit == "1" ? "" : " " + m.state_unit));
    return;  // one message: every other cell has the same cause
  }
}

std::vector<double> states_from_conductances(const DynamicModel& m, const std::vector<double>& g) {
  std::vector<double> s(g.size(), m.state_lo);
  for (std::size_t k = 0; k < g.size(); ++k)
    if (g[k] > 0) s[k] = std::clamp(m.state_of_g(g[k]), m.state_lo, m.state_hi);
  return s;
}

std::string dynamic_state_node(int row, int col) { return fmt::format("x{}_{}", row, col); }

void place_dynamic_cells(Circuit& c, const DynamicModel& m, const std::vector<double>& states, int phys_cols) {
  for (auto& e : c.elements) {
    if (e.kind != ElementKind::kCell) continue;
    if (e.row < 0 || e.col < 0 || e.nodes.size() != 2)
      throw std::logic_error("cell " + e.name + " has no tile position");
    const double s = states.at(static_cast<std::size_t>(e.row) * phys_cols + e.col);
    e.kind = ElementKind::kDynamicCell;
    e.name = fmt::format("xc{}_{}", e.row, e.col);
    e.nodes.push_back(c.add_node(dynamic_state_node(e.row, e.col)));
    e.model = m.info->spice_name;
    e.value = m.g_of_state(s);
    // Only what differs from the subcircuit's defaults (the registry's, as
    // tests/unit/test_models.cpp checks), then the cell's own state.
    e.params.assign(m.overrides.begin(), m.overrides.end());
    e.params.emplace_back(m.state_param, s);
  }
  const std::string file = model_file_path(m.info->file);
  if (std::find(c.includes.begin(), c.includes.end(), file) == c.includes.end()) c.includes.push_back(file);
  // Gear integration: the state equations are stiff next to the line RCs
  // (docs/ngspice.md).
  auto it = std::find_if(c.options.begin(), c.options.end(), [](const auto& kv) { return kv.first == "method"; });
  if (it == c.options.end()) c.options.emplace_back("method", "gear");
}

}  // namespace xbar
