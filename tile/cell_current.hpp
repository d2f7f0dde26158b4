#pragma once
// The current through a cell from its solved node voltages, for the checks
// and the reports (both engines' solutions).
#include "tile/tile_spec.hpp"

namespace xbar {

// Cell of conductance g (at 0 V) with word-line voltage v_wl, junction
// voltage v_low below the device (v_bl for a cell without one) and bit-line
// voltage v_bl.  The device law across WL - junction, except for a selector
// cell: the current is the same in both its parts, and each part's law gives
// it with an error of that part's conductance times the voltages' error, so
// the two are weighted towards the more resistive part (at low bias the
// selector; a device current from 1e-12 V of junction error is 1e-16 A per
// cell, far above a 1e-14 A selector current).
inline double cell_current(const TileSpec& t, double g, double v_wl, double v_low, double v_bl) {
  if (!(g > 0)) return 0.0;
  const DeviceLaw::Point d = t.model.at(g, v_wl - v_low);
  if (!t.cell->has(CellPart::kSelector)) return d.i;
  const double gs = t.selector.conductance(v_low - v_bl);
  return (gs * d.i + d.di_dv * t.selector.current(v_low - v_bl)) / (d.di_dv + gs);
}

}  // namespace xbar
