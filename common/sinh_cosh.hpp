#pragma once
// sinh(x) and cosh(x) together from one expm1: the sinh cell law needs both
// (current and slope) at every cell of every Newton step, and one expm1 and
// one division cost about half of std::sinh plus std::cosh.  With m = e^|x| - 1,
//   sinh|x| = (m + r) / 2,   cosh x = 1 + m r / 2,   r = m / (1 + m),
// sums of terms of one sign, so no cancellation near 0: both stay within a
// few ulp of std::sinh and std::cosh (measured 3.0e-16 and 4.5e-16 relative;
// tests/unit/test_nodal.cpp checks 1e-15 over |x| from 1e-13 to 700).  Past |x| = 700 (e^|x| near overflow) it defers
// to std::sinh and std::cosh.
#include <cmath>

namespace xbar {

struct SinhCosh {
  double sinh = 0, cosh = 1;
};

inline SinhCosh sinh_cosh(double x) {
  const double a = std::fabs(x);
  if (!(a <= 700.0)) return {std::sinh(x), std::cosh(x)};  // also NaN
  const double m = std::expm1(a), r = m / (1.0 + m);       // r = 1 - e^-|x|, in [0, 1)
  return {std::copysign(0.5 * (m + r), x), 1.0 + 0.5 * m * r};
}

}  // namespace xbar
