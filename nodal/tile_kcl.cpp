#include "nodal/tile_kcl.hpp"

#include <cmath>

#include "nodal/line_system.hpp"

namespace xbar::nodal_detail {

TileState initial_state(const TileNetwork& net, const std::vector<double>& v_in, const StopCondition* stop) {
  TileState s;
  s.xw.resize(net.wl_size());
  for (int i = 0; i < net.rows; ++i) {
    check_stop(stop, i);
    for (int k = 0; k < net.wl_len; ++k) s.xw[static_cast<std::size_t>(i) * net.wl_len + k] = v_in[i];
  }
  // Bit lines at their sense end's voltage (0 V, or a held line's bias; 0 V
  // when floating): a held line starts without a current along its wire, so
  // the first residual, to which CG's tolerance is relative, is the cells'
  // currents alone.
  s.xb.resize(net.bl_size());
  for (int k = 0; k < net.bl_len; ++k) {
    check_stop(stop, k);
    for (int j = 0; j < net.cols; ++j) s.xb[static_cast<std::size_t>(k) * net.cols + j] = net.v_sense[j];
  }
  return s;
}

template <class Law>
double kcl_residual(const TileNetwork& net, const Law& law, const std::vector<double>& v_in, const TileState& x,
                    std::vector<double>& fw, std::vector<double>& fb, std::vector<double>* cell_g,
                    std::vector<double>* mid, const StopCondition* stop, std::vector<double>* cell_g_bl) {
  const int R = net.rows, P = net.cols, LW = net.wl_len, LB = net.bl_len;
  fw.assign(net.wl_size(), 0.0);
  fb.assign(net.bl_size(), 0.0);
  if (cell_g) cell_g->resize(static_cast<std::size_t>(R) * P);
  if (cell_g && cell_g_bl) cell_g_bl->resize(static_cast<std::size_t>(R) * P);
  const bool exact = cell_g && cell_g_bl;
  if (mid) mid->resize(static_cast<std::size_t>(R) * P, NAN);

  // Word-line chains and drivers.
  for (int i = 0; i < R; ++i) {
    check_stop(stop, i);
    const double* v = &x.xw[static_cast<std::size_t>(i) * LW];
    double* f = &fw[static_cast<std::size_t>(i) * LW];
    for (int k = 0; k + 1 < LW; ++k) {
      const double i_seg = net.g_wl[static_cast<std::size_t>(i) * LW + k] * (v[k] - v[k + 1]);
      f[k] += i_seg;
      f[k + 1] -= i_seg;
    }
    if (!net.driver_fixed[i]) f[0] += net.g_driver[i] * (v[0] - v_in[i]);
  }
  // Bit-line chains and sensing.
  for (int k = 0; k < LB; ++k) {
    check_stop(stop, k);
    for (int j = 0; j < P; ++j) {
      const std::size_t s = static_cast<std::size_t>(k) * P + j;
      if (k + 1 < LB) {
        const double i_seg = net.g_bl[s] * (x.xb[s] - x.xb[s + P]);
        fb[s] += i_seg;
        fb[s + P] -= i_seg;
      }
      if (k == LB - 1 && !net.sense_fixed[j]) fb[s] += net.g_sense[j] * (x.xb[s] - net.v_sense[j]);
    }
  }
  // Cells, row by row in a fixed order (merged lines accumulate across rows).
  for (int i = 0; i < R; ++i) {
    check_stop(stop, i);
    for (int j = 0; j < P; ++j) {
      const std::size_t c = static_cast<std::size_t>(i) * P + j;
      const std::size_t ws = net.wl_slot(i, j), bs = net.bl_slot(i, j);
      const CellResponse p = law.at(c, x.xw[ws], x.xb[bs], mid ? (*mid)[c] : 0.0);
      fw[ws] += p.i;
      fb[bs] -= p.i;
      if (exact) {
        (*cell_g)[c] = p.g_w;
        (*cell_g_bl)[c] = p.g_b;
      } else if (cell_g) {
        (*cell_g)[c] = 0.5 * (p.g_w + p.g_b);
      }
      if (mid) (*mid)[c] = p.mid;
    }
  }
  // Fixed slots obey their source, not KCL.
  for (int i = 0; i < R; ++i)
    if (net.driver_fixed[i]) fw[static_cast<std::size_t>(i) * LW] = 0.0;
  for (int j = 0; j < P; ++j)
    if (net.sense_fixed[j]) fb[static_cast<std::size_t>(LB - 1) * P + j] = 0.0;
  return std::sqrt(dot(fw, fw) + dot(fb, fb));
}

template double kcl_residual(const TileNetwork&, const DeviceCells&, const std::vector<double>&, const TileState&,
                             std::vector<double>&, std::vector<double>&, std::vector<double>*, std::vector<double>*,
                             const StopCondition*, std::vector<double>*);
template double kcl_residual(const TileNetwork&, const TransistorCells&, const std::vector<double>&, const TileState&,
                             std::vector<double>&, std::vector<double>&, std::vector<double>*, std::vector<double>*,
                             const StopCondition*, std::vector<double>*);

}  // namespace xbar::nodal_detail
