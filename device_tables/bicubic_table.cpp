#include "device_tables/bicubic_table.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace xbar {
namespace {

// Derivatives (per grid step) of the cubic spline through f[0..n-1] (stride
// `stride`), written to d with the same stride: the tridiagonal system
// m[k-1] + 4 m[k] + m[k+1] = 3 (f[k+1] - f[k-1]), ended naturally
// (2 m[0] + m[1] = 3 (f[1] - f[0]) and its mirror) or, at an end marked in
// `end`, with m there the slope of the quartic through the 5 end points
// (O(h^4), so the spline stays fourth order up to that edge).
void spline_slopes(const double* f, double* d, int n, std::size_t stride, std::vector<double>& c,
                   BicubicTable::YEnd end = BicubicTable::YEnd::natural) {
  auto F = [&](int k) { return f[static_cast<std::size_t>(k) * stride]; };
  auto D = [&](int k) -> double& { return d[static_cast<std::size_t>(k) * stride]; };
  const bool first_slope = end == BicubicTable::YEnd::data_slope_first;
  const bool last_slope = end == BicubicTable::YEnd::data_slope_last;
  c.assign(n, 0.0);
  // Thomas algorithm: c holds the modified super-diagonal.
  double diag = first_slope ? 1.0 : 2.0;
  c[0] = first_slope ? 0.0 : 1.0 / diag;
  D(0) = first_slope ? (-25 * F(0) + 48 * F(1) - 36 * F(2) + 16 * F(3) - 3 * F(4)) / 12 : 3.0 * (F(1) - F(0)) / diag;
  for (int k = 1; k < n; ++k) {
    const bool last = k == n - 1;
    if (last && last_slope) {
      D(k) = (25 * F(k) - 48 * F(k - 1) + 36 * F(k - 2) - 16 * F(k - 3) + 3 * F(k - 4)) / 12;
      c[k] = 0;
      break;
    }
    const double b = last ? 2.0 : 4.0;
    const double rhs = last ? 3.0 * (F(k) - F(k - 1)) : 3.0 * (F(k + 1) - F(k - 1));
    const double m = b - c[k - 1];
    c[k] = 1.0 / m;
    D(k) = (rhs - D(k - 1)) / m;
  }
  for (int k = n - 2; k >= 0; --k) D(k) -= c[k] * D(k + 1);
}

}  // namespace

BicubicTable::BicubicTable(double lo, double h, int n, const std::vector<double>& values)
    : BicubicTable(lo, n, lo, n, h, values) {}

