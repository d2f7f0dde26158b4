#pragma once
// The quantities a regression case can pin down, by name:
//   metrics      max_rel_err mean_rel_err nrmse max_ir_drop mean_ir_drop
//                max_ir_drop_v spice_vs_nodal adc_max_rel_err
//   read mode    i_sense i_cell i_sneak i_sense_lrs i_sense_hrs sneak_path_est
//                sneak_fraction sneak_fraction_lrs read_margin margin_ok
//                sneak_path_factor max_half_selected_v   (as in summary.json)
//   transient    energy_per_mvm_j max_energy_per_mvm_j max_settle_s mean_settle_s
//   per column   i_ideal[vV,cC] i_spice[vV,cC] i_nodal[vV,cC] rel_err[vV,cC]
//                t_settle[vV,cC] q[vV,cC]   (transient)
// Each name belongs to a kind, and each kind has a default tolerance.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/tolerance.hpp"
#include "runner/run_job.hpp"

namespace xbar::regression {

enum class QuantityKind { kCurrent, kError, kVoltage, kAgreement, kEnergy, kTime, kCharge };

const char* to_string(QuantityKind kind);
std::optional<QuantityKind> parse_quantity_kind(std::string_view text);
// Null when the name is not one of the forms above.
std::optional<QuantityKind> quantity_kind(std::string_view name);
// current: rel 1e-6, abs 1e-15 A; error: rel 1e-4, abs 1e-6; voltage: rel 1e-5,
// abs 1e-9 V; agreement (spice_vs_nodal): rel 0, abs 1e-9, i.e. a bound;
// energy: rel 1e-6, abs 1e-21 J; time: rel 1e-4, abs 1e-15 s (settling times
// are interpolated between ngspice's time points, so they move more than
// currents); charge: rel 1e-6, abs 1e-24 C.
Tolerance default_tolerance(QuantityKind kind);
// "metrics: ...; per column: ..." for error messages.
std::string known_quantities_text();

std::string column_quantity(std::string_view what, int vector, int col);  // "i_spice[v0,c3]"

using Observed = std::vector<std::pair<std::string, double>>;  // in a stable order

// Every quantity a run produced.  op: the metrics, then per column i_ideal,
// i_spice, i_nodal and rel_err where present.  read: the read metrics only
// (the op figures do not apply).  tran: as op, plus the transient metrics and
// per column t_settle (where defined) and q.
Observed observe(const RunResult& r);

// What a case records when it has no list of its own: the metrics and the
// currents of every engine that ran (all vectors while the list stays under
// ~1000 values, else the first vector only).
std::vector<std::string> default_selection(const Observed& observed);

}  // namespace xbar::regression
