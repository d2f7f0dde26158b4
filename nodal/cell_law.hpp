#pragma once
// A cell as the nodal engine sees it: a two-terminal element between its
// word-line and bit-line slots, with its current and dI/dV at the outer
// voltage v = V(WL) - V(BL).  A cell of two parts in series (1S1R: device,
// then selector) has an inner node; it is eliminated here by a local scalar
// Newton on its voltage, so the tile's Newton sees one law per cell.
#include <algorithm>
#include <cmath>
#include <cstddef>
#include <vector>

#include "device_tables/bicubic_table.hpp"
#include "device_tables/transistor_tables.hpp"

#include "tile/tile_spec.hpp"

namespace xbar::nodal_detail {

struct CellPoint {
  double i = 0;         // A, from WL to BL
  double di_dv = 0;     // S, at the outer voltage
  double v_device = 0;  // V across the device (the outer voltage for one-part cells)
};

class TwoTerminalLaw {
 public:
  explicit TwoTerminalLaw(const TileSpec& tile)
      : device_(tile.model), selector_(tile.selector), series_(tile.cell->has(CellPart::kSelector)) {}

  // Linear cells need no Newton: one linear solve is exact.
  bool linear() const { return !series_ && device_.linear(); }
  bool has_inner_node() const { return series_; }
  const CellModel& device() const { return device_; }

  // Current, dI/dV and device voltage of a cell of conductance g (at 0 V)
  // at outer voltage v.
  CellPoint at(double g, double v) const {
    if (!series_) {
      const DeviceLaw::Point d = device_.at(g, v);
      return {d.i, d.di_dv, v};
    }
    if (!(g > 0)) return {0.0, 0.0, v};  // absent cell: no current, the junction follows WL
    const double u = device_voltage(g, v);
    const DeviceLaw::Point d = device_.at(g, u);
    const double gs = selector_.conductance(v - u);
    return {d.i, d.di_dv * gs / (d.di_dv + gs), u};
  }
  double current(double g, double v) const { return at(g, v).i; }

 private:
  // The device voltage u in [min(0, v), max(0, v)] where the device and the
  // selector carry the same current: f(u) = I_d(u) - I_s(v - u) = 0.  f rises
  // strictly (f' = G_d(u) + G_s(v - u) > 0) from f(0) = -I_s(v) to
  // f(v) = I_d(v), so the root is unique and bracketed; Newton steps that
  // leave the bracket are replaced by bisection.
  double device_voltage(double g, double v) const {
    if (v == 0) return 0.0;
    double lo = std::min(0.0, v), hi = std::max(0.0, v);
    // Start where the two small-signal conductances at the ends split v (the
    // device's at 0 V is g, by the law's definition of g).
    const double gs = selector_.conductance(v);
    double u = v * gs / (g + gs);
    const double tol = 1e-15 * std::fabs(v);
    for (int it = 0; it < kMaxIterations; ++it) {
      const DeviceLaw::Point d = device_.at(g, u);
      const DeviceLaw::Point s = selector_.at(v - u);
      const double f = d.i - s.i;
      if (f == 0) return u;
      (f > 0 ? hi : lo) = u;
      const double df = d.di_dv + s.di_dv;
      double next = u - f / df;
      if (!(next > lo && next < hi)) next = 0.5 * (lo + hi);
      if (std::fabs(next - u) <= tol || hi - lo <= tol) return next;
      u = next;
    }
    return u;  // 200 bisections alone shrink the bracket below 1e-60 |v|
  }

  static constexpr int kMaxIterations = 200;
  CellModel device_;
  SelectorSpec selector_;
  bool series_;
};

// The solver's interface over both kinds of law below: the current from WL
// into BL at the two terminal voltages and its derivatives.  A cell with an
// access transistor depends on V_bl itself (body effect), not only on
// V_wl - V_bl, so it gives dI/dV_wl and -dI/dV_bl separately.
struct CellResponse {
  double i = 0;    // current from WL into BL, A
  double g_w = 0;  // dI/dV_wl
  double g_b = 0;  // -dI/dV_bl (equal to g_w for a device that sees V_wl - V_bl only)
  double mid = 0;  // inner node voltage (transistor cells; 0 for an absent cell)
};

// A cell whose law depends on V_wl - V_bl only (TwoTerminalLaw: 1R, 1S1R,
// the ideal switch), seen through the interface the solver uses.
class DeviceCells {
 public:
  DeviceCells(const TwoTerminalLaw& law, const std::vector<double>& g) : law_(law), g_(g) {}
  bool linear() const { return law_.linear(); }
  bool has_inner_node() const { return law_.has_inner_node(); }
  static constexpr bool kHasMid = false;
  CellResponse at(std::size_t c, double vw, double vb, double /*mid_guess*/) const {
    const CellPoint p = law_.at(g_[c], vw - vb);
    return {p.i, p.di_dv, p.di_dv, vw - p.v_device};
  }

