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
  if (b_norm > 0) {
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
