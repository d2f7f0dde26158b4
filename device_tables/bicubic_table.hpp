#pragma once
// A smooth surface f(x, y) on a uniform square grid: the C2 bicubic spline
// through the grid values (natural end conditions), stored as one cubic
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

  BicubicTable() = default;
  // `values[iy * n + ix]` at x = lo + ix h, y = lo + iy h; n >= 2, h > 0.
  BicubicTable(double lo, double h, int n, const std::vector<double>& values);

  Value eval(double x, double y) const;
  // sum_k w[k] t[k](x, y): a fixed mix of n tables on one grid (a mismatched
  // transistor between characterised ones), from the mixed coefficients of
  // the one square, so it costs little more than one table.
  static Value eval_mix(const BicubicTable* const* t, const double* w, int n, double x, double y);
  double lo() const { return lo_; }
  double hi() const { return lo_ + h_ * (n_ - 1); }
  double step() const { return h_; }
  int points() const { return n_; }

 private:
  struct Square {
    std::size_t offset;  // into coef_
    double u, v, xc, yc;
  };
  Square locate(double x, double y) const;
  Value finish(const double* A, const Square& s, double x, double y) const;

  double lo_ = 0, h_ = 1;
  int n_ = 0;
  std::vector<double> coef_;  // (n-1)^2 squares x 16: a[k][l] of u^k v^l, u along x
};

}  // namespace xbar
