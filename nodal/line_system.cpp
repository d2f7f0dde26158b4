#include "nodal/line_system.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace xbar::nodal_detail {
namespace {

using std::size_t;

// Bit lines are solved in blocks of columns: each block sweeps all rows with a
// vectorisable inner loop over its columns, staying in cache.
constexpr int kColumnBlock = 256;

// Forward and back substitution of N adjacent word lines of length L (their
// factors m, inv_d at the same offsets as y), the lines' steps interleaved:
// each line's sweep is a chain of dependent multiply-adds, and N of them side
// by side keep the core busy.  Every line gets the same operations in the same
// order whatever N is, so the results do not depend on the grouping.
template <int N>
void sweep_word_lines(double* y, const double* m, const double* inv_d, int L) {
  for (int k = 1; k < L; ++k)
    for (int r = 0; r < N; ++r) y[r * L + k] += m[r * L + k - 1] * y[r * L + k - 1];
  for (int r = 0; r < N; ++r) y[r * L + L - 1] *= inv_d[r * L + L - 1];
  for (int k = L - 2; k >= 0; --k)
    for (int r = 0; r < N; ++r) y[r * L + k] = y[r * L + k] * inv_d[r * L + k] + m[r * L + k] * y[r * L + k + 1];
}

}  // namespace

double dot(const std::vector<double>& a, const std::vector<double>& b) {
  const size_t n = a.size(), n4 = n - n % 4;
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  for (size_t k = 0; k < n4; k += 4) {
    s0 += a[k] * b[k];
    s1 += a[k + 1] * b[k + 1];
    s2 += a[k + 2] * b[k + 2];
    s3 += a[k + 3] * b[k + 3];
  }
  for (size_t k = n4; k < n; ++k) s0 += a[k] * b[k];
  return (s0 + s1) + (s2 + s3);
}

LineSystem make_line_system(const TileNetwork& net, const std::vector<double>& cell_g, const StopCondition* stop) {
  LineSystem sys;
  rebuild_line_system(sys, net, cell_g, stop);
  // A system built once keeps no factorisation scratch: its memory goes
  // back before the solve (the resource count holds it only while factoring).
  std::vector<double>().swap(sys.load_w);
  std::vector<double>().swap(sys.load_b);
  return sys;
}

