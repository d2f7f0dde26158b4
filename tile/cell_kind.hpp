#pragma once
// What a cell kind is: the parts placed in series between WL(i,j) and BL(i,j)
// and how many physical columns one output uses.  Everything that differs
// between 1R, 1T1R, 2T2R, 1S1R follows from these facts: the circuit
// builder instantiates the parts, the nodal engine solves a cell whose parts
// all have a two-terminal law, the config loader asks for the keys of the
// parts, read mode needs one physical column per output.  One file per kind
// in tile/cells/, registered in tile/tile_kinds.hpp.
#include <algorithm>
#include <string_view>
#include <vector>

namespace xbar {

enum class CellPart {
  kDevice,            // the memory device (device.*), always present
  kAccessTransistor,  // NMOS: drain at the part above, gate on the row's gate line (transistor.*)
  kSelector,          // two-terminal selector in series with the device (selector.*)
};

struct CellKindInfo {
  const char* name = "";     // the tile.cell value
  const char* summary = "";  // one line, for `xbar check` help and the docs
  // In series from WL(i,j) (first) to BL(i,j) (last).  The device comes
  // first, so the junction node below it makes V(WL) - V(junction) the device
  // voltage in every kind.  At most two parts: one inner node per cell.
  std::vector<CellPart> parts;
  // Two physical columns per output (j+ at 2j, j- at 2j+1), signed weights,
  // output I+ - I-.
  bool differential = false;
  // Analyses the kind supports (with a real transistor where it has one).
  std::vector<std::string_view> analyses;

  bool has(CellPart p) const { return std::find(parts.begin(), parts.end(), p) != parts.end(); }
  bool suits(std::string_view analysis) const {
    return std::find(analyses.begin(), analyses.end(), analysis) != analyses.end();
  }
  int columns_per_output() const { return differential ? 2 : 1; }
};

}  // namespace xbar
