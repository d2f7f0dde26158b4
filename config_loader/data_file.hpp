#pragma once
// Numeric CSV files (weights, inputs): comma-separated numbers with optional
// spaces and SPICE suffixes; `#` comment lines and blank lines are skipped;
// CRLF is fine.  Problems go to `diags` as `path:line:col: error: ...`; the
// reader never throws on bad content and never hangs on any bytes.
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "common/diagnostics.hpp"

namespace xbar {

struct CsvReadOptions {
  std::size_t columns = 0;  // values per row; 0: any, but the same in every row
  std::size_t rows = 0;     // 0: any number (at least one)
  bool allow_inf = false;   // "inf" allowed (resistance files: an absent cell)
  double min_value = -std::numeric_limits<double>::infinity();
  double max_value = std::numeric_limits<double>::infinity();
  std::uintmax_t max_bytes = 256u << 20;
  std::size_t max_errors = 20;  // then "too many errors" and stop
  std::string label = "data file";  // "weights file": names the file in messages
};

struct NumericTable {
  std::vector<std::vector<double>> rows;
  std::vector<int> line_of_row;  // 1-based line of each row in the file
};

NumericTable read_numeric_csv(const std::string& path, const CsvReadOptions& opts, Diagnostics& diags);

// The same on text in memory; `path` only names it in messages.
NumericTable parse_numeric_csv(std::string_view text, const std::string& path, const CsvReadOptions& opts,
                               Diagnostics& diags);

}  // namespace xbar