BicubicTable::BicubicTable(double x_lo, int nx, double y_lo, int ny, double h, const std::vector<double>& values,
                           YEnd y_end)
    : x_lo_(x_lo), y_lo_(y_lo), h_(h), nx_(nx), ny_(ny) {
  if (nx < 2 || ny < (y_end == YEnd::natural ? 2 : 5) || !(h > 0) || values.size() != static_cast<std::size_t>(nx) * ny)
    throw std::invalid_argument("bicubic table: needs nx >= 2, ny >= 2 (5 with a data-slope end), h > 0, nx*ny values");
  const std::size_t N = static_cast<std::size_t>(nx), NY = static_cast<std::size_t>(ny);
  // Slopes per grid step: fx along rows, fy along columns, fxy = d/dy of fx.
  std::vector<double> fx(N * NY), fy(N * NY), fxy(N * NY), scratch;
  for (std::size_t iy = 0; iy < NY; ++iy) spline_slopes(&values[iy * N], &fx[iy * N], nx, 1, scratch);
  for (std::size_t ix = 0; ix < N; ++ix) {
    spline_slopes(&values[ix], &fy[ix], ny, N, scratch, y_end);
    spline_slopes(&fx[ix], &fxy[ix], ny, N, scratch, y_end);
  }
  // Hermite patch per square: A = M F M', F = [[f, f_v], [f_u, f_uv]] at the
  // four corners, M the cubic Hermite basis matrix.
  static constexpr double M[4][4] = {{1, 0, 0, 0}, {0, 0, 1, 0}, {-3, 3, -2, -1}, {2, -2, 1, 1}};
  coef_.resize((N - 1) * (NY - 1) * 16);
  for (std::size_t iy = 0; iy + 1 < NY; ++iy)
    for (std::size_t ix = 0; ix + 1 < N; ++ix) {
      auto at = [&](const std::vector<double>& a, std::size_t du, std::size_t dv) {
        return a[(iy + dv) * N + ix + du];
      };
      const double F[4][4] = {{at(values, 0, 0), at(values, 0, 1), at(fy, 0, 0), at(fy, 0, 1)},
                              {at(values, 1, 0), at(values, 1, 1), at(fy, 1, 0), at(fy, 1, 1)},
                              {at(fx, 0, 0), at(fx, 0, 1), at(fxy, 0, 0), at(fxy, 0, 1)},
                              {at(fx, 1, 0), at(fx, 1, 1), at(fxy, 1, 0), at(fxy, 1, 1)}};
      double T[4][4] = {};
      for (int a = 0; a < 4; ++a)
        for (int b = 0; b < 4; ++b)
          for (int k = 0; k < 4; ++k) T[a][b] += M[a][k] * F[k][b];
      double* A = &coef_[(iy * (N - 1) + ix) * 16];
      for (int a = 0; a < 4; ++a)
        for (int b = 0; b < 4; ++b) {
          double s = 0;
          for (int k = 0; k < 4; ++k) s += T[a][k] * M[b][k];
          A[a * 4 + b] = s;
        }
    }
}

BicubicTable::Square BicubicTable::locate(double x, double y) const {
  // Square and local coordinates; outside the grid, the edge point (plus a
  // linear continuation in finish()).
  const double xc = std::clamp(x, x_lo_, hi()), yc = std::clamp(y, y_lo_, y_hi());
  const double sx = (xc - x_lo_) / h_, sy = (yc - y_lo_) / h_;
  const int ix = std::min(static_cast<int>(sx), nx_ - 2), iy = std::min(static_cast<int>(sy), ny_ - 2);
  return {(static_cast<std::size_t>(iy) * (nx_ - 1) + ix) * 16, sx - ix, sy - iy, xc, yc};
}

BicubicTable::Value BicubicTable::finish(const double* A, const Square& s, double x, double y) const {
  const double u = s.u, v = s.v;
  // Horner in v for each power of u, then in u.
  double p[4], pv[4];
  for (int a = 0; a < 4; ++a) {
    const double* r = A + a * 4;
    p[a] = ((r[3] * v + r[2]) * v + r[1]) * v + r[0];
    pv[a] = (3 * r[3] * v + 2 * r[2]) * v + r[1];
  }
  Value out;
  out.f = ((p[3] * u + p[2]) * u + p[1]) * u + p[0];
  out.dx = ((3 * p[3] * u + 2 * p[2]) * u + p[1]) / h_;
  out.dy = (((pv[3] * u + pv[2]) * u + pv[1]) * u + pv[0]) / h_;
  out.f += out.dx * (x - s.xc) + out.dy * (y - s.yc);
  return out;
}

BicubicTable::Value BicubicTable::eval(double x, double y) const {
  if (std::isnan(x) || std::isnan(y)) return {NAN, NAN, NAN};
  const Square s = locate(x, y);
  return finish(&coef_[s.offset], s, x, y);
}

BicubicTable::Value BicubicTable::eval_mix(const BicubicTable* const* t, const double* w, int n, double x, double y) {
  if (std::isnan(x) || std::isnan(y)) return {NAN, NAN, NAN};
  const Square s = t[0]->locate(x, y);
  double A[16] = {};
  for (int k = 0; k < n; ++k) {
    const double* a = &t[k]->coef_[s.offset];
    for (int j = 0; j < 16; ++j) A[j] += w[k] * a[j];
  }
  return t[0]->finish(A, s, x, y);
}

}  // namespace xbar