 private:
  const TwoTerminalLaw& law_;
  const std::vector<double>& g_;
};

// The device from WL to an inner node M, then the access transistor from M
// (drain) to BL (source), its gate at a known DC voltage (the gate lines carry
// no current).  The inner node is eliminated by a scalar Newton per cell:
// h(m) = I_dev(V_wl - m) - I_d(m, V_bl) is strictly decreasing in m, so
// bisection between two points where h has opposite signs guards every step.
// The root is usually between the terminal voltages, but not always: ngspice's
// drain current includes the drain-bulk junction's (~0.1 pA at 0.1 V), so a
// cell whose terminals sit at the same voltage (an unselected cell of a V/2
// read) has its root ~1 nV outside them.  The terminal voltages are therefore
// only where a bracket starts: an end counts once h was seen with its sign
// there, and Newton may step past an end not seen yet.  A drain
// below the source is the same table (the transistor's current reverses), so
// both polarities need nothing special.  Each cell's transistor (its row's
// gate voltage, its own mismatch) comes from CellTransistors.
class TransistorCells {
 public:
  // `g_start`: each cell's device in series with its transistor at V_ds = 0
  // (the linear start's conductances), whose divider is the first guess of
  // the inner node.
  TransistorCells(const CellModel& model, const std::vector<double>& g, const CellTransistors& transistors,
                  const std::vector<double>& g_start)
      : model_(model), g_(g), transistors_(transistors), g_start_(g_start) {}
  bool linear() const { return false; }
  bool has_inner_node() const { return true; }
  static constexpr bool kHasMid = true;

  CellResponse at(std::size_t c, double vw, double vb, double mid_guess) const {
    const double g = g_[c];
    if (g <= 0) return {};                                                      // absent cell: no device, no transistor
    if (!std::isfinite(vw) || !std::isfinite(vb)) return {NAN, NAN, NAN, NAN};  // a diverged trial state
    const double widen = 1e-3 * std::abs(vw - vb) + 1e-9;
    double lo = std::min(vw, vb) - widen, hi = std::max(vw, vb) + widen;
    bool lo_seen = false, hi_seen = false;  // h(lo) > 0, h(hi) < 0 evaluated
    double m = mid_guess;
    // Divider of the device and the transistor's conductance at V_ds = 0:
    // g_t / (g + g_t) = 1 - g_start / g.
    if (!(m >= lo && m <= hi)) m = vb + (vw - vb) * (1 - g_start_[c] / g);
    // Newton converges quadratically: once a step is below 1e-7 of the cell
    // voltage, the next one would be ~1e-14 of it, so the last step is taken
    // without another table look-up and the current follows it to first order.
    const double tol = 1e-7 * (std::abs(vw - vb) + 1e-9);
    double f = 0, fp = 0;
    DrainCurrentTable::Value tr;
    for (int it = 0; it < 100; ++it) {
      const DeviceLaw::Point d = model_.at(g, vw - m);
      f = d.i;
      fp = d.di_dv;
      tr = transistors_.eval(c, m, vb);
      const double h = f - tr.f, hp = -fp - tr.dd;
      (h > 0 ? lo : hi) = m;
      (h > 0 ? lo_seen : hi_seen) = true;
      const double step = -h / hp, next = m + step;
      // Past an end not seen yet the root may lie: that end moves there.
      if (next <= lo && !lo_seen) lo = next - std::abs(step);
      if (next >= hi && !hi_seen) hi = next + std::abs(step);
      if (std::abs(step) <= tol && next >= lo && next <= hi) {
        m = next;
        f -= fp * step;
        break;
      }
      m = next > lo && next < hi ? next : 0.5 * (lo + hi);
    }
    // Implicit derivatives of I = I_dev(V_wl - m(V_wl, V_bl)).
    const double td = tr.dd, ts = tr.ds, den = fp + td;
    const double inv = den > 0 ? 1.0 / den : 0.0;
    return {f, fp * td * inv, -fp * ts * inv, m};
  }

 private:
  const CellModel& model_;
  const std::vector<double>& g_;
  const CellTransistors& transistors_;
  const std::vector<double>& g_start_;
};

}  // namespace xbar::nodal_detail
