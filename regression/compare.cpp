#include "regression/compare.hpp"

#include <algorithm>
#include <array>
#include <limits>
#include <unordered_map>

#include <fmt/format.h>

namespace xbar::regression {

const char* to_string(CaseStatus s) {
  switch (s) {
    case CaseStatus::kPassed: return "passed";
    case CaseStatus::kFailed: return "failed";
    case CaseStatus::kNew: return "new";
    case CaseStatus::kBadInput: return "bad-input";
    case CaseStatus::kSimFailed: return "simulation-failed";
    case CaseStatus::kCrashed: return "crashed";
    case CaseStatus::kInternal: return "internal-error";
  }
  return "?";
}

std::size_t CaseOutcome::failed_checks() const {
  return static_cast<std::size_t>(
      std::count_if(checks.begin(), checks.end(), [](const ValueCheck& c) { return !c.ok(); }));
}

std::vector<ValueCheck> compare_values(const ExpectedFile& expected, const Observed& observed) {
  std::unordered_map<std::string, double> got;
  for (const auto& [name, value] : observed) got.emplace(name, value);
  std::vector<ValueCheck> out;
  out.reserve(expected.values.size());
  for (const ExpectedValue& v : expected.values) {
    ValueCheck c;
    c.quantity = v.name;
    c.expected = v.value;
    c.tolerance = expected.tolerance_of(v);
    if (auto it = got.find(v.name); it != got.end()) c.got = it->second;
    c.ratio = (c.expected && c.got) ? c.tolerance.ratio(*c.expected, *c.got) : 0.0;
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<TableRow> failing_rows(const CaseOutcome& outcome) {
  std::vector<TableRow> rows;
  for (const ValueCheck& c : outcome.checks)
    if (!c.ok()) rows.push_back({outcome.name, c});
  // Worst first: missing values, then by how many tolerances away.
  auto severity = [](const ValueCheck& c) {
    return (c.expected && c.got) ? c.ratio : std::numeric_limits<double>::infinity();
  };
  std::stable_sort(rows.begin(), rows.end(),
                   [&](const TableRow& a, const TableRow& b) { return severity(a.check) > severity(b.check); });
  return rows;
}

std::string deviation_table(const std::vector<TableRow>& rows) {
  std::vector<std::array<std::string, 6>> cells;
  cells.push_back({"case", "quantity", "expected", "got", "tolerance", "x-tol"});
  for (const TableRow& r : rows) {
    const ValueCheck& c = r.check;
    std::string ratio = !c.expected ? "no expected value" : !c.got ? "not produced" : fmt::format("{:.3g}", c.ratio);
    cells.push_back({r.case_name, c.quantity, c.expected ? fmt::format("{}", *c.expected) : "-",
                     c.got ? fmt::format("{}", *c.got) : "-", c.tolerance.str(), ratio});
  }
  std::array<std::size_t, 6> width{};
  for (const auto& row : cells)
    for (std::size_t k = 0; k < row.size(); ++k) width[k] = std::max(width[k], row[k].size());
  std::string out;
  for (const auto& row : cells) {
    std::string line;
    for (std::size_t k = 0; k < row.size(); ++k)
      line += k + 1 < row.size() ? fmt::format("{:<{}}  ", row[k], width[k]) : row[k];
    out += line + "\n";
  }
  return out;
}

}  // namespace xbar::regression
