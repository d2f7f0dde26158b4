#include "nodal/schur_cg.hpp"

#include <cmath>

namespace xbar::nodal_detail {
namespace {

// CG's recursive residual drifts from the true one; after it claims
// convergence the true residual is checked and CG restarted from there.
constexpr int kMaxRestarts = 4;
// In units of machine epsilon * || |A_B| |x| ||: the residual of S x that
// roundoff alone produces (stiff wires against weak cells, or the reverse).
constexpr double kRoundoffFloor = 16 * 2.220446049250313e-16;

// q := S p.
void apply_schur(const LineSystem& sys, const std::vector<double>& p, std::vector<double>& q, std::vector<double>& yw) {
  sys.schur_product(p, q, yw);
}

}  // namespace

void CgWorkspace::resize(std::size_t wl_size, std::size_t bl_size) {
  // No zeroing: solve_line_system writes every entry before it reads it.
  for (auto* v : {&b, &x, &r, &z, &p, &q}) v->resize(bl_size);
  yw.resize(wl_size);
}

namespace {

// Restarted GMRES on S x = b (ws.b) from x = 0 into ws.x, right-preconditioned
// by A_B (x = A_B^{-1} u, u in the Krylov space of S A_B^{-1}): its residual
// is the unpreconditioned one, so it stops where CG would, at `target`, and
// is accepted down to the roundoff `floor(x)` like CG's.  Modified
// Gram-Schmidt, Givens rotations on the Hessenberg matrix.
template <class Floor>
void gmres(const LineSystem& sys, CgWorkspace& ws, double b_norm, double target, int max_iter, Floor floor,
           CgResult& res, const StopCondition* stop) {
  const std::size_t nb = ws.b.size();
  constexpr int m = kGmresRestart;
  double h[m + 1][m], cs[m], sn[m], g[m + 1], y[m];
  std::fill(ws.x.begin(), ws.x.end(), 0.0);
  ws.r = ws.b;
  double beta = b_norm;
  while (true) {
    if (beta <= target) {
      res.converged = true;
      break;
    }
    if (res.iterations >= max_iter) break;
    if (ws.basis.size() < 1) ws.basis.emplace_back();
    ws.basis[0].resize(nb);
    for (std::size_t k = 0; k < nb; ++k) ws.basis[0][k] = ws.r[k] / beta;
    std::fill(g, g + m + 1, 0.0);
    g[0] = beta;
    int n = 0;  // basis vectors used for the update
    while (n < m && res.iterations < max_iter) {
      check_stop(stop);
      ws.z = ws.basis[n];
      sys.solve_bl(ws.z);
      sys.schur_product(ws.z, ws.q, ws.yw);
      for (int i = 0; i <= n; ++i) {
        const double hi = dot(ws.q, ws.basis[i]);
        h[i][n] = hi;
        const std::vector<double>& v = ws.basis[i];
        for (std::size_t k = 0; k < nb; ++k) ws.q[k] -= hi * v[k];
      }
      const double hn = std::sqrt(dot(ws.q, ws.q));
      h[n + 1][n] = hn;
      for (int i = 0; i < n; ++i) {  // earlier rotations
        const double a = h[i][n], c = h[i + 1][n];
        h[i][n] = cs[i] * a + sn[i] * c;
        h[i + 1][n] = -sn[i] * a + cs[i] * c;
      }
      const double d = std::hypot(h[n][n], h[n + 1][n]);
      if (!(d > 0) || !std::isfinite(d)) break;  // breakdown: S singular numerically
      cs[n] = h[n][n] / d;
      sn[n] = h[n + 1][n] / d;
      h[n][n] = d;
      g[n + 1] = -sn[n] * g[n];
      g[n] *= cs[n];
      ++n;
      ++res.iterations;
      if (std::abs(g[n]) <= target || !(hn > 0)) break;
      if (static_cast<int>(ws.basis.size()) <= n) ws.basis.emplace_back();
      ws.basis[n].resize(nb);
      for (std::size_t k = 0; k < nb; ++k) ws.basis[n][k] = ws.q[k] / hn;
    }
    if (n == 0) break;
    for (int i = n - 1; i >= 0; --i) {  // back-substitution of the triangular system
      double v = g[i];
      for (int k = i + 1; k < n; ++k) v -= h[i][k] * y[k];
      y[i] = v / h[i][i];
    }
    std::fill(ws.z.begin(), ws.z.end(), 0.0);
    for (int i = 0; i < n; ++i) {
      const std::vector<double>& v = ws.basis[i];
      for (std::size_t k = 0; k < nb; ++k) ws.z[k] += y[i] * v[k];
    }
    sys.solve_bl(ws.z);
    for (std::size_t k = 0; k < nb; ++k) ws.x[k] += ws.z[k];
    // The true residual, for the restart and the stop.
    sys.schur_product(ws.x, ws.q, ws.yw);
    for (std::size_t k = 0; k < nb; ++k) ws.r[k] = ws.b[k] - ws.q[k];
    beta = std::sqrt(dot(ws.r, ws.r));
    if (beta <= std::max(target, floor())) {
      res.converged = true;
      break;
    }
  }
  res.rel_residual = beta / b_norm;
}

}  // namespace

CgResult solve_line_system(const LineSystem& sys, const std::vector<double>& rw, const std::vector<double>& rb,
                           std::vector<double>& dw, std::vector<double>& db, double rel_tol, int max_iter,
                           CgWorkspace& ws, const StopCondition* stop) {
  check_stop(stop);  // setup and back-substitution: a few passes each, checked around them
  const std::size_t nb = rb.size();
  ws.resize(rw.size(), nb);
  // Schur right-hand side: b = rb + Gc' A_W^{-1} rw.
  ws.yw = rw;
  sys.solve_wl(ws.yw);
  ws.b = rb;
  sys.add_coupling_to_bl(ws.yw, ws.b, 1.0);

  CgResult res;
  const double b_norm = std::sqrt(dot(ws.b, ws.b));
  std::fill(ws.x.begin(), ws.x.end(), 0.0);
  if (!std::isfinite(b_norm)) {
    res.rel_residual = INFINITY;
    return res;
  }
  if (b_norm > 0 && !sys.symmetric()) {
    gmres(
        sys, ws, b_norm, rel_tol * b_norm, max_iter, [&] { return kRoundoffFloor * sys.bl_abs_product_norm(ws.x); },
        res, stop);
  } else if (b_norm > 0) {
    // CG runs until its recursive residual reaches rel_tol * ||b||; the true
    // residual is then accepted down to the roundoff of computing S x.
    const double target = rel_tol * b_norm;
    auto floor = [&] { return kRoundoffFloor * sys.bl_abs_product_norm(ws.x); };
    ws.r = ws.b;
    double true_norm = b_norm;  // true residual at x = 0
    for (int round = 0; round <= kMaxRestarts; ++round) {
      if (round > 0) {  // true residual r = b - S x
        apply_schur(sys, ws.x, ws.q, ws.yw);
        for (std::size_t k = 0; k < nb; ++k) ws.r[k] = ws.b[k] - ws.q[k];
        true_norm = std::sqrt(dot(ws.r, ws.r));
        if (true_norm <= std::max(target, floor())) {
          res.converged = true;
          break;
        }
      }
      if (res.iterations >= max_iter) break;
      ws.z = ws.r;
      sys.solve_bl(ws.z);
      ws.p = ws.z;
      double rz = dot(ws.r, ws.z);
      while (res.iterations < max_iter) {
        check_stop(stop);
        apply_schur(sys, ws.p, ws.q, ws.yw);
        const double pq = dot(ws.p, ws.q);
        if (!(pq > 0) || !std::isfinite(pq)) break;  // breakdown: S not SPD numerically
        const double alpha = rz / pq;
        for (std::size_t k = 0; k < nb; ++k) {
          ws.x[k] += alpha * ws.p[k];
          ws.r[k] -= alpha * ws.q[k];
        }
        ++res.iterations;
        if (std::sqrt(dot(ws.r, ws.r)) <= target) break;
        ws.z = ws.r;
        sys.solve_bl(ws.z);
        const double rz_new = dot(ws.r, ws.z);
        const double beta = rz_new / rz;
        rz = rz_new;
        for (std::size_t k = 0; k < nb; ++k) ws.p[k] = ws.z[k] + beta * ws.p[k];
      }
    }
    if (!res.converged) {  // the last CG round was not checked yet
      apply_schur(sys, ws.x, ws.q, ws.yw);
      double sq = 0;
      for (std::size_t k = 0; k < nb; ++k) sq += (ws.b[k] - ws.q[k]) * (ws.b[k] - ws.q[k]);
      true_norm = std::sqrt(sq);
      res.converged = true_norm <= std::max(target, floor());
    }
    res.rel_residual = true_norm / b_norm;
  } else {
    res.converged = true;
  }
  // Back-substitute the word lines: dw = A_W^{-1} (rw + Gc db).
  check_stop(stop);
  db = ws.x;
  sys.couple_to_wl(db, ws.yw);
  for (std::size_t k = 0; k < rw.size(); ++k) ws.yw[k] += rw[k];
  sys.solve_wl(ws.yw);
  dw = ws.yw;
  return res;
}

}  // namespace xbar::nodal_detail
