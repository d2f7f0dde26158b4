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
  std::size_t max_errors = 20;      // then "too many errors" and stop
  std::string label = "data file";  // "weights file": names the file in messages
  // Values outside [warn_min, warn_max] are kept but warned about, with
  // `warn_unit` naming the unit (a weights file in siemens holding 0.3 is
  // legal and almost surely a unit mistake).
  double warn_min = -std::numeric_limits<double>::infinity();
  double warn_max = std::numeric_limits<double>::infinity();
  std::string warn_unit;
  std::size_t max_warnings = 5;  // then one line counting the rest
};

struct NumericTable {
  std::vector<std::vector<double>> rows;
  std::vector<int> line_of_row;  // 1-based line of each row in the file
  // "path:line:col: warning: ..." for values that parse but look wrong: a
  // suffix `M` (SPICE reads it as milli, in either case), a value outside
  // [warn_min, warn_max].
  std::vector<std::string> warnings;
};

NumericTable read_numeric_csv(const std::string& path, const CsvReadOptions& opts, Diagnostics& diags);

// The same on text in memory; `path` only names it in messages.
NumericTable parse_numeric_csv(std::string_view text, const std::string& path, const CsvReadOptions& opts,
                               Diagnostics& diags);

}  // namespace xbar
