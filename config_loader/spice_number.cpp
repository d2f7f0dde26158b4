#include "config_loader/spice_number.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <cmath>
#include <limits>
#include <optional>

namespace xbar {
namespace {

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

struct Suffix {
  std::string_view text;
  int exponent;  // applied in decimal, so 100u is exactly the double nearest 1e-4
};
// "meg" before "m": the longest match wins.
constexpr std::array<Suffix, 9> kSuffixes{
    {{"meg", 6}, {"f", -15}, {"p", -12}, {"n", -9}, {"u", -6}, {"m", -3}, {"k", 3}, {"g", 9}, {"t", 12}}};

// Length of the leading [+-]digits[.digits][e[+-]digits] part, 0 if none.
std::size_t numeric_prefix_length(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) ++i;
  std::size_t digits = 0;
  while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  if (i < s.size() && s[i] == '.') {
    ++i;
    while (i < s.size() && is_digit(s[i])) ++i, ++digits;
  }
  if (digits == 0) return 0;
  // An exponent only when digits follow; "1e" is left as trailing text.
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    std::size_t j = i + 1;
    if (j < s.size() && (s[j] == '+' || s[j] == '-')) ++j;
    if (j < s.size() && is_digit(s[j])) {
      while (j < s.size() && is_digit(s[j])) ++j;
      i = j;
    }
  }
  return i;
}

// The decimal exponent of the leading nonzero digit of `mantissa`
// ([digits][.digits], no sign, no exponent): 2 for "123.4", -3 for "0.001";
// nullopt when every digit is 0.
std::optional<long long> leading_digit_exponent(std::string_view mantissa) {
  const std::size_t dot = std::min(mantissa.find('.'), mantissa.size());
  for (std::size_t i = 0; i < mantissa.size(); ++i) {
    if (i == dot || mantissa[i] == '0') continue;
    return i < dot ? static_cast<long long>(dot - i - 1) : -static_cast<long long>(i - dot);
  }
  return std::nullopt;
}

// A number from_chars could not hold: 0 when its size is below the doubles'
// range (1e-400, or 0.0 with any exponent), an overflow when above (1e400,
// 1 followed by 400 zeros with any suffix).  The sign of the exponent alone
// cannot tell: 1<400 zeros>e-3 is huge.
SpiceNumber out_of_range(std::string_view mantissa, long long exponent, bool negative) {
  const auto lead = leading_digit_exponent(mantissa);
  if (!lead || *lead + exponent < 0) return {negative ? -0.0 : 0.0, NumberProblem::kNone};
  return {std::nullopt, NumberProblem::kOverflow};
}

}  // namespace

bool has_upper_case_milli_suffix(std::string_view text) {
  if (!text.empty() && (text[0] == '+' || text[0] == '-')) text.remove_prefix(1);
  const std::size_t n = numeric_prefix_length(text);
  return n > 0 && text.substr(n) == "M";
}

