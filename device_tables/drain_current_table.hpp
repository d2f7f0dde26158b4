#pragma once
// A transistor's drain current I_d(v_d, v_s) at one gate voltage, from a
// grid of ngspice values, as two bicubic splines in (v_s, v_ds): one for
// v_ds >= 0 and one for v_ds <= 0, meeting on the line v_ds = 0.
//
// Why split there: a SPICE MOSFET swaps drain and source when v_ds changes
// sign, so its threshold follows the lower terminal's body bias and the
// current has a jump in its second derivative across v_d = v_s (a u|u| term
// in u = v_ds).  Every cell of an on row sits next to that line (the
// transistor drops little of the cell voltage).  A spline across it errs
// O(h^2) there (measured 8e-10 A at W/L 0.5/0.1 um, gate 1.2 V, h = 1/256 V:
// 1.5e-6 of a 32x32 tile's full scale); on either side the current is smooth
// and each half is fourth order up to v_ds = 0 (bicubic_table.hpp).
#include <vector>

#include "device_tables/bicubic_table.hpp"

namespace xbar {

class DrainCurrentTable {
 public:
  struct Value {
    double f = 0, dd = 0, ds = 0;  // I_d (A, into the drain), dI/dv_d, dI/dv_s
  };

  // `values[is * n + id]` at v_d = lo + id h, v_s = lo + is h: the square
  // grid of every (v_d, v_s) the table serves (n >= 8).
  DrainCurrentTable(double lo, int n, double h, const std::vector<double>& values);

  Value eval(double vd, double vs) const { return of(half(vd - vs).eval(vs, vd - vs)); }
  // sum_k w[k] t[k](vd, vs) over n <= kMaxMix tables of one grid (bicubic_table.hpp's eval_mix).
  static constexpr int kMaxMix = 16;
  static Value eval_mix(const DrainCurrentTable* const* t, const double* w, int n, double vd, double vs);

  int source_points() const { return up_.points(); }
  int drain_points() const { return up_.points(); }  // the sweep's
  double step() const { return up_.step(); }
  double lo() const { return up_.lo(); }  // of the source axis
  double hi() const { return up_.hi(); }

 private:
  const BicubicTable& half(double vds) const { return vds >= 0 ? up_ : down_; }
  // (v_s, v_ds) derivatives to (v_d, v_s): I = T(v_s, v_d - v_s).
  static Value of(const BicubicTable::Value& t) { return {t.f, t.dy, t.dx - t.dy}; }

  BicubicTable up_, down_;  // x = v_s, y = v_ds in [0, span] and [-span, 0]
};

}  // namespace xbar
