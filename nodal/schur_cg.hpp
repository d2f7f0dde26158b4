#pragma once
// Solves the linearised tile (LineSystem) by preconditioned conjugate
// gradients on the bit-line Schur complement
//   S = A_B - Gc' A_W^{-1} Gc,
// with A_B (exact tridiagonal solves along every bit line) as preconditioner.
// Each iteration costs one word-line and one bit-line sweep.  S is symmetric
// positive definite; its preconditioned condition number stays small because
// the word lines are eliminated exactly (this is CG-accelerated block
// Gauss-Seidel between word lines and bit lines).  A non-symmetric system
// (LineSystem::symmetric() false: cells with an access transistor) is solved
// the same way by restarted GMRES, right-preconditioned by A_B.
#include <vector>

#include "common/stop_condition.hpp"
#include "nodal/line_system.hpp"

namespace xbar::nodal_detail {

// GMRES keeps at most this many basis vectors (bit-line sized) before it
// restarts.
inline constexpr int kGmresRestart = 16;

struct CgWorkspace {
  std::vector<double> b, x, r, z, p, q, yw;
  std::vector<std::vector<double>> basis;  // GMRES: grown as its iterations need them
  void resize(std::size_t wl_size, std::size_t bl_size);
};

struct CgResult {
  int iterations = 0;
  double rel_residual = 0;  // true ||b - S x|| / ||b|| of the Schur system
  bool converged = false;
};

// Solves [A_W -Gc; -Gc_bl' A_B] [dw; db] = [rw; rb] to ||residual|| <= rel_tol
// ||rhs|| on the Schur system (CG when symmetric, else GMRES).  Single-threaded and deterministic.  `stop`
// (when given) is checked at every iteration and ends the solve by throwing.
CgResult solve_line_system(const LineSystem& sys, const std::vector<double>& rw, const std::vector<double>& rb,
                           std::vector<double>& dw, std::vector<double>& db, double rel_tol, int max_iter,
                           CgWorkspace& ws, const StopCondition* stop = nullptr);

}  // namespace xbar::nodal_detail
