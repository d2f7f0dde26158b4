#pragma once
// Sneak-path attribution for a read (Boost.Graph).  The array is a bipartite
// graph, word lines <-> bit lines, one edge per present cell except the
// selected one.  A sneak path starts at a line held at a voltage (a driven
// word line, a biased bit line), runs through floating lines only, and ends
// at the selected (sensed, 0 V) bit line.  In the floating scheme the classic
// path is WL_s -> BL_k -> WL_m -> BL_s (3 cells); with every unselected line
// held, the only paths are the single half-selected cells of the selected
// column.
//
// Estimate: each path is taken alone, its cells in series with zero wire
// resistance: I = (V_start - 0) * G_series, G_series = 1 / sum(1/g).  Paths
// share cells, so in the floating scheme the sum overestimates the real
// sneak current (each shared cell is counted once per path through it); the
// factor grows with the array.  With every unselected line held and zero wire
// resistance the estimate is exact.
#include <cstddef>
#include <string>
#include <vector>

namespace xbar {

struct SneakGraphInput {
  int rows = 0, cols = 0;  // physical columns
  std::vector<double> g;   // rows x cols, conductance at 0 V; 0: absent
  int sel_row = 0, sel_col = 0;
  std::vector<double> row_voltage;  // rows: driver voltage, NaN when floating
  std::vector<double> col_voltage;  // cols: held voltage, NaN when floating (sel_col: 0)
};

struct SneakPath {
  std::vector<std::pair<int, int>> cells;  // (row, col) from the start line to the selected bit line
  double g_series = 0;                     // S
  double v_start = 0;                      // V of the line the path starts from
  double i_est = 0;                        // A, v_start * g_series
  std::string text() const;                // "WL0 -(0,1)- BL1 -(1,1)- WL1 -(1,0)- BL0"
};

struct SneakPathReport {
  int max_cells = 3;
  std::size_t paths = 0;       // enumerated (up to the cap)
  bool truncated = false;      // the cap stopped the enumeration
  double total_est = 0;        // sum of i_est over every enumerated path, A
  std::vector<SneakPath> top;  // largest |i_est| first
};

// Enumerates every simple sneak path of at most `max_cells` cells (odd
// lengths only: a path from a word line to a bit line crosses an odd number
// of cells; from a bit line, an even number).  Stops after `max_paths`.
SneakPathReport find_sneak_paths(const SneakGraphInput& in, int max_cells, int top_n,
                                 std::size_t max_paths = 20'000'000);

}  // namespace xbar