void rebuild_line_system(LineSystem& sys, const TileNetwork& net, const std::vector<double>& cell_g,
                         const StopCondition* stop, const std::vector<double>* cell_g_bl) {
  const int R = net.rows, P = net.cols, LW = net.wl_len, LB = net.bl_len;
  sys.net = &net;
  sys.stop = stop;
  sys.diag_w.assign(net.wl_size(), 0.0);
  sys.chain_w.assign(net.wl_size(), 0.0);
  sys.diag_b.assign(net.bl_size(), 0.0);
  sys.chain_b.assign(net.bl_size(), 0.0);
  sys.gc.assign(static_cast<size_t>(R) * P, 0.0);
  if (cell_g_bl)
    sys.gc_bl.assign(static_cast<size_t>(R) * P, 0.0);
  else
    sys.gc_bl.clear();
  // What ties each slot to anything but its own line's neighbours (drivers,
  // sense ends, cells, a neighbour that is fixed): diag = chains + load.  The
  // factorisation works from the loads, never from diag - chains, so an
  // undriven line hanging on tiny conductances (off transistors) loses no
  // digits to cancellation.
  std::vector<double>& load_w = sys.load_w;
  std::vector<double>& load_b = sys.load_b;
  load_w.assign(net.wl_size(), 0.0);
  load_b.assign(net.bl_size(), 0.0);

  // Chains and terminals.
  for (int i = 0; i < R; ++i) {
    check_stop(stop, i);
    const size_t o = static_cast<size_t>(i) * LW;
    double* d = &sys.diag_w[o];
    double* c = &sys.chain_w[o];
    for (int k = 0; k + 1 < LW; ++k) {
      const double gw = net.g_wl[static_cast<size_t>(i) * LW + k];
      c[k] = gw;
      d[k] += gw;
      d[k + 1] += gw;
    }
    d[0] += net.g_driver[i];
    load_w[o] += net.g_driver[i];
  }
  for (int k = 0; k < LB; ++k) {
    check_stop(stop, k);
    for (int j = 0; j < P; ++j) {
      const size_t s = static_cast<size_t>(k) * P + j;
      if (k + 1 < LB) {
        sys.chain_b[s] = net.g_bl[s];
        sys.diag_b[s] += net.g_bl[s];
        sys.diag_b[s + P] += net.g_bl[s];
      }
      if (k == LB - 1) {
        sys.diag_b[s] += net.g_sense[j];
        load_b[s] += net.g_sense[j];
      }
    }
  }
  // Cells: every cell loads both of its slots; only cells between two free
  // slots couple them.  Non-symmetric: the word-line slot's load is
  // dI/dV_wl and its coupling -dI/dV_bl, and the reverse for the bit line.
  for (int i = 0; i < R; ++i) {
    check_stop(stop, i);
    for (int j = 0; j < P; ++j) {
      const size_t c = static_cast<size_t>(i) * P + j;
      const double g = cell_g[c], g_b = cell_g_bl ? (*cell_g_bl)[c] : g;
      const size_t ws = net.wl_slot(i, j), bs = net.bl_slot(i, j);
      sys.diag_w[ws] += g;
      sys.diag_b[bs] += g_b;
      load_w[ws] += g;
      load_b[bs] += g_b;
      if (!net.cell_touches_fixed(i, j)) {
        sys.gc[c] = g_b;
        if (cell_g_bl) sys.gc_bl[c] = g;
      }
    }
  }
  // Fixed slots: identity rows, decoupled from their neighbours (whose chain
  // to them becomes a load).
  for (int i = 0; i < R; ++i) {
    if (!net.driver_fixed[i]) continue;
    const size_t o = static_cast<size_t>(i) * LW;
    sys.diag_w[o] = load_w[o] = 1.0;
    sys.chain_w[o] = 0.0;
    if (LW > 1) load_w[o + 1] += net.g_wl[o];
  }
  for (int j = 0; j < P; ++j) {
    if (!net.sense_fixed[j]) continue;
    const size_t s = static_cast<size_t>(LB - 1) * P + j;
    sys.diag_b[s] = load_b[s] = 1.0;
    if (LB > 1) {
      sys.chain_b[s - P] = 0.0;
      load_b[s - P] += net.g_bl[s - P];
    }
  }

  // LDL' of every line, D_k = c_k + e_k (c_k: chain to slot k + 1):
  //   e_0 = load_0,  e_{k+1} = load_{k+1} + c_k e_k / (c_k + e_k),
  // which is D_{k+1} = d_{k+1} - c_k^2 / D_k without its cancellation;
  // m_k = c_k / D_k.
  sys.fac_w.m.assign(net.wl_size(), 0.0);
  sys.fac_w.inv_d.assign(net.wl_size(), 0.0);
  for (int i = 0; i < R; ++i) {
    check_stop(stop, i);
    const size_t o = static_cast<size_t>(i) * LW;
    double e = load_w[o];
    for (int k = 0; k < LW; ++k) {
      const double c = sys.chain_w[o + k], D = c + e;
      sys.fac_w.inv_d[o + k] = 1.0 / D;
      if (k + 1 < LW) {
        sys.fac_w.m[o + k] = c / D;
        e = load_w[o + k + 1] + c * e / D;
      }
    }
  }
  sys.fac_b.m.assign(net.bl_size(), 0.0);
  sys.fac_b.inv_d.assign(net.bl_size(), 0.0);
  std::vector<double> e(load_b.begin(), load_b.begin() + P);
  for (int k = 0; k < LB; ++k) {
    check_stop(stop, k);
    const size_t o = static_cast<size_t>(k) * P;
    for (int j = 0; j < P; ++j) {
      const double c = sys.chain_b[o + j], D = c + e[j];
      sys.fac_b.inv_d[o + j] = 1.0 / D;
      if (k + 1 < LB) {
        sys.fac_b.m[o + j] = c / D;
        e[j] = load_b[o + P + j] + c * e[j] / D;
      }
    }
  }
}

void LineSystem::solve_wl(std::vector<double>& x) const {
  const int R = net->rows, L = net->wl_len;
  const double* m = fac_w.m.data();
  const double* inv_d = fac_w.inv_d.data();
  for (int i = 0; i < R; ++i) {
    check_stop(stop, i);
    const size_t o = static_cast<size_t>(i) * L;
    sweep_word_lines<1>(&x[o], m + o, inv_d + o, L);
  }
}

void LineSystem::solve_bl(std::vector<double>& x) const {
  const int P = net->cols, L = net->bl_len;
  const double* m = fac_b.m.data();
  const double* inv_d = fac_b.inv_d.data();
  const int blocks = (P + kColumnBlock - 1) / kColumnBlock;
  for (int b = 0; b < blocks; ++b) {
    check_stop(stop);  // a block: up to 256 columns of every row
    const int j0 = b * kColumnBlock, j1 = std::min(P, j0 + kColumnBlock);
    double* y = x.data();
    for (int k = 1; k < L; ++k) {
      const size_t o = static_cast<size_t>(k) * P;
      for (int j = j0; j < j1; ++j) y[o + j] += m[o - P + j] * y[o - P + j];
    }
    const size_t last = static_cast<size_t>(L - 1) * P;
    for (int j = j0; j < j1; ++j) y[last + j] *= inv_d[last + j];
    for (int k = L - 2; k >= 0; --k) {
      const size_t o = static_cast<size_t>(k) * P;
      for (int j = j0; j < j1; ++j) y[o + j] = y[o + j] * inv_d[o + j] + m[o + j] * y[o + P + j];
    }
  }
}

