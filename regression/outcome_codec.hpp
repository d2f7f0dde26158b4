#pragma once
// A CaseOutcome as JSON text, for the pipe from a case's process to the suite.
// Numbers travel as shortest round-trip text, so inf and nan survive.
#include <string>

#include "regression/case_outcome.hpp"

namespace xbar::regression {

std::string encode_outcome(const CaseOutcome& o);
// Throws std::runtime_error on malformed text.
CaseOutcome decode_outcome(const std::string& text);

}  // namespace xbar::regression
