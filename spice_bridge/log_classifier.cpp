#include "spice_bridge/log_classifier.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

#include "common/ascii_case.hpp"
#include "spice_bridge/text_util.hpp"

namespace xbar::spice {
namespace {

constexpr std::array kFailureMarks = {"aborted", "not parsed", "timestep too small", "could not find a valid modelname",
                                      "cannot recover"};
// "unrecognized parameter": a model card line ngspice ignored (e.g. a BSIM3 name
// on a BSIM4 card), so the device is not the one the card describes.
constexpr std::array kSuspectMarks = {"singular matrix", "stepping failed", "unrecognized parameter"};

bool contains_any(const std::string& text, const auto& marks) {
  return std::any_of(marks.begin(), marks.end(), [&](const char* m) { return text.find(m) != std::string::npos; });
}

}  // namespace

LogVerdict classify_log(const std::vector<LogLine>& lines) {
  LogVerdict verdict;
  std::string model_hint;
  for (const LogLine& line : lines) {
    const std::string_view text = trim(line.text);
    const std::string low = ascii_lower(text);
    const bool failure = low.starts_with("error") || contains_any(low, kFailureMarks);
    if (failure && verdict.error.empty()) verdict.error = std::string(text);
    if (low.find("can't find model") != std::string::npos && model_hint.empty()) model_hint = std::string(text);
    const bool suspect = !failure && (low.starts_with("warning") || contains_any(low, kSuspectMarks));
    if (suspect && std::find(verdict.warnings.begin(), verdict.warnings.end(), text) == verdict.warnings.end())
      verdict.warnings.emplace_back(text);
  }
  if (!verdict.error.empty() && !model_hint.empty()) verdict.error += " (" + model_hint + ")";
  return verdict;
}

std::string join_log(const std::vector<LogLine>& lines) {
  std::string out;
  for (const LogLine& line : lines) {
    out += line.text;
    out += '\n';
  }
  return out;
}

}  // namespace xbar::spice
