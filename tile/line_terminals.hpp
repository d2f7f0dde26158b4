#pragma once
// Read mode's line terminals, as both engines take them: which word lines
// keep their driver, which bit line keeps the tile's sensing, and which of
// the others are held at a bias (through r_sense, no TIA) or left floating.
// netlist_gen/read_circuit.hpp lowers a read to these; an op tile has none.
#include <vector>

namespace xbar {

struct LineTerminals {
  std::vector<bool> row_driven;  // rows: through r_driver to V_i; false: undriven
  int sensed_col = 0;            // phys col that keeps the tile's sensing (virtual ground or TIA)
  std::vector<bool> col_held;    // phys cols: held (the sensed one too); false: floating
  double v_held = 0;             // V, the held unselected bit lines' bias
};

}  // namespace xbar