double LineSystem::bl_abs_product_norm(const std::vector<double>& x) const {
  const int P = net->cols, L = net->bl_len;
  double sq = 0;
  for (int k = 0; k < L; ++k) {
    check_stop(stop, k);
    const size_t o = static_cast<size_t>(k) * P;
    for (int j = 0; j < P; ++j) {
      double v = std::abs(diag_b[o + j] * x[o + j]);
      if (k > 0) v += std::abs(chain_b[o - P + j] * x[o - P + j]);
      if (k + 1 < L) v += std::abs(chain_b[o + j] * x[o + P + j]);
      sq += v * v;
    }
  }
  return std::sqrt(sq);
}

void LineSystem::mul_bl(const std::vector<double>& p, std::vector<double>& y) const {
  const int P = net->cols, L = net->bl_len;
  for (int k = 0; k < L; ++k) {
    check_stop(stop, k);
    const size_t o = static_cast<size_t>(k) * P;
    for (int j = 0; j < P; ++j) {
      double v = diag_b[o + j] * p[o + j];
      if (k > 0) v -= chain_b[o - P + j] * p[o - P + j];
      if (k + 1 < L) v -= chain_b[o + j] * p[o + P + j];
      y[o + j] = v;
    }
  }
}

void LineSystem::schur_product(const std::vector<double>& p, std::vector<double>& q, std::vector<double>& yw) const {
  const int R = net->rows, P = net->cols, LW = net->wl_len, LB = net->bl_len;
  if (LW != P || LB != R) {  // merged lines: the general three-step path
    couple_to_wl(p, yw);
    solve_wl(yw);
    mul_bl(p, q);
    add_coupling_to_bl(yw, q, -1.0);
    return;
  }
  // One pass per group of kRowGroup rows: their word-line solves stay in L1
  // and run interleaved (sweep_word_lines).
  const double* m = fac_w.m.data();
  const double* inv_d = fac_w.inv_d.data();
  const double* gc_out = bl_coupling().data();
  constexpr int kRowGroup = 4;
  for (int i0 = 0; i0 < R; i0 += kRowGroup) {
    const int n = std::min(kRowGroup, R - i0);
    for (int r = 0; r < n; ++r) check_stop(stop, i0 + r);
    const size_t o0 = static_cast<size_t>(i0) * P;
    double* y = &yw[o0];
    for (size_t j = 0; j < static_cast<size_t>(n) * P; ++j) y[j] = gc[o0 + j] * p[o0 + j];
    if (n == kRowGroup) {
      sweep_word_lines<kRowGroup>(y, m + o0, inv_d + o0, P);
    } else {
      for (int r = 0; r < n; ++r) {
        const size_t o = o0 + static_cast<size_t>(r) * P;
        sweep_word_lines<1>(&yw[o], m + o, inv_d + o, P);
      }
    }
    for (int r = 0; r < n; ++r) {
      const int i = i0 + r;
      const size_t o = static_cast<size_t>(i) * P;
      for (int j = 0; j < P; ++j) {
        double v = diag_b[o + j] * p[o + j];
        if (i > 0) v -= chain_b[o - P + j] * p[o - P + j];
        if (i + 1 < R) v -= chain_b[o + j] * p[o + P + j];
        q[o + j] = v - gc_out[o + j] * yw[o + j];
      }
    }
  }
}

void LineSystem::couple_to_wl(const std::vector<double>& p_b, std::vector<double>& y_w) const {
  const int R = net->rows, P = net->cols, L = net->wl_len;
  const size_t bl_step = static_cast<size_t>(net->bl_row_step());
  const int wl_step = net->wl_col_step();
  for (int i = 0; i < R; ++i) {
    check_stop(stop, i);
    double* y = &y_w[static_cast<size_t>(i) * L];
    const double* g = &gc[static_cast<size_t>(i) * P];
    const double* p = &p_b[i * bl_step];
    if (wl_step == 1) {
      for (int j = 0; j < P; ++j) y[j] = g[j] * p[j];
    } else {
      double s = 0;
      for (int j = 0; j < P; ++j) s += g[j] * p[j];
      y[0] = s;
    }
  }
}

void LineSystem::add_coupling_to_bl(const std::vector<double>& z_w, std::vector<double>& y_b, double sign) const {
  const int R = net->rows, P = net->cols, L = net->wl_len;
  const int wl_step = net->wl_col_step();
  const std::vector<double>& g_bl = bl_coupling();
  if (net->bl_row_step() == 0) {  // merged bit lines: sum over rows in order
    for (int i = 0; i < R; ++i) {
      check_stop(stop, i);
      const double* g = &g_bl[static_cast<size_t>(i) * P];
      const double* z = &z_w[static_cast<size_t>(i) * L];
      for (int j = 0; j < P; ++j) y_b[j] += sign * (g[j] * z[j * wl_step]);
    }
    return;
  }
  for (int i = 0; i < R; ++i) {
    check_stop(stop, i);
    const double* g = &g_bl[static_cast<size_t>(i) * P];
    const double* z = &z_w[static_cast<size_t>(i) * L];
    double* y = &y_b[static_cast<size_t>(i) * P];
    for (int j = 0; j < P; ++j) y[j] += sign * (g[j] * z[j * wl_step]);
  }
}

}  // namespace xbar::nodal_detail
