#pragma once
// The tile reduced to what nodal analysis needs (docs/circuit.md):
//  - word line i: `wl_len` slots (C, or 1 when r_wl = 0 merges the line),
//    stored row-major at i * wl_len + k;
//  - bit line j: `bl_len` slots (R, or 1 when r_bl = 0), stored row-major at
//    k * P + j so that solves along all bit lines vectorise across columns;
//  - every line has its own terminal (read mode sets them line by line,
//    LineTerminals): a word line's driver is a conductance `g_driver[i]` to
//    V_i, or fixes slot 0 at V_i (r_driver = 0), or is absent (g 0: an
//    undriven line); a bit line's sense end is a conductance `g_sense[j]` from
//    the bottom slot to `v_sense[j]`, or fixes that slot at `v_sense[j]`
//    (virtual ground or a held line with r_sense = 0), or is absent (floating);
//  - sensing: 1 / r_sense to 0 V for virtual ground; for a TIA, the sense node
//    S sees the feedback current (V_S - V_out) / r_f = V_S (1 + gain) / r_f,
//    i.e. a conductance (1 + gain) / r_f, in series with r_sense.
#include <cstddef>
#include <vector>

#include "common/stop_condition.hpp"
#include "tile/line_terminals.hpp"
#include "tile/tile_spec.hpp"

namespace xbar::nodal_detail {

struct TileNetwork {
  int rows = 0, cols = 0;      // R, P (physical columns)
  int wl_len = 0, bl_len = 0;  // slots per word line / bit line
  // Chain conductances (empty when merged): g_wl[i * wl_len + k] joins WL
  // slots k and k + 1 of row i; g_bl[k * cols + j] joins BL slots k and k + 1
  // of column j (the last slot's entry unused).
  std::vector<double> g_wl, g_bl;
  // Per word line: r_driver = 0 fixes slot 0 at V_i; else conductance to V_i
  // (0: undriven).
  std::vector<char> driver_fixed;
  std::vector<double> g_driver;
  // Per bit line: the bottom slot fixed at v_sense (r_sense = 0, no TIA), or
  // a conductance from it to v_sense (0: floating); `tia`: the column's sense
  // node is a TIA's input.
  std::vector<char> sense_fixed, tia;
  std::vector<double> g_sense, v_sense;
  double tia_gain = 0, tia_r_f = 0;
  std::vector<double> g;  // R x P cell conductances at 0 V

  std::size_t wl_size() const { return static_cast<std::size_t>(rows) * wl_len; }
  std::size_t bl_size() const { return static_cast<std::size_t>(bl_len) * cols; }
  // Step of the WL slot index per column, and of the BL slot index per row.
  int wl_col_step() const { return wl_len > 1 ? 1 : 0; }
  int bl_row_step() const { return bl_len > 1 ? cols : 0; }
  std::size_t wl_slot(int i, int j) const {
    return static_cast<std::size_t>(i) * wl_len + static_cast<std::size_t>(j) * wl_col_step();
  }
  std::size_t bl_slot(int i, int j) const { return static_cast<std::size_t>(i) * bl_row_step() + j; }
  bool wl_slot_fixed(int i, int k) const { return driver_fixed[i] && k == 0; }
  bool bl_slot_fixed(int j, int k) const { return sense_fixed[j] && k == bl_len - 1; }
  bool cell_touches_fixed(int i, int j) const {
    return wl_slot_fixed(i, wl_len > 1 ? j : 0) || bl_slot_fixed(j, bl_len > 1 ? i : 0);
  }
};

// Checks the tile and builds its network (1R, 1T1R and 2T2R cells alike: a
// cell is a two-terminal element between its lines).  `terminals` (read
// mode; null: every line has the tile's driver and sensing) must leave every
// group of lines joined by present cells with a terminal, or the system is
// singular.  Inconsistent sizes or invalid values, and such a group, throw
// std::invalid_argument.  `stop` is checked at every row (as in every pass
// over the tile in this folder), so a stop lands within one row's work.
TileNetwork make_tile_network(const TileSpec& tile, const StopCondition* stop = nullptr,
                              const LineTerminals* terminals = nullptr);

}  // namespace xbar::nodal_detail
