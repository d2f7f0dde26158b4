#pragma once
// A cell as the nodal engine sees it: a two-terminal element between its
// word-line and bit-line slots, with its current and dI/dV at the outer
// voltage v = V(WL) - V(BL).  A cell of two parts in series (1S1R: device,
// then selector) has an inner node; it is eliminated here by a local scalar
// Newton on its voltage, so the tile's Newton sees one law per cell.
#include <algorithm>
#include <cmath>

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
    if (!series_) return {device_.current(g, v), device_.conductance(g, v), v};
    if (!(g > 0)) return {0.0, 0.0, v};  // absent cell: no current, the junction follows WL
    const double u = device_voltage(g, v);
    const double gd = device_.conductance(g, u), gs = selector_.conductance(v - u);
    return {device_.current(g, u), gd * gs / (gd + gs), u};
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
    // Start where the two small-signal conductances at the ends split v.
    const double gd = device_.conductance(g, 0.0), gs = selector_.conductance(v);
    double u = v * gs / (gd + gs);
    const double tol = 1e-15 * std::fabs(v);
    for (int it = 0; it < kMaxIterations; ++it) {
      const double f = device_.current(g, u) - selector_.current(v - u);
      if (f == 0) return u;
      (f > 0 ? hi : lo) = u;
      const double df = device_.conductance(g, u) + selector_.conductance(v - u);
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

}  // namespace xbar::nodal_detail
