#pragma once
// One regression case, evaluated in this process: load its expected values and
// config, run the job, compare, and keep the evidence of a failure in
// `<artefact_root>/<case>/` (netlist.cir, ngspice.log, diff.txt).
#include <filesystem>
#include <string>
#include <vector>

#include "regression/case_discovery.hpp"
#include "regression/case_outcome.hpp"

namespace xbar::regression {

struct SuiteOptions {
  std::vector<std::string> sets;        // --set KEY=VALUE, applied to every case
  std::filesystem::path artefact_root;  // e.g. regress-out/failed
  double case_time_limit_s = 600;       // per case; 0: none
};

// `<root>/<case>`, or "" when there is no root or the case name is not a
// relative path of plain folder names (".", ".." or "/x" could reach, and
// remove, files outside the evidence folder).
std::filesystem::path evidence_dir(const std::filesystem::path& root, const std::string& case_name);

// Never throws for a problem of the case itself: the outcome says what happened.
CaseOutcome evaluate_case(const CaseDef& c, const SuiteOptions& opt);

}  // namespace xbar::regression
