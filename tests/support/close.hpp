#pragma once
// The tests' one floating-point comparison, on the project's tolerance rule
// (common/tolerance.hpp): |got - expected| <= max(rel |expected|, abs_floor),
// the floor in the quantity's own unit (A, V, s, C, J, or 1 for a ratio).
//
//   CHECK(close(got, expected, 1e-9, 1e-18));          // one value
//   CHECK(all_close(got_vec, want_vec, 1e-9, 1e-18));  // every element
//
// On failure doctest prints the value(s), the relative error and the
// tolerance, so a failed check says by how much it failed.  doctest::Approx
// is not used: its default scale of 1 makes `.epsilon(e)` an absolute
// tolerance of about e on amps and seconds.
#include <cmath>
#include <cstddef>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "common/tolerance.hpp"

namespace xbar::testing {

struct Closeness {
  double got = 0, expected = 0;
  Tolerance tol;
  long index = -1;   // the worst element of all_close, -1 for a single value
  std::string note;  // why nothing was compared (all_close on different sizes)
  explicit operator bool() const { return note.empty() && tol.accepts(expected, got); }
};

inline Closeness close(double got, double expected, double rel, double abs_floor) {
  Closeness c;
  c.got = got;
  c.expected = expected;
  c.tol = Tolerance{rel, abs_floor};
  return c;
}

// Every got[k] against want[k]; the element reported is the one furthest
// outside (or nearest to) its tolerance.
inline Closeness all_close(const std::vector<double>& got, const std::vector<double>& want, double rel,
                           double abs_floor) {
  Closeness worst = close(0, 0, rel, abs_floor);
  if (got.size() != want.size() || got.empty()) {
    worst.note = fmt::format("sizes differ or are empty: got {} values, expected {}", got.size(), want.size());
    return worst;
  }
  double worst_ratio = -1;
  for (std::size_t k = 0; k < got.size(); ++k) {
    const double r = worst.tol.ratio(want[k], got[k]);
    if (!(r <= worst_ratio)) {  // NaN counts as the worst
      worst_ratio = std::isnan(r) ? INFINITY : r;
      worst.got = got[k];
      worst.expected = want[k];
      worst.index = static_cast<long>(k);
    }
  }
  return worst;
}

}  // namespace xbar::testing

namespace doctest {
template <>
struct StringMaker<xbar::testing::Closeness> {
  static String convert(const xbar::testing::Closeness& c) {
    if (!c.note.empty()) return String(c.note.c_str());
    const std::string at = c.index >= 0 ? fmt::format("[{}] ", c.index) : std::string();
    const std::string s = fmt::format(
        "{}got {:.17g}, expected {:.17g}: deviation {:.3g}, relative error {:.3g}, tolerance {} ({:.3g} of it)", at,
        c.got, c.expected, std::fabs(c.got - c.expected), std::fabs(xbar::relative_difference(c.expected, c.got)),
        c.tol.str(), c.tol.ratio(c.expected, c.got));
    return String(s.c_str());
  }
};
}  // namespace doctest
