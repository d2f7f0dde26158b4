#include "config_loader/data_file.hpp"

#include <fmt/format.h>

#include <cmath>

#include "config_loader/spice_number.hpp"
#include "config_loader/text_checks.hpp"

namespace xbar {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// Counts errors and stops the reader once the cap is reached.
class ErrorSink {
 public:
  ErrorSink(Diagnostics& diags, std::size_t cap, std::string path) : diags_(diags), cap_(cap), path_(std::move(path)) {}
  void error(int line, int col, std::string message) {
    if (full()) return;
    if (count_ + 1 == cap_) {
      diags_.error({path_, line, col}, "too many errors; stopping here");
      count_ = cap_;
      return;
    }
    diags_.error({path_, line, col}, std::move(message));
    ++count_;
  }
  bool full() const { return count_ >= cap_; }
  void warn(int line, int col, std::string message) {
    if (warnings_.size() < warn_cap_)
      warnings_.push_back(fmt::format("{}: warning: {}", SourcePos{path_, line, col}.str(), message));
    else
      ++warnings_left_;
  }
  void set_warning_cap(std::size_t cap) { warn_cap_ = cap; }
  std::vector<std::string> take_warnings() {
    if (warnings_left_ > 0)
      warnings_.push_back(fmt::format("{}: warning: {} more value{} like the above", path_, warnings_left_,
                                      warnings_left_ == 1 ? "" : "s"));
    return std::move(warnings_);
  }
  std::size_t count() const { return count_; }

 private:
  Diagnostics& diags_;
  std::size_t cap_;
  std::string path_;
  std::size_t count_ = 0;
  std::vector<std::string> warnings_;
  std::size_t warn_cap_ = 5, warnings_left_ = 0;
};

std::string range_words(const CsvReadOptions& o) {
  bool lo = o.min_value > -INFINITY, hi = o.max_value < INFINITY;
  if (lo && hi) return fmt::format("[{}, {}]", format_number(o.min_value), format_number(o.max_value));
  if (lo) return fmt::format(">= {}", format_number(o.min_value));
  return fmt::format("<= {}", format_number(o.max_value));
}

// Parses one data line into `row`; false when any field was refused.
bool parse_line(std::string_view line, int line_no, const CsvReadOptions& opts, ErrorSink& errors,
                std::vector<double>& row) {
  bool ok = true;
  std::size_t start = 0;
  while (true) {
    std::size_t comma = line.find(',', start);
    std::size_t end = comma == std::string_view::npos ? line.size() : comma;
    std::size_t b = start, e = end;
    while (b < e && is_space(line[b])) ++b;
    while (e > b && is_space(line[e - 1])) --e;
    std::string_view field = line.substr(b, e - b);
    int col = static_cast<int>((b < end ? b : start) + 1);
    if (field.empty()) {
      errors.error(line_no, col, "empty value (two commas in a row, or a trailing comma?)");
      ok = false;
    } else {
      SpiceNumber n = parse_spice_number_ex(field, opts.allow_inf);
      if (!n.value) {
        errors.error(line_no, col, number_problem_text(field, n.problem));
        ok = false;
      } else if (*n.value < opts.min_value || *n.value > opts.max_value) {
        errors.error(line_no, col,
                     fmt::format("value {} is out of range; expected {}", quote_for_message(field), range_words(opts)));
        ok = false;
      } else {
        if (has_upper_case_milli_suffix(field))
          errors.warn(line_no, col,
                      fmt::format("'{}' is read as {} (SPICE reads the suffix M as milli, in either case; "
                                  "write meg for mega)",
                                  quote_for_message(field), format_number(*n.value)));
        else if (*n.value < opts.warn_min || *n.value > opts.warn_max)
          errors.warn(
              line_no, col,
              fmt::format("'{}' {} is {} {} {}; is the file in the wrong unit?", quote_for_message(field),
                          opts.warn_unit, *n.value < opts.warn_min ? "below" : "above",
                          format_number(*n.value < opts.warn_min ? opts.warn_min : opts.warn_max), opts.warn_unit));
        row.push_back(*n.value);
      }
    }
    if (errors.full() || comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return ok;
}

}  // namespace

NumericTable parse_numeric_csv(std::string_view text, const std::string& path, const CsvReadOptions& opts,
                               Diagnostics& diags) {
  NumericTable table;
  ErrorSink errors(diags, opts.max_errors == 0 ? 1 : opts.max_errors, path);
  errors.set_warning_cap(opts.max_warnings);
  if (std::size_t at = find_nul(text); at != std::string_view::npos) {
    SourcePos p = position_of_offset(path, text, at);
    errors.error(p.line, p.col, fmt::format("the {} contains a NUL byte; is it a binary file?", opts.label));
    return table;
  }
  std::size_t expected_cols = opts.columns;
  int line_no = 0, last_line = 1;
  // A file of the wrong shape has the same fault on every line: reported
  // once, at the first, with the count.
  int wrong_width_rows = 0, first_wrong_line = 0;
  std::size_t first_wrong_width = 0;
  std::size_t pos = 0;
  while (pos < text.size() && !errors.full()) {
    std::size_t nl = text.find('\n', pos);
    std::string_view line = text.substr(pos, nl == std::string_view::npos ? std::string_view::npos : nl - pos);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    ++line_no;
    std::size_t first = 0;
    while (first < line.size() && is_space(line[first])) ++first;
    if (first == line.size() || line[first] == '#') continue;
    last_line = line_no;

    std::vector<double> row;
    if (!parse_line(line, line_no, opts, errors, row)) continue;
    if (expected_cols == 0) expected_cols = row.size();
    if (row.size() != expected_cols) {
      if (wrong_width_rows++ == 0) first_wrong_line = line_no, first_wrong_width = row.size();
      continue;
    }
    table.rows.push_back(std::move(row));
    table.line_of_row.push_back(line_no);
  }
  if (wrong_width_rows > 0)
    errors.error(
        first_wrong_line, 1,
        fmt::format(
            "row has {} value{}; expected {}{}", first_wrong_width, first_wrong_width == 1 ? "" : "s", expected_cols,
            wrong_width_rows == 1
                ? ""
                : fmt::format(" ({} rows have the wrong number of values; this is the first)", wrong_width_rows)));
  if (errors.count() == 0) {
    if (table.rows.empty())
      errors.error(1, 1, fmt::format("the {} holds no numbers", opts.label));
    else if (opts.rows != 0 && table.rows.size() != opts.rows)
      errors.error(last_line, 1,
                   fmt::format("the {} has {} row{}; expected {}", opts.label, table.rows.size(),
                               table.rows.size() == 1 ? "" : "s", opts.rows));
  }
  table.warnings = errors.take_warnings();
  return table;
}

NumericTable read_numeric_csv(const std::string& path, const CsvReadOptions& opts, Diagnostics& diags) {
  auto text = read_text_file(path, opts.max_bytes, opts.label, diags);
  if (!text) return {};
  return parse_numeric_csv(*text, path, opts, diags);
}

}  // namespace xbar
