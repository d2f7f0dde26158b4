#include "regression/accept.hpp"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include <fmt/format.h>

#include "common/atomic_file.hpp"
#include "regression/expected_file.hpp"
#include "regression/text_diff.hpp"

namespace xbar::regression {

std::optional<AcceptPlan> plan_accept(const CaseDef& c, const CaseOutcome& outcome) {
  if (outcome.status != CaseStatus::kFailed && outcome.status != CaseStatus::kNew) return std::nullopt;
  AcceptPlan plan;
  ExpectedFile file;
  std::error_code ec;
  if (std::filesystem::exists(c.expected, ec)) {
    std::ifstream in(c.expected, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    plan.old_text = text.str();
    file = parse_expected(plan.old_text, c.expected.string());
  } else {
    file.header = fmt::format(
        "# Expected values of regression case `{}`, recorded from a run by `xbar regress --accept`.\n"
        "# They guard against change; they were not computed independently.\n",
        c.name);
  }
  std::unordered_map<std::string, double> got;
  for (const auto& [name, value] : outcome.observed) got.emplace(name, value);
  std::unordered_map<std::string, const ValueCheck*> check_of;
  for (const ValueCheck& ch : outcome.checks) check_of.emplace(ch.quantity, &ch);

  if (file.values.empty())
    for (const std::string& name : default_selection(outcome.observed)) file.values.push_back({name, {}, {}, {}, {}});

  std::vector<ExpectedValue> kept;
  for (ExpectedValue v : file.values) {
    const auto it = got.find(v.name);
    if (it == got.end()) {
      plan.warnings.push_back(fmt::format("{}: '{}' is no longer produced; dropped", c.name, v.name));
      continue;
    }
    if (v.origin == Origin::kClosedForm) {
      const auto ch = check_of.find(v.name);
      const bool outside = ch == check_of.end() || !ch->second->ok();
      if (outside) {
        plan.warnings.push_back(
            fmt::format("{}: '{}' came from a closed form ({}); replaced by the simulated {} and marked accepted",
                        c.name, v.name, v.value ? fmt::format("{}", *v.value) : "none", it->second));
        v.origin = Origin::kAccepted;
        v.value = it->second;
      }
    } else {
      v.value = it->second;
    }
    kept.push_back(std::move(v));
  }
  file.values = std::move(kept);
  file.xbar_version = xbar_version();
  file.ngspice_version = outcome.ngspice_version;
  plan.new_text = render_expected(file);
  plan.diff = unified_diff(plan.old_text, plan.new_text, c.expected.string(), c.expected.string() + " (accepted)");
  return plan;
}

void apply_accept(const CaseDef& c, const AcceptPlan& plan) { write_file_atomically(c.expected, plan.new_text); }

}  // namespace xbar::regression
