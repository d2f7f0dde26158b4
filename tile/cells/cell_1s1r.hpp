#pragma once
#include "tile/cell_kind.hpp"

namespace xbar {

// The device in series with a two-terminal selector (selector.*): WL(i,j) -
// device - M(i,j) - selector - BL(i,j).  The selector's nonlinearity keeps
// half-selected cells nearly off, which is what suppresses sneak currents in
// read mode.  Both engines solve it (the nodal engine through the cell's
// series law, nodal/cell_law.hpp).
inline const CellKindInfo& cell_1s1r() {
  static const CellKindInfo k{.name = "1S1R",
                              .summary = "the device in series with a two-terminal selector (selector.*)",
                              .parts = {CellPart::kDevice, CellPart::kSelector},
                              .analyses = {"op", "read"}};
  return k;
}

}  // namespace xbar
