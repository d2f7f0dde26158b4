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
// driven at 0 V (TileSpec::transistor.row_on): those cells are off.
// read_lines() is the one lowering of a read both engines take: the SPICE
// circuit below is built from it, and the nodal engine solves its tile with
// its line terminals.
#include <string>
#include <vector>

#include "config_loader/config.hpp"
#include "netlist_gen/circuit.hpp"
#include "tile/line_terminals.hpp"

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

// A read lowered onto the tile: `tile` is the input tile with one input
// vector, the word-line drives (V on the selected row, the unselected bias
// on the others, 0 V on undriven ones), and only the selected row's gate on;
// `lines` says which lines keep a terminal.  Throws std::invalid_argument for
// a selection outside the tile.
struct ReadLines {
  TileSpec tile;
  LineTerminals lines;
};
ReadLines read_lines(const TileSpec& tile, const ReadSetup& setup);

struct ReadCircuit {
  Circuit circuit;
  TileSpec tile;  // read_lines(): the input tile with this read's drives and gates
  ReadSetup setup;
  LineTerminals lines;  // read_lines()
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
