#pragma once
// A smooth surface f(x, y) on a uniform square grid: the C2 bicubic spline
// through the grid values (natural end conditions), stored as one cubic
// polynomial per grid square.  Values and derivatives come from the same
// polynomial, so Newton's Jacobian is the exact derivative of the current it
// uses.  Outside the grid the surface continues linearly (value plus edge
// derivative times the distance).
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
  double lo() const { return lo_; }
  double hi() const { return lo_ + h_ * (n_ - 1); }
  double step() const { return h_; }
  int points() const { return n_; }

 private:
  double lo_ = 0, h_ = 1;
  int n_ = 0;
  std::vector<double> coef_;  // (n-1)^2 squares x 16: a[k][l] of u^k v^l, u along x
};

}  // namespace xbar
