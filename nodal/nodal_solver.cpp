#include "nodal/nodal_solver.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <string>

#include <fmt/format.h>
#include <omp.h>

#include "common/diagnostics.hpp"
#include "tile/tile_spec.hpp"
#include "nodal/line_system.hpp"
#include "nodal/schur_cg.hpp"
#include "nodal/tile_kcl.hpp"
#include "nodal/tile_network.hpp"

namespace xbar {
namespace nodal_detail {
namespace {

// Newton stops once a full step moves every word-line slot by less than this
// fraction of the largest input and every bit-line slot by less than this
// fraction of the largest bit-line voltage: quadratic convergence then leaves
// an error far below the CG tolerance.
constexpr double kNewtonStepTol = 1e-9;
constexpr int kMaxLineSearchHalvings = 40;

// Largest magnitude; infinity when any entry is not finite.
double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) {
    if (!std::isfinite(x)) return INFINITY;
    m = std::max(m, std::abs(x));
  }
  return m;
}

struct VectorResult {
  TileState x;
  NodalReport report;
};

class VectorSolver {
 public:
  VectorSolver(const TileNetwork& net, const TwoTerminalLaw& law, const LineSystem& linear_sys,
               const NodalOptions& opt)
      : net_(net), law_(law), linear_sys_(linear_sys), opt_(opt) {}

  VectorResult solve(const std::vector<double>& v_in, int vector_index) {
    VectorResult out;
    out.x = initial_state(net_, v_in, opt_.stop);
    const double f0 = kcl_residual(net_, law_, v_in, out.x, fw_, fb_, nullptr, opt_.stop);
    // Linear solve from the starting point: exact for linear cells, and the
    // first guess for Newton otherwise.
    newton_step(linear_sys_, out, vector_index, "linear solve");
    out.report.newton_iterations = 1;
    double f = kcl_residual(net_, law_, v_in, out.x, fw_, fb_, law_.linear() ? nullptr : &cell_g_, opt_.stop);
    if (!law_.linear()) f = newton(v_in, out, f, vector_index);
    out.report.final_residual = f0 > 0 ? f / f0 : 0.0;
    return out;
  }

 private:
  // Solves J d = -F (fw_, fb_ hold F) and stores d in dw_, db_.
  void newton_step(const LineSystem& sys, VectorResult& out, int vector_index, const char* what) {
    for (auto& v : fw_) v = -v;
    for (auto& v : fb_) v = -v;
    const CgResult cg = solve_line_system(sys, fw_, fb_, dw_, db_, opt_.rel_tol,
                                          opt_.max_linear_iter, ws_, opt_.stop);
    out.report.linear_iterations += cg.iterations;
    if (!cg.converged) {
      throw SimulationError(
          fmt::format("nodal engine: {} of input vector {} did not converge: conjugate "
                      "gradients reached relative residual {:.3g} after {} iterations "
                      "(tolerance {:.3g}, max_linear_iter {})",
                      what, vector_index, cg.rel_residual, cg.iterations, opt_.rel_tol,
                      opt_.max_linear_iter));
    }
    if (&sys == &linear_sys_) {
      for (std::size_t k = 0; k < dw_.size(); ++k) out.x.xw[k] += dw_[k];
      for (std::size_t k = 0; k < db_.size(); ++k) out.x.xb[k] += db_[k];
    }
  }

  // Damped Newton for nonlinear cells.  fw_, fb_, cell_g_ hold F and dI/dV at
  // out.x on entry; returns the final ||F||.
  double newton(const std::vector<double>& v_in, VectorResult& out, double f, int vector_index) {
    const double v_scale = std::max(max_abs(v_in), 1e-300);
    bool converged = false;
    int it = 0;
    while (it < opt_.max_newton && !converged) {
      if (opt_.stop) opt_.stop->check();
      ++it;
      const LineSystem sys = make_line_system(net_, cell_g_, opt_.stop);
      newton_step(sys, out, vector_index, "Newton step");
      const double tol_w = kNewtonStepTol * v_scale;
      const double tol_b = kNewtonStepTol * max_abs(out.x.xb) + 1e-6 * tol_w;
      const bool small = max_abs(dw_) <= tol_w && max_abs(db_) <= tol_b;
      // Backtrack until ||F|| decreases: the Newton direction is a descent
      // direction of ||F||^2 because J is nonsingular.
      TileState trial = out.x;
      double t = 1.0, f_trial = 0.0;
      for (int h = 0;; ++h) {
        for (std::size_t k = 0; k < dw_.size(); ++k) trial.xw[k] = out.x.xw[k] + t * dw_[k];
        for (std::size_t k = 0; k < db_.size(); ++k) trial.xb[k] = out.x.xb[k] + t * db_[k];
        f_trial = kcl_residual(net_, law_, v_in, trial, fw_, fb_, &cell_g_, opt_.stop);
        if (small || (std::isfinite(f_trial) && f_trial < f) || h >= kMaxLineSearchHalvings) break;
        t *= 0.5;
      }
      out.x = std::move(trial);
      f = f_trial;
      converged = small;
    }
    out.report.newton_iterations += it;
    if (!converged) {
      throw SimulationError(fmt::format(
          "nodal engine: Newton did not converge for input vector {} after {} iterations "
          "(max_newton {}); KCL residual {:.3g} A, {} conjugate-gradient iterations",
          vector_index, it, opt_.max_newton, f, out.report.linear_iterations));
    }
    return f;
  }

