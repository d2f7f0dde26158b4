#pragma once
// Which cells `cells.csv` holds (`output.cells`): a 4096x4096 tile's full map
// is gigabytes nobody may have asked for.
#include <vector>

#include "config_loader/config.hpp"

namespace xbar {

// `auto` writes every cell up to this many physical cells, a sample above.
inline constexpr long long kAllCellsUpTo = 1024LL * 1024;
// `sample` keeps at most this many rows and as many columns.
inline constexpr int kSampleLines = 64;

struct CellSelection {
  std::vector<int> rows, cols;  // increasing; both empty: no cells.csv
  bool empty() const { return rows.empty() || cols.empty(); }
};

// all: every row and column; none: nothing; sample: up to kSampleLines evenly
// spaced rows and columns, the first and last always among them (the far
// corner is where IR drop is worst), plus `must_row` / `must_col` when >= 0
// (a read's selected cell).
CellSelection select_cells(CellsOutput mode, int rows, int phys_cols, int must_row = -1, int must_col = -1);

}  // namespace xbar
