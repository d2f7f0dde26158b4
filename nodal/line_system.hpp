#pragma once
// The linearised tile (the Newton Jacobian; the whole system for linear cells):
//
//   [ A_W   -Gc ] [dW]   [rW]     A_W: tridiagonal along every word line
//   [ -Gc'  A_B ] [dB] = [rB]     A_B: tridiagonal along every bit line
//                                 Gc : cell conductances joining the two
//
// Fixed slots (held by an ideal source) have an identity row and no coupling,
// so the matrix stays symmetric positive definite and their update is 0.
// Cells whose current depends on each terminal voltage on its own (an access
// transistor: body effect) make the Jacobian non-symmetric: a cell's block is
// [a -b; -a b] with a = dI/dV_wl, b = -dI/dV_bl, so A_W takes the loads a,
// A_B the loads b, the word-line rows couple through b (gc) and the bit-line
// rows through a (gc_bl).  A_W and A_B stay symmetric tridiagonal.
// Everything here depends on the operating point only, never on the inputs:
// a batch of linear solves shares one LineSystem.
#include <vector>

#include "nodal/tile_network.hpp"

namespace xbar::nodal_detail {

// LDL' factors of independent symmetric tridiagonal lines.  m[k] = c_k / D_k
// (c_k: coupling between slots k and k+1), inv_d[k] = 1 / D_k.
struct LineFactors {
  std::vector<double> m, inv_d;
};

struct LineSystem {
  const TileNetwork* net = nullptr;
  const StopCondition* stop = nullptr;  // checked every few rows by every method (nodal_solver.hpp)
  std::vector<double> diag_w, chain_w;  // wl_size: diagonal; coupling slot k <-> k+1
  std::vector<double> diag_b, chain_b;  // bl_size: same for bit lines (row-major)
  std::vector<double> gc;               // R x P: cell coupling (0 when an end is fixed)
  std::vector<double> gc_bl;            // R x P: the bit-line rows' coupling when not gc (empty: symmetric)
  LineFactors fac_w, fac_b;
  std::vector<double> load_w, load_b;  // scratch of the factorisation (kept to reuse its memory)

  // x := A_W^{-1} x (all word lines).  x := A_B^{-1} x (all bit lines).
  void solve_wl(std::vector<double>& x) const;
  void solve_bl(std::vector<double>& x) const;
  // || |A_B| |x| ||_2: the scale of roundoff in computing A_B x.
  double bl_abs_product_norm(const std::vector<double>& x) const;
  bool symmetric() const { return gc_bl.empty(); }
  // q := S p with S = A_B - Gc_bl' A_W^{-1} Gc (yw: word-line scratch).
  void schur_product(const std::vector<double>& p, std::vector<double>& q, std::vector<double>& yw) const;
  // y := A_B p (bit-line tridiagonal product).
  void mul_bl(const std::vector<double>& p, std::vector<double>& y) const;
  // y_w := Gc p_b (bit-line slots -> word-line slots).
  void couple_to_wl(const std::vector<double>& p_b, std::vector<double>& y_w) const;
  // y_b += sign * Gc_bl' z_w (word-line slots -> bit-line slots).
  void add_coupling_to_bl(const std::vector<double>& z_w, std::vector<double>& y_b, double sign) const;
  const std::vector<double>& bl_coupling() const { return gc_bl.empty() ? gc : gc_bl; }
};

// Builds and factors the system for the given per-cell small-signal
// conductances (R x P; for linear cells simply net.g).  `stop`: checked at
// every row of every pass.
LineSystem make_line_system(const TileNetwork& net, const std::vector<double>& cell_g,
                            const StopCondition* stop = nullptr);
// The same into `sys`, reusing its memory (a Newton loop refactors one per step).
// `cell_g_bl` (non-null: the non-symmetric Jacobian of cells with an access
// transistor): -dI/dV_bl per cell, cell_g then being dI/dV_wl.
void rebuild_line_system(LineSystem& sys, const TileNetwork& net, const std::vector<double>& cell_g,
                         const StopCondition* stop = nullptr, const std::vector<double>* cell_g_bl = nullptr);

// Serial dot product in four interleaved partial sums (a fixed order, so the
// same bits on every run; solves are single-threaded and batches run one
// vector per thread, so results never depend on the thread count).  Four
// independent sums keep the adder pipeline busy: one running sum waits out
// every addition's latency.
double dot(const std::vector<double>& a, const std::vector<double>& b);

}  // namespace xbar::nodal_detail