  const TileNetwork& net_;
  const TwoTerminalLaw& law_;
  const LineSystem& linear_sys_;
  const NodalOptions& opt_;
  std::vector<double> fw_, fb_, dw_, db_, cell_g_;
  CgWorkspace ws_;
};

}  // namespace
}  // namespace nodal_detail

TileSolution solve_nodal(const TileSpec& tile, const NodalOptions& opt, NodalReport* report) {
  using namespace nodal_detail;
  const auto t0 = std::chrono::steady_clock::now();
  const TileNetwork net = make_tile_network(tile, opt.stop);
  const TwoTerminalLaw law(tile);
  // The linear-cell system is shared by every vector (and is the first step
  // of Newton for nonlinear cells).
  const LineSystem linear_sys = make_line_system(net, net.g, opt.stop);

  const int nv = tile.vectors();
  TileSolution sol;
  sol.engine = "nodal";
  sol.simulator_version = "xbar-nodal";
  sol.vectors = nv;
  sol.rows = net.rows;
  sol.phys_cols = net.cols;
  for (auto* f : {&sol.column_current, &sol.array_current, &sol.v_wl, &sol.v_bl, &sol.driver_current})
    f->resize(nv);
  if (law.has_inner_node()) sol.v_mid.resize(nv);

  std::vector<NodalReport> reports(nv);
  std::vector<std::exception_ptr> errors(nv);
  // One vector per thread: a single parallel region, no barriers inside the
  // solves (which stay fast when the machine is oversubscribed, unlike
  // fine-grained threading), and results independent of the thread count.
#pragma omp parallel if (nv > 1)
  {
    VectorSolver solver(net, law, linear_sys, opt);
#pragma omp for schedule(dynamic, 1)
    for (int v = 0; v < nv; ++v) {
      try {
        if (opt.stop) opt.stop->check();  // the vectors not started yet end at once
        VectorResult r = solver.solve(tile.inputs[v], v);
        fill_vector(net, law, tile.inputs[v], r.x, sol, v, opt.stop);
        reports[v] = r.report;
      } catch (...) {
        errors[v] = std::current_exception();
      }
    }
  }
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);

  NodalReport total;
  for (const auto& r : reports) {
    total.newton_iterations += r.newton_iterations;
    total.linear_iterations += r.linear_iterations;
    total.final_residual = std::max(total.final_residual, r.final_residual);
  }
  if (report) *report = total;
  sol.log = fmt::format("nodal: {} vector(s), {} Newton iteration(s), {} CG iteration(s), "
                        "worst relative KCL residual {:.3g}\n",
                        nv, total.newton_iterations, total.linear_iterations, total.final_residual);
  sol.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sol;
}

double nodal_memory_bytes(int rows, int phys_cols, int vectors, bool linear_cells) {
  // Doubles per cell (the word- and bit-line slot counts are at most one per
  // cell each).  Shared: the tile's conductances, the network's copy, and the
  // linear LineSystem (diag_w, chain_w, diag_b, chain_b, gc and the two
  // LineFactors of two arrays each).
  constexpr double kShared = 1 + 1 + 9;
  // Per thread: the residual and the step (fw, fb, dw, db), the CG workspace
  // (b, x, r, z, p, q, yw) and the state (xw, xb); Newton adds the cell
  // conductances, the trial state and a LineSystem of its own.
  constexpr double kPerThreadLinear = 4 + 7 + 2;
  constexpr double kPerThreadNewton = 1 + 2 + 9;
  // Per input vector: v_wl and v_bl of the solution.
  constexpr double kPerVector = 2;
  // The process itself (code, libraries, heap arenas), measured: 10 MB.
  constexpr double kBaseBytes = 16e6;
  const double cells = static_cast<double>(std::max(rows, 0)) * std::max(phys_cols, 0);
  const int v = std::max(vectors, 1);
  const int threads = v > 1 ? std::min(v, std::max(omp_get_max_threads(), 1)) : 1;
  const double per_thread = kPerThreadLinear + (linear_cells ? 0.0 : kPerThreadNewton);
  // Per vector also its inputs and the driver, array and column currents.
  const double lines = static_cast<double>(v) * (rows + 3.0 * phys_cols);
  return kBaseBytes + sizeof(double) * (cells * (kShared + threads * per_thread + v * kPerVector) + lines);
}

}  // namespace xbar
