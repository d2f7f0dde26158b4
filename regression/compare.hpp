#pragma once
// Expected values against observed ones, and the table of differences.
#include <string>
#include <vector>

#include "regression/case_outcome.hpp"
#include "regression/expected_file.hpp"

namespace xbar::regression {

// One check per expected value, in the file's order.
std::vector<ValueCheck> compare_values(const ExpectedFile& expected, const Observed& observed);

struct TableRow {
  std::string case_name;
  ValueCheck check;
};
// The failing checks as an aligned text table:
//   case  quantity  expected  got  tolerance  x-tol
std::string deviation_table(const std::vector<TableRow>& rows);
// The checks of `outcome` that fail, worst first.
std::vector<TableRow> failing_rows(const CaseOutcome& outcome);

}  // namespace xbar::regression
