#include "nodal/tile_kcl.hpp"

#include <cmath>

#include "nodal/line_system.hpp"

namespace xbar::nodal_detail {

TileState initial_state(const TileNetwork& net, const std::vector<double>& v_in,
                        const StopCondition* stop) {
  TileState s;
  s.xw.resize(net.wl_size());
  for (int i = 0; i < net.rows; ++i) {
    check_stop(stop, i);
    for (int k = 0; k < net.wl_len; ++k) s.xw[static_cast<std::size_t>(i) * net.wl_len + k] = v_in[i];
  }
  s.xb.assign(net.bl_size(), 0.0);
  return s;
}

double kcl_residual(const TileNetwork& net, const TwoTerminalLaw& law, const std::vector<double>& v_in,
                    const TileState& x, std::vector<double>& fw, std::vector<double>& fb,
                    std::vector<double>* cell_g, const StopCondition* stop) {
  const int R = net.rows, P = net.cols, LW = net.wl_len, LB = net.bl_len;
  fw.assign(net.wl_size(), 0.0);
  fb.assign(net.bl_size(), 0.0);
  if (cell_g) cell_g->resize(static_cast<std::size_t>(R) * P);

  // Word-line chains and drivers.
  for (int i = 0; i < R; ++i) {
    check_stop(stop, i);
    const double* v = &x.xw[static_cast<std::size_t>(i) * LW];
    double* f = &fw[static_cast<std::size_t>(i) * LW];
    for (int k = 0; k + 1 < LW; ++k) {
      const double i_seg = net.g_wl * (v[k] - v[k + 1]);
      f[k] += i_seg;
      f[k + 1] -= i_seg;
    }
    if (!net.driver_fixed) f[0] += net.g_driver * (v[0] - v_in[i]);
  }
  // Bit-line chains and sensing.
  for (int k = 0; k < LB; ++k) {
    check_stop(stop, k);
    for (int j = 0; j < P; ++j) {
      const std::size_t s = static_cast<std::size_t>(k) * P + j;
      if (k + 1 < LB) {
        const double i_seg = net.g_bl * (x.xb[s] - x.xb[s + P]);
        fb[s] += i_seg;
        fb[s + P] -= i_seg;
      }
      if (k == LB - 1 && !net.sense_fixed) fb[s] += net.g_sense * x.xb[s];
    }
  }
  // Cells, row by row in a fixed order (merged lines accumulate across rows).
  for (int i = 0; i < R; ++i) {
    check_stop(stop, i);
    for (int j = 0; j < P; ++j) {
      const std::size_t c = static_cast<std::size_t>(i) * P + j;
      const std::size_t ws = net.wl_slot(i, j), bs = net.bl_slot(i, j);
      const double v = x.xw[ws] - x.xb[bs];
      const double g = net.g[c];
      double i_cell;
      if (cell_g) {
        const CellPoint p = law.at(g, v);
        i_cell = p.i;
        (*cell_g)[c] = p.di_dv;
      } else {
        i_cell = law.current(g, v);
      }
      fw[ws] += i_cell;
      fb[bs] -= i_cell;
    }
  }
  // Fixed slots obey their source, not KCL.
  if (net.driver_fixed)
    for (int i = 0; i < R; ++i) fw[static_cast<std::size_t>(i) * LW] = 0.0;
  if (net.sense_fixed)
    for (int j = 0; j < P; ++j) fb[static_cast<std::size_t>(LB - 1) * P + j] = 0.0;
  return std::sqrt(dot(fw, fw) + dot(fb, fb));
}

void fill_vector(const TileNetwork& net, const TwoTerminalLaw& law, const std::vector<double>& v_in,
                 const TileState& x, TileSolution& sol, int v, const StopCondition* stop) {
  const int R = net.rows, P = net.cols;
  auto& v_wl = sol.v_wl[v];
  auto& v_bl = sol.v_bl[v];
  v_wl.resize(static_cast<std::size_t>(R) * P);
  v_bl.resize(static_cast<std::size_t>(R) * P);
  for (int i = 0; i < R; ++i) {
    check_stop(stop, i);
    for (int j = 0; j < P; ++j) {
      v_wl[static_cast<std::size_t>(i) * P + j] = x.xw[net.wl_slot(i, j)];
      v_bl[static_cast<std::size_t>(i) * P + j] = x.xb[net.bl_slot(i, j)];
    }
  }
  auto cell_current = [&](int i, int j) {
    const std::size_t c = static_cast<std::size_t>(i) * P + j;
    return law.current(net.g[c], v_wl[c] - v_bl[c]);
  };
  // Two-part cells: the junction below the device (0 V where the cell is
  // absent, as the circuit ties an absent cell's junction to ground).
  if (law.has_inner_node()) {
    auto& v_mid = sol.v_mid[v];
    v_mid.assign(static_cast<std::size_t>(R) * P, 0.0);
    for (std::size_t c = 0; c < v_mid.size(); ++c)
      if (net.g[c] > 0) v_mid[c] = v_wl[c] - law.at(net.g[c], v_wl[c] - v_bl[c]).v_device;
  }

  // Driver current: through r_driver, or, for a fixed slot 0, what leaves it
  // into the rest of the word line and its own cells.
  auto& drv = sol.driver_current[v];
  drv.assign(R, 0.0);
  for (int i = 0; i < R; ++i) {
    check_stop(stop, i);
    const double* w = &x.xw[static_cast<std::size_t>(i) * net.wl_len];
    if (!net.driver_fixed) {
      drv[i] = net.g_driver * (v_in[i] - w[0]);
    } else if (net.wl_len > 1) {
      drv[i] = net.g_wl * (w[0] - w[1]) + cell_current(i, 0);
    } else {
      for (int j = 0; j < P; ++j) drv[i] += cell_current(i, j);
    }
  }
  // Sense current into S_j: through the sense conductance, or, for a fixed
  // bottom slot, what the bit line above and the cells deliver into it.
  auto& arr = sol.array_current[v];
  auto& col = sol.column_current[v];
  arr.assign(P, 0.0);
  col.assign(P, 0.0);
  const int LB = net.bl_len;
  for (int j = 0; j < P; ++j) {
    check_stop(stop, j);
    const double bottom = x.xb[static_cast<std::size_t>(LB - 1) * P + j];
    if (!net.sense_fixed) {
      arr[j] = net.g_sense * bottom;
    } else if (LB > 1) {
      arr[j] = net.g_bl * x.xb[static_cast<std::size_t>(LB - 2) * P + j] + cell_current(R - 1, j);
    } else {
      for (int i = 0; i < R; ++i) arr[j] += cell_current(i, j);
    }
    // TIA: V_S = I r_f / (1 + gain), V_out = -gain V_S, I_j = -V_out / r_f.
    col[j] = net.tia ? arr[j] * (net.tia_gain / (1 + net.tia_gain)) : arr[j];
  }
}

}  // namespace xbar::nodal_detail
