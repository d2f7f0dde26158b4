#pragma once
// Dynamic device models (yakopcic, vteam, stanford_pku) as crossbar cells in
// transient runs.  A cell is an X instance of the model's subcircuit; its
// initial state comes from the conductance the tile placed there:
//   the weight gives G_ij = g_off + w (g_on - g_off) as for every model, and
//   the state is the one whose small-signal conductance at 0 V is G_ij
//   (yakopcic: x = G / (a1 b); vteam: x = (1/G - ron) / (roff - ron);
//   stanford_pku: gap = -g0 ln(G v0 / i0), in nm).
// So G_ij keeps its meaning ("conductance at 0 V") for the ideal reference,
// and a frozen-state cell has exactly the I-V of a built-in law (CellModel):
// yakopcic sinh with v0 = 1/b (for V >= 0, a1), vteam linear, stanford_pku
// sinh with the model's v0.  The nodal engine uses that law.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/diagnostics.hpp"
#include "models/registry.hpp"
#include "netlist_gen/circuit.hpp"

namespace xbar {

struct DynamicModel {
  const ModelInfo* info = nullptr;
  std::map<std::string, double> params;     // every parameter, overrides applied
  std::map<std::string, double> overrides;  // device.params as given (written on each instance)
  std::string state_param;                  // the subcircuit parameter holding the initial state: "x0" or "gini"
  std::string state_unit;                   // "1" (x) or "nm" (gap)
  double state_lo = 0, state_hi = 1;        // the state's range

  double p(const std::string& name) const { return params.at(name); }
  // Small-signal conductance at 0 V for state s (clipped to its range), S.
  double g_of_state(double s) const;
  // The state whose conductance at 0 V is g (g within g_range()).
  double state_of_g(double g) const;
  // Smallest and largest conductance at 0 V over the state range.
  std::pair<double, double> g_range() const;
  // The frozen-state I-V as a built-in law (name kept: the registry name).
  CellModel read_law() const;
  // p() as the registry's behaviour functions take it.
  ParamValue param_fn() const;
};

// True for a cell model placed as a subcircuit with a state (analysis tran).
bool is_dynamic_cell_model(const ModelInfo& m);
// The model `name` with `overrides`; nullopt when it is not a dynamic cell model.
std::optional<DynamicModel> find_dynamic_model(const std::string& name, const std::map<std::string, double>& overrides);

// Every present conductance of `g` (rows x phys_cols, 0 = absent) must be one
// the model reaches; each problem is reported at `where_high` (too large) or
// `where_low` (too small) with the model's range.
void check_dynamic_conductances(const DynamicModel& m, const std::vector<double>& g, int phys_cols,
                                const SourcePos& where_high, const SourcePos& where_low, Diagnostics& diags);

// Initial states of every cell position (rows x phys_cols) from the placed
// conductances; absent cells get the lower bound (never used).
std::vector<double> states_from_conductances(const DynamicModel& m, const std::vector<double>& g);

// Node holding the state of cell (i, j) (the subcircuit's third terminal).
std::string dynamic_state_node(int row, int col);

// Replaces every kCell element of `c` with a kDynamicCell X instance of the
// model's subcircuit: nodes {a, b, state}, the initial state from `states`
// (rows x phys_cols, by the element's row/col); adds the model's .include and
// `.options method=gear` (the tran command then needs `uic`).
void place_dynamic_cells(Circuit& c, const DynamicModel& m, const std::vector<double>& states, int phys_cols);

}  // namespace xbar
