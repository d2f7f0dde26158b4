#pragma once
// The one tolerance rule of the project: relative, with an absolute floor.
//   |got - expected| <= max(rel * |expected|, abs_floor)
// Used by the regression suite, the KCL checks and the cross-engine checks.
#include <string>

namespace xbar {

struct Tolerance {
  double rel = 1e-9;
  double abs_floor = 0.0;
  bool accepts(double expected, double got) const;
  // The error in units of the allowed deviation: <= 1 means accepted.
  double ratio(double expected, double got) const;
  std::string str() const;
};

// Signed relative difference (got - ref) / |ref|; 0 when both are 0, +-inf
// when only ref is 0.
double relative_difference(double ref, double got);

}  // namespace xbar
