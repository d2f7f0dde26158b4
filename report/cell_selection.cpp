#include "report/cell_selection.hpp"

#include <algorithm>

namespace xbar {
namespace {

// Up to kSampleLines of 0..n-1, evenly spaced, first and last included.
std::vector<int> sample_lines(int n, int must) {
  std::vector<int> v;
  if (n <= kSampleLines) {
    for (int k = 0; k < n; ++k) v.push_back(k);
    return v;
  }
  for (int k = 0; k < kSampleLines; ++k)
    v.push_back(static_cast<int>(static_cast<long long>(k) * (n - 1) / (kSampleLines - 1)));
  if (must >= 0 && must < n) v.push_back(must);
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

std::vector<int> all_lines(int n) {
  std::vector<int> v(static_cast<std::size_t>(std::max(n, 0)));
  for (int k = 0; k < n; ++k) v[static_cast<std::size_t>(k)] = k;
  return v;
}

}  // namespace

CellSelection select_cells(CellsOutput mode, int rows, int phys_cols, int must_row, int must_col) {
  if (mode == CellsOutput::kAuto)
    mode = static_cast<long long>(rows) * phys_cols <= kAllCellsUpTo ? CellsOutput::kAll : CellsOutput::kSample;
  switch (mode) {
    case CellsOutput::kNone: return {};
    case CellsOutput::kSample: return {sample_lines(rows, must_row), sample_lines(phys_cols, must_col)};
    default: return {all_lines(rows), all_lines(phys_cols)};
  }
}

}  // namespace xbar
