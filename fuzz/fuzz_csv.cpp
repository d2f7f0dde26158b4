// libFuzzer target: the numeric CSV reader (parse_numeric_csv).
// The first byte picks the reader's options (columns, inf allowed, a range);
// the rest is the file.  The reader must never throw or crash, and what it
// accepts must honour the options it was given.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "common/diagnostics.hpp"
#include "config_loader/data_file.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t mode = data[0];
  const std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);
  xbar::CsvReadOptions opts;
  opts.columns = mode & 0x3;  // 0 (any), 1, 2, 3
  opts.allow_inf = (mode & 0x4) != 0;
  if (mode & 0x8) {
    opts.min_value = 0;
    opts.max_value = 1;
  }
  opts.max_errors = (mode & 0x10) ? 3 : 20;
  opts.label = "weights file";
  xbar::Diagnostics diags;
  const xbar::NumericTable table = xbar::parse_numeric_csv(text, "fuzz.csv", opts, diags);
  if (diags.size() > opts.max_errors) std::abort();
  for (const auto& d : diags.items())
    if (d.message.empty() || d.pos.file != "fuzz.csv" || d.pos.line < 0 || d.pos.col < 0) std::abort();
  if (!diags.empty()) return 0;
  // Accepted: a non-empty rectangle of numbers within the options.
  if (table.rows.empty() || table.line_of_row.size() != table.rows.size()) std::abort();
  const std::size_t width = table.rows.front().size();
  if (width == 0 || (opts.columns != 0 && width != opts.columns)) std::abort();
  for (const auto& row : table.rows) {
    if (row.size() != width) std::abort();
    for (double v : row) {
      if (std::isnan(v)) std::abort();
      if (std::isinf(v) && !opts.allow_inf) std::abort();
      if (v < opts.min_value || v > opts.max_value) std::abort();
    }
  }
  return 0;
}
