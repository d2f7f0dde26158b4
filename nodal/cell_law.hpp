#pragma once
// The cell laws of the nodal engine: what a cell between WL(i,j) and BL(i,j)
// conducts at its two terminal voltages.  Each law gives the current from the
// word line into the bit line and its derivatives, which is all the outer
// (line-structured) Newton needs; a new cell kind implements `at` and
// `linear` and plugs into solve_nodal (nodal_solver.cpp) and kcl_residual.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "device_tables/bicubic_table.hpp"
#include "tile/tile_spec.hpp"

namespace xbar::nodal_detail {

struct CellPoint {
  double i = 0;    // current from WL into BL, A
  double g_w = 0;  // dI/dV_wl
  double g_b = 0;  // -dI/dV_bl (equal to g_w for a device that sees V_wl - V_bl only)
  double mid = 0;  // inner node voltage (transistor cells; 0 for an absent cell)
};

// The memory device alone between the lines (1R, and 1T1R/2T2R with the
// ideal switch): I = law(g, V_wl - V_bl).
class DeviceCells {
 public:
  DeviceCells(const CellModel& model, const std::vector<double>& g) : model_(model), g_(g) {}
  bool linear() const { return model_.linear(); }
  static constexpr bool kHasMid = false;
  CellPoint at(std::size_t c, double vw, double vb, double /*mid_guess*/) const {
    const double v = vw - vb, g = model_.conductance(g_[c], v);
    return {model_.current(g_[c], v), g, g, 0.0};
  }

 private:
  const CellModel& model_;
  const std::vector<double>& g_;
};

// The device from WL to an inner node M, then the access transistor from M
// (drain) to BL (source), its gate at a known DC voltage (the gate lines carry
// no current).  The inner node is eliminated by a scalar Newton per cell:
// h(m) = I_dev(V_wl - m) - beta I_d(m, V_bl) is strictly decreasing in m, so
// its root is bracketed between the terminal voltages (widened a little for
// interpolation noise at V_d = V_s) and bisection guards every step.  A drain
// below the source is the same table (the transistor's current reverses), so
// both polarities need nothing special.  `beta`: a per-cell current factor
// (mismatch), empty for none.
class TransistorCells {
 public:
  TransistorCells(const CellModel& model, const std::vector<double>& g, int cols,
                  std::vector<const BicubicTable*> row_table, std::vector<double> beta = {})
      : model_(model), g_(g), cols_(cols), row_table_(std::move(row_table)), beta_(std::move(beta)) {}
  bool linear() const { return false; }
  static constexpr bool kHasMid = true;

  CellPoint at(std::size_t c, double vw, double vb, double mid_guess) const {
    const double g = g_[c];
    if (g <= 0) return {};  // absent cell: no device, no transistor
    if (!std::isfinite(vw) || !std::isfinite(vb)) return {NAN, NAN, NAN, NAN};  // a diverged trial state
    const BicubicTable& t = *row_table_[c / static_cast<std::size_t>(cols_)];
    const double beta = beta_.empty() ? 1.0 : beta_[c];
    const double widen = 1e-3 * std::abs(vw - vb) + 1e-9;
    double lo = std::min(vw, vb) - widen, hi = std::max(vw, vb) + widen;
    double m = mid_guess;
    if (!(m >= lo && m <= hi)) {
      // Divider of the device and the transistor's conductance at V_ds = 0.
      const double gt = beta * t.eval(vb, vb).dx;
      m = vb + (vw - vb) * g / (g + std::max(gt, 1e-30));
    }
    // Newton converges quadratically: once a step is below 1e-7 of the cell
    // voltage, the next one would be ~1e-14 of it, so the last step is taken
    // without another table look-up and the current follows it to first order.
    const double tol = 1e-7 * (std::abs(vw - vb) + 1e-9);
    double f = 0, fp = 0;
    BicubicTable::Value tr;
    for (int it = 0; it < 100; ++it) {
      f = model_.current(g, vw - m);
      fp = model_.conductance(g, vw - m);
      tr = t.eval(m, vb);
      const double h = f - beta * tr.f, hp = -fp - beta * tr.dx;
      (h > 0 ? lo : hi) = m;
      const double step = -h / hp;
      if (std::abs(step) <= tol && m + step >= lo && m + step <= hi) {
        m += step;
        f -= fp * step;
        break;
      }
      const double next = m + step;
      m = next > lo && next < hi ? next : 0.5 * (lo + hi);
    }
    // Implicit derivatives of I = I_dev(V_wl - m(V_wl, V_bl)).
    const double td = beta * tr.dx, ts = beta * tr.dy, den = fp + td;
    const double inv = den > 0 ? 1.0 / den : 0.0;
    return {f, fp * td * inv, -fp * ts * inv, m};
  }

 private:
  const CellModel& model_;
  const std::vector<double>& g_;
  int cols_;
  std::vector<const BicubicTable*> row_table_;  // per row: the table at its gate voltage
  std::vector<double> beta_;
};

}  // namespace xbar::nodal_detail
