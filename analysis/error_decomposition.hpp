#pragma once
// MVM (op) error of each column split into the part the wires cause (IR
// drop), the part cells conducting in reverse cause (sneak currents), the
// part the device's nonlinearity causes and the part the sense amplifier
// causes, defined so the four add up exactly:
//
//   error       = I_j - I_ideal,j                    (I_j: the column output)
//   e_nonlinear = sum over cells of (i_cell - G v_cell)
//                                                    (the device's departure from
//                                                      G V at the voltage it really
//                                                      sees; 0 for linear cells)
//   e_sneak     = sum over reverse cells of G v_cell (current leaving the bit line
//                                                      through cells that conduct
//                                                      against their input, at
//                                                      their conductance G)
//   e_ir        = sum over forward cells of G (v_cell - V_i)
//                 - sum over reverse cells of G V_i  (what the forward cells fall
//                                                      short of the ideal because
//                                                      the wires lower their
//                                                      voltage, plus the ideal share
//                                                      the reverse cells do not
//                                                      deliver)
//   e_sense  = I_j - I_array,j                       (I_array: current from the
//                                                      array into the sense node;
//                                                      TIA finite gain; 0 for a
//                                                      virtual ground)
//
// A cell is reverse-conducting (a sneak cell) when its current has the sign
// opposite to its input (i_cell * V_i < 0), or when its input is 0 and it
// conducts at all: a cell on an idle row carries only sneak current, in
// either direction (BL_a -> idle WL -> BL_b), so a column's e_sneak may be
// positive; summed over the tile it is what the idle drivers sink.
// i_cell is the device law at v_cell = v_wl - v_bl; G its conductance at
// 0 V.  e_ir, e_sneak and e_nonlinear are summed independently of I_j, so
// `residual` = error - (e_ir + e_sneak + e_nonlinear + e_sense) = I_array,j -
// sum_i i_cell is the solution's KCL residual at the column (1e-12 relative
// typical), not zero by construction.
// 1R tiles only (other cells need the device-transistor node).
#include <vector>

#include "tile/tile_solution.hpp"
#include "tile/tile_spec.hpp"

namespace xbar {

struct ColumnErrorParts {
  int vector = 0, col = 0;  // physical column
  double error = 0, e_ir = 0, e_sneak = 0, e_nonlinear = 0, e_sense = 0;
  int reverse_cells = 0;
  double residual = 0;
};

// Vector-major, then physical column.  Empty for cells other than 1R.
std::vector<ColumnErrorParts> decompose_column_errors(const TileSpec& t, const TileSolution& s);

}  // namespace xbar
