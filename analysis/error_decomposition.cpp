#include "analysis/error_decomposition.hpp"

namespace xbar {

std::vector<ColumnErrorParts> decompose_column_errors(const TileSpec& t, const TileSolution& s) {
  std::vector<ColumnErrorParts> out;
  if (t.cell->parts.size() > 1) return out;  // the split assumes the device alone per cell
  const int PC = t.phys_cols();
  for (int v = 0; v < s.vectors; ++v) {
    const std::vector<double>& x = t.inputs[v];
    for (int j = 0; j < PC; ++j) {
      ColumnErrorParts p;
      p.vector = v;
      p.col = j;
      double ideal = 0;
      for (int i = 0; i < t.rows; ++i) {
        const double g = t.g_at(i, j);
        if (g <= 0) continue;
        const std::size_t k = static_cast<std::size_t>(i) * PC + j;
        const double v_cell = s.device_voltage(v, k);
        const double i_cell = t.model.current(g, v_cell);
        const double linear = g * v_cell;  // the same cell were it linear
        const double want = g * x[i];
        ideal += want;
        p.e_nonlinear += i_cell - linear;
        const bool reverse = x[i] == 0 ? i_cell != 0 : i_cell * x[i] < 0;
        if (reverse) {
          ++p.reverse_cells;
          p.e_sneak += linear;
          p.e_ir -= want;
        } else {
          p.e_ir += linear - want;
        }
      }
      const double out_current = s.column_current[v][j];
      p.error = out_current - ideal;
      // From the engine's own currents, not from the cell sum, so the residual
      // is a real KCL check.
      p.e_sense = out_current - s.array_current[v][j];
      p.residual = p.error - (p.e_ir + p.e_sneak + p.e_nonlinear + p.e_sense);
      out.push_back(p);
    }
  }
  return out;
}

}  // namespace xbar