SpiceNumber parse_spice_number_ex(std::string_view text, bool allow_inf) {
  std::string_view unsigned_part = text;
  bool negative = false;
  if (!unsigned_part.empty() && (unsigned_part[0] == '+' || unsigned_part[0] == '-')) {
    negative = unsigned_part[0] == '-';
    unsigned_part.remove_prefix(1);
  }
  // YAML spells them .nan and .inf; treat them like nan and inf.
  if (!unsigned_part.empty() && unsigned_part[0] == '.' && unsigned_part.size() > 1 && !is_digit(unsigned_part[1]))
    unsigned_part.remove_prefix(1);
  if (iequals(unsigned_part, "nan")) return {std::nullopt, NumberProblem::kNaN};
  if (iequals(unsigned_part, "inf") || iequals(unsigned_part, "infinity")) {
    if (!allow_inf) return {std::nullopt, NumberProblem::kInfinity};
    double inf = std::numeric_limits<double>::infinity();
    return {negative ? -inf : inf, NumberProblem::kNone};
  }

  std::size_t n = numeric_prefix_length(text);
  if (n == 0) return {std::nullopt, NumberProblem::kSyntax};
  std::string_view number = text.substr(0, n);
  std::string_view rest = text.substr(n);
  if (!number.empty() && number[0] == '+') number.remove_prefix(1);  // from_chars refuses '+'

  int suffix_exponent = 0;
  if (!rest.empty()) {
    bool found = false;
    for (const auto& s : kSuffixes) {
      if (iequals(rest, s.text)) {
        suffix_exponent = s.exponent;
        found = true;
        break;
      }
    }
    if (!found) return {std::nullopt, NumberProblem::kSyntax};
  }

  double value = 0.0;
  if (suffix_exponent == 0) {
    // No suffix: the common case in data files, parsed in place.
    auto [ptr, ec] = std::from_chars(number.data(), number.data() + number.size(), value);
    if (ec != std::errc::result_out_of_range) {
      if (ec != std::errc() || ptr != number.data() + number.size()) return {std::nullopt, NumberProblem::kSyntax};
      return {value, NumberProblem::kNone};
    }
    // Out of range: judged below with the suffixed numbers.
  }

  // Fold the suffix into the decimal exponent and let from_chars round once.
  std::string_view mantissa = number;
  long long exponent = suffix_exponent;
  if (std::size_t e = number.find_first_of("eE"); e != std::string_view::npos) {
    mantissa = number.substr(0, e);
    std::string_view exp_text = number.substr(e + 1);
    if (!exp_text.empty() && exp_text[0] == '+') exp_text.remove_prefix(1);
    int written = 0;
    auto [p, ec] = std::from_chars(exp_text.data(), exp_text.data() + exp_text.size(), written);
    if (ec == std::errc::result_out_of_range)  // an absurd exponent: the value is 0 or does not fit
      return out_of_range(mantissa, exp_text[0] == '-' ? -(1LL << 40) : (1LL << 40), negative);
    if (ec != std::errc() || p != exp_text.data() + exp_text.size()) return {std::nullopt, NumberProblem::kSyntax};
    exponent += written;
  }
  std::string canonical = fmt::format("{}e{}", mantissa, exponent);
  auto [ptr, ec] = std::from_chars(canonical.data(), canonical.data() + canonical.size(), value);
  if (ec == std::errc::result_out_of_range) return out_of_range(mantissa, exponent, negative);
  if (ec != std::errc() || ptr != canonical.data() + canonical.size()) return {std::nullopt, NumberProblem::kSyntax};
  if (!std::isfinite(value)) return {std::nullopt, NumberProblem::kOverflow};
  return {value, NumberProblem::kNone};
}

std::string number_problem_text(std::string_view text, NumberProblem problem) {
  std::string shown = quote_for_message(text);
  switch (problem) {
    case NumberProblem::kNone: return {};
    case NumberProblem::kSyntax: return fmt::format("'{}' is not a number; suffixes are f p n u m k meg g t", shown);
    case NumberProblem::kNaN: return fmt::format("'{}' is not allowed: NaN is not a value", shown);
    case NumberProblem::kInfinity: return fmt::format("'{}' is not allowed here: the value must be finite", shown);
    case NumberProblem::kOverflow: return fmt::format("'{}' is out of range: too large for a double", shown);
  }
  return {};
}

std::string format_number(double value) { return fmt::format("{}", value); }

std::string quote_for_message(std::string_view text, std::size_t max_len) {
  std::string out;
  std::size_t shown = 0;
  for (unsigned char c : text) {
    if (shown == max_len) {
      out += "...";
      break;
    }
    if (c == '\n')
      out += "\\n";
    else if (c == '\t')
      out += "\\t";
    else if (c == '\r')
      out += "\\r";
    else if (c < 0x20 || c >= 0x7f)
      out += fmt::format("\\x{:02X}", c);
    else
      out += static_cast<char>(c);
    ++shown;
  }
  return out;
}

}  // namespace xbar
