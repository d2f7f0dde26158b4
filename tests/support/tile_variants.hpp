#pragma once
// Tile variants shared by the nodal-vs-SPICE test and benchmark, so both check
// the same circuits.
#include "tile/tile_spec.hpp"

namespace xbar::testing {

inline void use_tia(TileSpec& t) {
  t.sense = SenseKind::kTia;
  t.tia_gain = 1e4;
  t.tia_r_f = 1e3;
}
inline void use_driver_and_sense(TileSpec& t) {
  t.r_driver = 100.0;
  t.r_sense = 50.0;
}
inline void use_zero_wires(TileSpec& t) { t.r_wl = t.r_bl = 0.0; }

}  // namespace xbar::testing
