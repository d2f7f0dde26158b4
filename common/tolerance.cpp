#include "common/tolerance.hpp"

#include <cmath>
#include <limits>

#include <fmt/format.h>

namespace xbar {

double Tolerance::ratio(double expected, double got) const {
  if (!std::isfinite(expected) || !std::isfinite(got)) {
    return (expected == got) ? 0.0 : std::numeric_limits<double>::infinity();
  }
  const double allowed = std::max(rel * std::fabs(expected), abs_floor);
  const double dev = std::fabs(got - expected);
  if (allowed == 0.0) return dev == 0.0 ? 0.0 : std::numeric_limits<double>::infinity();
  return dev / allowed;
}

bool Tolerance::accepts(double expected, double got) const { return ratio(expected, got) <= 1.0; }

std::string Tolerance::str() const { return fmt::format("rel {:g}, abs {:g}", rel, abs_floor); }

double relative_difference(double ref, double got) {
  if (ref == 0.0) {
    if (got == 0.0) return 0.0;
    return got > 0 ? std::numeric_limits<double>::infinity() : -std::numeric_limits<double>::infinity();
  }
  return (got - ref) / std::fabs(ref);
}

}  // namespace xbar
