#include "device_tables/drain_current_table.hpp"

#include <cmath>
#include <stdexcept>

namespace xbar {
namespace {

// Beyond the grid's drain axis a half's rectangle needs values no tile
// reaches (v_d above the grid's top or below its bottom); only their
// smoothness matters, since a spline's dependence on a value decays by
// ~0.27 per step and the grid reaches 8 steps past the tile's voltages
// (transistor_tables.cpp).  Up to kCubicSteps steps out they are the cubic
// through the last 4 drain values at the same source voltage (the surface
// stays as smooth as the current across the edge: measured, the table's
// error inside is that of splines through ngspice's values out there, to 2
// digits); further out they continue linearly, so a Newton iterate that
// strays there sees a current that keeps its trend, not a cubic's swing.
constexpr int kCubicSteps = 8;

// The continuation of f[0], f[-stride], f[-2 stride], f[-3 stride] (grid
// values, f[0] at the edge) to `steps` points beyond the edge, into out[0..].
void continue_beyond(const double* f, std::ptrdiff_t stride, int steps, double* out) {
  const double f0 = f[0], f1 = f[-stride], f2 = f[-2 * stride], f3 = f[-3 * stride];
  for (int t = 1; t <= steps; ++t) {
    double& v = out[t - 1];
    if (t > kCubicSteps) {
      v = 2 * out[t - 2] - out[t - 3];  // t - 3 >= 6 >= 0: a straight line through the last two
      continue;
    }
    // Lagrange weights of the nodes 0, -1, -2, -3 at t.
    const double a = t + 1.0, b = t + 2.0, c = t + 3.0;
    v = f0 * a * b * c / 6 - f1 * t * b * c / 2 + f2 * t * a * c / 2 - f3 * t * a * b / 6;
  }
}

// One half on the square grid values[is * n + id] (v_d = lo + id h, v_s = lo
// + is h): x = v_s, y = v_ds over [0, span] (upper) or [-span, 0]; where the
// drain falls outside the grid, the continuation above.
BicubicTable half_table(const std::vector<double>& values, int n, double lo, double h, bool upper) {
  std::vector<double> t(static_cast<std::size_t>(n) * n), beyond(static_cast<std::size_t>(n));
  for (int is = 0; is < n; ++is) {
    const double* row = &values[static_cast<std::size_t>(is) * n];
    // Drain points beyond the grid: n - 1 - is above it (upper) or is below it.
    const int out = upper ? is : n - 1 - is;
    if (upper)
      continue_beyond(row + n - 1, 1, out, beyond.data());
    else
      continue_beyond(row, -1, out, beyond.data());
    for (int iy = 0; iy < n; ++iy) {
      const int id = upper ? is + iy : is + iy - (n - 1);
      double& v = t[static_cast<std::size_t>(iy) * n + is];
      if (id >= n)
        v = beyond[id - n];
      else if (id < 0)
        v = beyond[-id - 1];
      else
        v = row[id];
    }
  }
  const double span = (n - 1) * h;
  return BicubicTable(lo, n, upper ? 0.0 : -span, n, h, t,
                      upper ? BicubicTable::YEnd::data_slope_first : BicubicTable::YEnd::data_slope_last);
}

}  // namespace

DrainCurrentTable::DrainCurrentTable(double lo, int n, double h, const std::vector<double>& values) {
  if (n < 8 || !(h > 0) || values.size() != static_cast<std::size_t>(n) * static_cast<std::size_t>(n))
    throw std::invalid_argument("drain-current table: needs n >= 8 points per axis, h > 0 and n x n values");
  down_ = half_table(values, n, lo, h, false);
  up_ = half_table(values, n, lo, h, true);
}

DrainCurrentTable::Value DrainCurrentTable::eval_mix(const DrainCurrentTable* const* t, const double* w, int n,
                                                     double vd, double vs) {
  const BicubicTable* h[kMaxMix];
  if (n > kMaxMix) throw std::invalid_argument("drain-current table: a mix of more than 16 tables");
  for (int j = 0; j < n; ++j) h[j] = &t[j]->half(vd - vs);
  return of(BicubicTable::eval_mix(h, w, n, vs, vd - vs));
}

}  // namespace xbar
