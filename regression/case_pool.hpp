#pragma once
// Runs cases in parallel, each in its own forked process: ngspice keeps all
// its state in process globals, and a case that crashes or hangs must not take
// the suite with it.  The child evaluates the case and sends its outcome back
// through a pipe; the parent only waits, reads and reaps.
#include <functional>
#include <vector>

#include "regression/case_discovery.hpp"
#include "regression/case_outcome.hpp"
#include "regression/evaluate_case.hpp"

namespace xbar::regression {

using CaseFunction = std::function<CaseOutcome(const CaseDef&)>;

// Outcomes in the order of `cases`.  `on_done` is called in the parent as each
// case finishes (in completion order).  A child that dies, or outlives
// `time_limit_s` (0: none; it is killed with its whole process group), becomes
// a kCrashed outcome.  `run` is what each child does (evaluate_case by default;
// tests pass their own).
std::vector<CaseOutcome> run_cases(const std::vector<CaseDef>& cases, int jobs, double time_limit_s,
                                   const CaseFunction& run,
                                   const std::function<void(const CaseOutcome&)>& on_done = {});

}  // namespace xbar::regression
