#pragma once
// --accept: the new expected values of a case, from its current run.
#include <optional>
#include <string>
#include <vector>

#include "regression/case_discovery.hpp"
#include "regression/case_outcome.hpp"

namespace xbar::regression {

struct AcceptPlan {
  std::string old_text;  // "" for a new case
  std::string new_text;
  std::string diff;                   // unified, old -> new
  std::vector<std::string> warnings;  // closed-form values replaced, quantities dropped
};

// Null when the case needs no change (it passed) or cannot be accepted (it did
// not run: bad input, simulation failure, crash).  A failed case gets every
// `accepted` value from the run; a `closed-form` value is replaced only where it
// is outside tolerance, and then becomes `accepted` (with a warning).  A case
// without expected.yaml, or whose file lists no values, records the default
// selection.  Labels, tolerances and the header comment are kept.
std::optional<AcceptPlan> plan_accept(const CaseDef& c, const CaseOutcome& outcome);

// Writes plan.new_text to c.expected atomically.
void apply_accept(const CaseDef& c, const AcceptPlan& plan);

}  // namespace xbar::regression
