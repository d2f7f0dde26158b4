#pragma once
// A smooth surface f(x, y) on a uniform grid (the same step along both axes):
// the C2 bicubic spline through the grid values (natural end conditions, or
// along y a slope taken from the data at one end), stored as one cubic
// polynomial per grid square.  Values and derivatives come from the same
// polynomial, so Newton's Jacobian is the exact derivative of the current it
// uses.  Outside the grid the surface continues linearly (value plus edge
// derivative times the distance).
#include <cstddef>
#include <vector>

namespace xbar {

class BicubicTable {
 public:
  struct Value {
    double f = 0, dx = 0, dy = 0;
  };

  // How the spline along y ends: natural at both ends, or at its first
  // (last) point with the slope of the quartic through the 5 points there.
  // A surface with a kink along that edge (a drain current at v_ds = 0) is
  // then fitted to O(h^4) up to it; a natural end errs O(h^2) next to it.
  enum class YEnd { natural, data_slope_first, data_slope_last };

  BicubicTable() = default;
  // `values[iy * n + ix]` at x = lo + ix h, y = lo + iy h; n >= 2, h > 0.
  BicubicTable(double lo, double h, int n, const std::vector<double>& values);
  // `values[iy * nx + ix]` at x = x_lo + ix h, y = y_lo + iy h; nx, ny >= 2
  // (>= 5 along y for a data-slope end).
  BicubicTable(double x_lo, int nx, double y_lo, int ny, double h, const std::vector<double>& values,
               YEnd y_end = YEnd::natural);

  Value eval(double x, double y) const;
  // sum_k w[k] t[k](x, y): a fixed mix of n tables on one grid (a mismatched
  // transistor between characterised ones), from the mixed coefficients of
  // the one square, so it costs little more than one table.
  static Value eval_mix(const BicubicTable* const* t, const double* w, int n, double x, double y);
  double lo() const { return x_lo_; }  // of x
  double hi() const { return x_lo_ + h_ * (nx_ - 1); }
  double y_lo() const { return y_lo_; }
  double y_hi() const { return y_lo_ + h_ * (ny_ - 1); }
  double step() const { return h_; }
  int points() const { return nx_; }  // along x
  int y_points() const { return ny_; }

 private:
  struct Square {
    std::size_t offset;  // into coef_
    double u, v, xc, yc;
  };
  Square locate(double x, double y) const;
  Value finish(const double* A, const Square& s, double x, double y) const;

  double x_lo_ = 0, y_lo_ = 0, h_ = 1;
  int nx_ = 0, ny_ = 0;
  std::vector<double> coef_;  // (nx-1)(ny-1) squares x 16: a[k][l] of u^k v^l, u along x
};

}  // namespace xbar
