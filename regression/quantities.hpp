#pragma once
// The quantities a regression case can pin down, by name: every figure of
// summary.json's metrics, and per column `what[vV,cC]` (i_ideal, i_spice,
// i_nodal, rel_err, i_target; t_settle and q of a transient; noise_i_rms),
// each with its kind, as the analyses declare them
// (report/analysis_outputs.hpp).  Each kind has a default tolerance.
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/tolerance.hpp"
#include "report/analysis_outputs.hpp"
#include "runner/run_job.hpp"

namespace xbar::regression {

using xbar::QuantityKind;  // report/analysis_outputs.hpp

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

using Observed = FigureValues;  // in a stable order

// Every quantity a run produced: for each analysis entry that applies to it
// (op, read, tran, noise), its figures that were computed, then its column
// quantities.  A read has no op figures.
Observed observe(const RunResult& r);

// What a case records when it has no list of its own: the metrics and the
// currents of every engine that ran (all vectors while the list stays under
// ~1000 values, else the first vector only).
std::vector<std::string> default_selection(const Observed& observed);

}  // namespace xbar::regression
