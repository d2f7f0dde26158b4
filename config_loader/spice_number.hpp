#pragma once
// Numbers as users write them in configs and data files: SPICE scale suffixes
// (f p n u m k meg g t, case-insensitive; m = milli, meg = mega) and an
// optional exponent.  Parsing never depends on the C locale.
#include <optional>
#include <string>
#include <string_view>

namespace xbar {

enum class NumberProblem {
  kNone,
  kSyntax,    // not a number, or trailing text
  kNaN,       // "nan" is never a value
  kInfinity,  // "inf" where infinities are not allowed
  kOverflow,  // finite text whose value does not fit a double (1e400, 1e300t)
};

struct SpiceNumber {
  std::optional<double> value;
  NumberProblem problem = NumberProblem::kNone;
};

// The whole text must be the number: no surrounding spaces, no trailing text.
SpiceNumber parse_spice_number_ex(std::string_view text, bool allow_inf = false);

inline std::optional<double> parse_spice_number(std::string_view text, bool allow_inf = false) {
  return parse_spice_number_ex(text, allow_inf).value;
}

// The number's scale suffix is an upper-case M (milli to SPICE, though
// people often mean mega by it): "1M", "2.2M".
bool has_upper_case_milli_suffix(std::string_view text);

// A message for a failed parse, e.g. "'1.5x' is not a number; suffixes are ...".
std::string number_problem_text(std::string_view text, NumberProblem problem);

// The shortest text that parses back to exactly `value` ("0.0001", "1e+22", "inf").
std::string format_number(double value);

// `text` made printable for a message: control and non-ASCII bytes escaped,
// cut to `max_len` characters.
std::string quote_for_message(std::string_view text, std::size_t max_len = 40);

}  // namespace xbar
