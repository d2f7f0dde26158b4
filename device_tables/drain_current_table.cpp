#include "device_tables/drain_current_table.hpp"

#include <cmath>
#include <stdexcept>

namespace xbar {
namespace {

// One half, x = v_s (ns points), y = v_ds (m points from y_lo = -k h +
// k0 h): the grid's point (v_s, v_s + v_ds) is on the drain axis at index
// is + k0 + iy.
BicubicTable half_table(const std::vector<double>& values, int ns, int nd, double s_lo, double h, int k, int m, int k0,
                        BicubicTable::YEnd end) {
  std::vector<double> t(static_cast<std::size_t>(ns) * m);
  for (int iy = 0; iy < m; ++iy)
    for (int is = 0; is < ns; ++is)
      t[static_cast<std::size_t>(iy) * ns + is] = values[static_cast<std::size_t>(is) * nd + is + k0 + iy];
  return BicubicTable(s_lo, ns, (k0 - k) * h, m, h, t, end);
}

}  // namespace

DrainCurrentTable::DrainCurrentTable(double s_lo, int ns, double span, double h, const std::vector<double>& values) {
  const int k = static_cast<int>(std::lround(span / h));
  const int nd = ns + 2 * k;
  if (k < 4 || ns < 2 || std::abs(k * h - span) > 1e-9 * h ||
      values.size() != static_cast<std::size_t>(ns) * static_cast<std::size_t>(nd))
    throw std::invalid_argument(
        "drain-current table: needs a span of at least 4 whole steps and ns x (ns + 2 span/h) values");
  // v_ds = 0 sits at drain index is + k: the lower half starts k steps before it.
  down_ = half_table(values, ns, nd, s_lo, h, k, k + 1, 0, BicubicTable::YEnd::data_slope_last);
  up_ = half_table(values, ns, nd, s_lo, h, k, k + 1, k, BicubicTable::YEnd::data_slope_first);
}

DrainCurrentTable::Value DrainCurrentTable::eval_mix(const DrainCurrentTable* const* t, const double* w, int n,
                                                     double vd, double vs) {
  const BicubicTable* h[kMaxMix];
  if (n > kMaxMix) throw std::invalid_argument("drain-current table: a mix of more than 16 tables");
  for (int j = 0; j < n; ++j) h[j] = &t[j]->half(vd - vs);
  return of(BicubicTable::eval_mix(h, w, n, vs, vd - vs));
}

}  // namespace xbar
