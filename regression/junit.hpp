#pragma once
// The suite's outcomes as JUnit XML (for CI dashboards).
#include <string>
#include <vector>

#include "regression/case_outcome.hpp"

namespace xbar::regression {

std::string junit_xml(const std::vector<CaseOutcome>& outcomes, const std::string& suite_name);

}  // namespace xbar::regression
