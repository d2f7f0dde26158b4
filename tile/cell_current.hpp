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
  const double id = t.model.current(g, v_wl - v_low);
  if (!t.cell->has(CellPart::kSelector)) return id;
  const double gd = t.model.conductance(g, v_wl - v_low), gs = t.selector.conductance(v_low - v_bl);
  return (gs * id + gd * t.selector.current(v_low - v_bl)) / (gd + gs);
}

}  // namespace xbar
