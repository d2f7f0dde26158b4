#pragma once
// Read mode (one selected cell) as a transform of the op circuit: the tile
// is built by build_tile_circuit() with one input vector set for the bias
// scheme, then the unselected lines' drivers and sense sources are replaced
// by bias sources or removed (floating).  The selected bit line keeps its
// sense (virtual ground or TIA), so I_sense means what I_j means in op mode.
//
// Bias schemes, with V the read voltage on the selected word line and the
// selected bit line sensed at 0 V:
//   floating: unselected word and bit lines undriven;
//   grounded: unselected lines at 0 V;
//   half:     unselected lines at V/2 (half-selected cells see V/2, the rest 0);
//   third:    unselected WLs at V/3, unselected BLs at 2V/3 (every unselected
//             cell sees +-V/3).
// With access transistors (1T1R), the gate lines of the unselected rows are
// driven at 0 V (the builder's gate source `vg<i>`): those cells are off.
#include <string>
#include <vector>

#include "config_loader/config.hpp"
#include "netlist_gen/circuit.hpp"

namespace xbar {

struct ReadSetup {
  int row = 0, col = 0;  // the selected cell; col is physical
  double v_read = 0.2;
  ReadBias bias = ReadBias::kHalf;
};

// Voltage an unselected line is held at, or nullopt-like NaN when floating.
double unselected_wl_voltage(const ReadSetup& s);
double unselected_bl_voltage(const ReadSetup& s);
const char* to_string(ReadBias b);

struct ReadCircuit {
  Circuit circuit;
  TileSpec tile;  // the input tile with inputs = the word-line drives of this read
  ReadSetup setup;
  std::vector<bool> row_driven;  // rows: has a driver
  std::vector<bool> col_held;    // phys cols: held at a voltage (sensed or biased)
  // phys cols: name of the source holding the column's sense node ("" when
  // floating, or for the selected column under TIA sensing).
  std::vector<std::string> col_source;
};

// Throws InputError-free std::invalid_argument for a selection outside the
// tile; the caller maps config positions.  Throws std::runtime_error when a
// floating line has no DC path (say, every cell of a floating row absent):
// the message names the line.
ReadCircuit build_read_circuit(const TileSpec& tile, const ReadSetup& setup);

// Floating nodes of a read circuit (Boost.Graph connected components), by
// name; empty when every node has a DC path to ground or a source.
std::vector<std::string> floating_nodes(const Circuit& c);

}  // namespace xbar
