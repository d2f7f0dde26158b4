#include "nodal/nodal_solver.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <exception>
#include <string>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <omp.h>

#include "common/diagnostics.hpp"
#include "device_tables/transistor_tables.hpp"
#include "nodal/cell_law.hpp"
#include "nodal/line_system.hpp"
#include "nodal/schur_cg.hpp"
#include "nodal/tile_kcl.hpp"
#include "nodal/tile_network.hpp"
#include "tile/tile_spec.hpp"

namespace xbar {
namespace nodal_detail {
namespace {

// Newton stops once a full step moves every word-line slot by less than this
// fraction of the largest input and every bit-line slot by less than this
// fraction of the largest bit-line voltage: quadratic convergence then leaves
// an error far below the CG tolerance.
constexpr double kNewtonStepTol = 1e-9;
// With an exact Jacobian (two-terminal cells) Newton converges quadratically:
// after steps d1 then d2 the error left is about C |d2|^2 with C = |d2| /
// |d1|^2.  Newton stops without another step once that estimate is below
// this fraction of the step tolerance (and both steps were full ones that
// shrank at least this much), which saves the last step: it would only
// confirm a solution already far inside the tolerance.
constexpr double kQuadraticSafety = 1e-2;
constexpr double kQuadraticContraction = 1e-2;
constexpr double kNewtonVoltFloor = 1e-6;  // V: the smallest input scale Newton's step tolerance is taken of
constexpr int kMaxLineSearchHalvings = 40;
// Transistor cells: Newton's linear solves (GMRES on the exact, non-symmetric
// Jacobian) stop at this relative residual, an inexact Newton whose steps
// shrink quadratically until they reach this fraction of the last one; the
// quadratic stop counts it in (quadratic_done).
constexpr double kTransistorStepCgTol = 1e-6;

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

template <class Law>
class VectorSolver {
 public:
  VectorSolver(const TileNetwork& net, const Law& law, const LineSystem& linear_sys, const NodalOptions& opt)
      : net_(net), law_(law), linear_sys_(linear_sys), opt_(opt) {}

  VectorResult solve(const std::vector<double>& v_in, int vector_index) {
    VectorResult out;
    out.x = initial_state(net_, v_in, opt_.stop);
    // Inner nodes start unknown for every vector, so a batch gives the same
    // bits as one vector at a time.
    if (Law::kHasMid) mid_.assign(net_.g.size(), NAN);
    const double f0 = kcl_residual(net_, law_, v_in, out.x, fw_, fb_, nullptr, mid(), opt_.stop);
    // Linear solve from the starting point: exact for linear cells, and the
    // first guess for Newton otherwise.
    newton_step(linear_sys_, out, vector_index, "linear solve");
    out.report.newton_iterations = 1;
    double f = kcl_residual(net_, law_, v_in, out.x, fw_, fb_, law_.linear() ? nullptr : &cell_g_, mid(), opt_.stop,
                            cell_gb());
    if (!law_.linear()) f = newton(v_in, out, f, vector_index);
    out.report.final_residual = f0 > 0 ? f / f0 : 0.0;
    return out;
  }

 private:
  // Solves J d = -F (fw_, fb_ hold F) and stores d in dw_, db_.
  void newton_step(const LineSystem& sys, VectorResult& out, int vector_index, const char* what) {
    for (auto& v : fw_) v = -v;
    for (auto& v : fb_) v = -v;
    const double tol = step_tol();
    const CgResult cg = solve_line_system(sys, fw_, fb_, dw_, db_, tol, opt_.max_linear_iter, ws_, opt_.stop);
    out.report.linear_iterations += cg.iterations;
    if (!cg.converged) {
      throw SimulationError(
          fmt::format("nodal engine: {} of input vector {} did not converge: conjugate "
                      "gradients reached relative residual {:.3g} after {} iterations "
                      "(tolerance {:.3g}, max_linear_iter {})",
                      what, vector_index, cg.rel_residual, cg.iterations, tol, opt_.max_linear_iter));
    }
    if (&sys == &linear_sys_) {
      for (std::size_t k = 0; k < dw_.size(); ++k) out.x.xw[k] += dw_[k];
      for (std::size_t k = 0; k < db_.size(); ++k) out.x.xb[k] += db_[k];
    }
  }

  // Damped Newton for nonlinear cells.  fw_, fb_, cell_g_ hold F and dI/dV at
  // out.x on entry; returns the final ||F||.
  double newton(const std::vector<double>& v_in, VectorResult& out, double f, int vector_index) {
    // Inputs all (nearly) 0, as a tile gets for an image whose pixels on its
    // rows are all dark: the steps are then measured against 1 uV, not
    // against 0 (a transistor table's value at 0 V is ngspice's, ~1e-34 A,
    // not exactly 0, so the state never settles on exact zeros).
    const double v_scale = std::max(max_abs(v_in), kNewtonVoltFloor);
    bool converged = false;
    int it = 0;
    // The previous step's size (word lines, bit lines); negative: it was not
    // a full Newton step, so no convergence rate can be read from it.
    double prev_w = -1, prev_b = -1;
    while (it < opt_.max_newton && !converged) {
      if (opt_.stop) opt_.stop->check();
      ++it;
      rebuild_line_system(jacobian_, net_, cell_g_, opt_.stop, cell_gb());
      newton_step(jacobian_, out, vector_index, "Newton step");
      const double tol_w = kNewtonStepTol * v_scale;
      const double tol_b = kNewtonStepTol * max_abs(out.x.xb) + 1e-6 * tol_w;
      const double step_w = max_abs(dw_), step_b = max_abs(db_);
      const bool small = step_w <= tol_w && step_b <= tol_b;
      // Backtrack until ||F|| decreases: the Newton direction is a descent
      // direction of ||F||^2 because J is nonsingular.
      TileState& trial = trial_;
      trial.xw.resize(out.x.xw.size());
      trial.xb.resize(out.x.xb.size());
      double t = 1.0, f_trial = 0.0;
      for (int h = 0;; ++h) {
        for (std::size_t k = 0; k < dw_.size(); ++k) trial.xw[k] = out.x.xw[k] + t * dw_[k];
        for (std::size_t k = 0; k < db_.size(); ++k) trial.xb[k] = out.x.xb[k] + t * db_[k];
        f_trial = kcl_residual(net_, law_, v_in, trial, fw_, fb_, &cell_g_, mid(), opt_.stop, cell_gb());
        if (small || (std::isfinite(f_trial) && f_trial < f) || h >= kMaxLineSearchHalvings) break;
        t *= 0.5;
      }
      std::swap(out.x, trial);
      f = f_trial;
      converged = small || (t == 1.0 && quadratic_done(prev_w, step_w, tol_w) && quadratic_done(prev_b, step_b, tol_b));
      prev_w = t == 1.0 ? step_w : -1;
      prev_b = t == 1.0 ? step_b : -1;
    }
    out.report.newton_iterations += it;
    if (!converged) {
      throw SimulationError(
          fmt::format("nodal engine: Newton did not converge for input vector {} after {} iterations "
                      "(max_newton {}); KCL residual {:.3g} A, {} conjugate-gradient iterations",
                      vector_index, it, opt_.max_newton, f, out.report.linear_iterations));
    }
    return f;
  }

  // The relative residual the linear solves stop at.
  double step_tol() const { return Law::kHasMid ? std::max(opt_.rel_tol, kTransistorStepCgTol) : opt_.rel_tol; }

  // After full steps of sizes `prev` then `step` (one part of the state):
  // whether quadratic convergence leaves an error far below `tol`; an
  // inexact solve (step_tol) adds up to step_tol() |step|.
  bool quadratic_done(double prev, double step, double tol) const {
    if (!(prev > 0)) return step == 0 && prev == 0;
    if (step > kQuadraticContraction * prev) return false;
    const double c = step / (prev * prev);  // e_next ~ c step^2
    const double inexact = Law::kHasMid ? step_tol() * step : 0.0;
    return c * step * step + inexact <= kQuadraticSafety * tol;
  }

  std::vector<double>* mid() { return Law::kHasMid ? &mid_ : nullptr; }
  // Cells with an access transistor: -dI/dV_bl beside dI/dV_wl in cell_g_,
  // for the exact (non-symmetric) Jacobian.
  std::vector<double>* cell_gb() { return Law::kHasMid ? &cell_gb_ : nullptr; }

 public:
  // The last solve's inner node voltages (cells with an access transistor).
  const std::vector<double>& inner_nodes() const { return mid_; }

 private:
  const TileNetwork& net_;
  const Law& law_;
  const LineSystem& linear_sys_;
  const NodalOptions& opt_;
  std::vector<double> fw_, fb_, dw_, db_, cell_g_, cell_gb_, mid_;
  CgWorkspace ws_;
  LineSystem jacobian_;  // Newton's matrix, refactored in place every step
  TileState trial_;      // the line search's state
};

// Maps one solved state back to tile coordinates (docs/circuit.md); `mid`:
// the inner node voltages of transistor cells.  The node voltages only when
// `node_voltages` (the currents need the state alone).
template <class Law>
void fill_vector(const TileNetwork& net, const Law& law, const std::vector<double>& v_in, const VectorResult& r,
                 const std::vector<double>& mid, bool node_voltages, TileSolution& sol, int v,
                 const StopCondition* stop) {
  const TileState& x = r.x;
  const int R = net.rows, P = net.cols;
  if (node_voltages) {
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
    if (Law::kHasMid) {
      sol.v_mid[v] = mid;
    } else if (law.has_inner_node()) {
      // Two-part cells without their own inner-node state (1S1R): the junction
      // below the device (0 V where the cell is absent, as the circuit ties an
      // absent cell's junction to ground).
      auto& v_mid = sol.v_mid[v];
      v_mid.assign(static_cast<std::size_t>(R) * P, 0.0);
      for (std::size_t c = 0; c < v_mid.size(); ++c)
        if (net.g[c] > 0) v_mid[c] = law.at(c, v_wl[c], v_bl[c], 0.0).mid;
    }
  }
  auto cell_current = [&](int i, int j) {
    const std::size_t c = static_cast<std::size_t>(i) * P + j;
    return law.at(c, x.xw[net.wl_slot(i, j)], x.xb[net.bl_slot(i, j)], Law::kHasMid ? mid[c] : 0.0).i;
  };

  // Driver current: through r_driver (0 for an undriven line), or, for a
  // fixed slot 0, what leaves it into the rest of the word line and its own
  // cells.
  auto& drv = sol.driver_current[v];
  drv.assign(R, 0.0);
  for (int i = 0; i < R; ++i) {
    check_stop(stop, i);
    const double* w = &x.xw[static_cast<std::size_t>(i) * net.wl_len];
    if (!net.driver_fixed[i]) {
      drv[i] = net.g_driver[i] * (v_in[i] - w[0]);
    } else if (net.wl_len > 1) {
      drv[i] = net.g_wl[static_cast<std::size_t>(i) * net.wl_len] * (w[0] - w[1]) + cell_current(i, 0);
    } else {
      for (int j = 0; j < P; ++j) drv[i] += cell_current(i, j);
    }
  }
  // Sense current into S_j: through the sense conductance (0 for a floating
  // line), or, for a fixed bottom slot, what the bit line above and the cells
  // deliver into it.
  auto& arr = sol.array_current[v];
  auto& col = sol.column_current[v];
  arr.assign(P, 0.0);
  col.assign(P, 0.0);
  const int LB = net.bl_len;
  for (int j = 0; j < P; ++j) {
    check_stop(stop, j);
    const double bottom = x.xb[static_cast<std::size_t>(LB - 1) * P + j];
    if (!net.sense_fixed[j]) {
      arr[j] = net.g_sense[j] * (bottom - net.v_sense[j]);
    } else if (LB > 1) {
      const std::size_t above = static_cast<std::size_t>(LB - 2) * P + j;
      arr[j] = net.g_bl[above] * (x.xb[above] - bottom) + cell_current(R - 1, j);
    } else {
      for (int i = 0; i < R; ++i) arr[j] += cell_current(i, j);
    }
    // TIA: V_S = I r_f / (1 + gain), V_out = -gain V_S, I_j = -V_out / r_f.
    col[j] = net.tia[j] ? arr[j] * (net.tia_gain / (1 + net.tia_gain)) : arr[j];
  }
}

// Every vector of the tile with one cell law; `g_start`: the cell
// conductances of the shared linear system (the whole solve for linear
// cells, Newton's first step otherwise).
template <class Law>
TileSolution solve_all(const TileSpec& tile, const TileNetwork& net, const Law& law, const std::vector<double>& g_start,
                       const NodalOptions& opt, NodalReport* report, std::chrono::steady_clock::time_point t0) {
  const LineSystem linear_sys = make_line_system(net, g_start, opt.stop);

  const int nv = tile.vectors();
  TileSolution sol;
  sol.engine = "nodal";
  sol.simulator_version = "xbar-nodal";
  sol.vectors = nv;
  sol.rows = net.rows;
  sol.phys_cols = net.cols;
  for (auto* f : {&sol.column_current, &sol.array_current, &sol.driver_current}) f->resize(nv);
  if (opt.node_voltages) {
    sol.v_wl.resize(nv);
    sol.v_bl.resize(nv);
    if (law.has_inner_node()) sol.v_mid.resize(nv);
  }

  std::vector<NodalReport> reports(nv);
  std::vector<std::exception_ptr> errors(nv);
  // One vector per thread: a single parallel region, no barriers inside the
  // solves (which stay fast when the machine is oversubscribed, unlike
  // fine-grained threading), and results independent of the thread count.
#pragma omp parallel if (nv > 1)
  {
    VectorSolver<Law> solver(net, law, linear_sys, opt);
#pragma omp for schedule(dynamic, 1)
    for (int v = 0; v < nv; ++v) {
      try {
        if (opt.stop) opt.stop->check();  // the vectors not started yet end at once
        VectorResult r = solver.solve(tile.inputs[v], v);
        fill_vector(net, law, tile.inputs[v], r, solver.inner_nodes(), opt.node_voltages, sol, v, opt.stop);
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
  sol.log = fmt::format(
      "nodal: {} vector(s), {} Newton iteration(s), {} CG iteration(s), "
      "worst relative KCL residual {:.3g}\n",
      nv, total.newton_iterations, total.linear_iterations, total.final_residual);
  sol.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sol;
}

}  // namespace
}  // namespace nodal_detail

TileSolution solve_nodal(const TileSpec& tile, const NodalOptions& opt, NodalReport* report) {
  using namespace nodal_detail;
  const auto t0 = std::chrono::steady_clock::now();
  const TileNetwork net = make_tile_network(tile, opt.stop, opt.terminals);
  if (!tile.access_transistors()) {
    const TwoTerminalLaw two_terminal(tile);
    return solve_all(tile, net, DeviceCells(two_terminal, net.g), net.g, opt, report, t0);
  }

  // Access transistors: ngspice's own drain-current tables, one per gate
  // voltage (the gate lines carry no DC current, so every gate sits at its
  // line's source voltage).
  std::shared_ptr<const TransistorTables> own;
  const TransistorTables* tables = opt.transistor_tables;
  if (!tables) tables = (own = transistor_tables(tile, nullptr, opt.characterise_with)).get();
  const CellTransistors transistors(tile, *tables);
  // Linear start: each device in series with its transistor's conductance at 0 V.
  std::vector<double> g_start(net.g.size());
  for (std::size_t c = 0; c < g_start.size(); ++c) {
    const double gt = std::max(transistors.eval(c, 0, 0).dd, 0.0), g = net.g[c];
    g_start[c] = g > 0 ? g * gt / (g + gt) : 0.0;
  }
  const TransistorCells law(tile.model, net.g, transistors, g_start);
  TileSolution sol = solve_all(tile, net, law, g_start, opt, report, t0);
  sol.log += fmt::format(
      "nodal: access transistor {} (W {} m, L {} m) from ngspice drain-current tables at gate "
      "voltage(s) {} V{}\n",
      tile.transistor.model, tile.transistor.w, tile.transistor.l, fmt::join(tables->v_gate, ", "),
      tile.delta_vth.empty()
          ? std::string()
          : fmt::format(", Pelgrom mismatch from {} characterised (delvto, mulu0) nodes", tables->node.size()));
  return sol;
}

MismatchTables mismatch_tables_bound(double cells, double sigma_vt, double sigma_beta, double v_max) {
  // The largest of n normal draws stays below sqrt(2 ln n) + 1 sigma but for
  // a chance below 1e-3 (and below 5 sigma for n < 1e5); the stencils add
  // one node below and two above each end.
  const double z = std::sqrt(2 * std::log(std::max(cells, 2.0))) + 1;
  auto nodes = [&](double sigma, double step) { return std::ceil(2 * z * sigma / step) + 4; };
  MismatchTables m;
  m.tables = 2 * nodes(sigma_vt, kMismatchVtStep) * nodes(sigma_beta, kMismatchMuStep);
  m.grid_points = 2 * std::ceil(std::abs(v_max) / 0.25) * 0.25 / kTableStep + 17;
  return m;
}

double nodal_memory_bytes(int rows, int phys_cols, int vectors, bool linear_cells, bool transistors,
                          const MismatchTables& mismatch) {
  // Doubles per cell (the word- and bit-line slot counts are at most one per
  // cell each).  Shared: the tile's conductances, the network's copy, and the
  // linear LineSystem (diag_w, chain_w, diag_b, chain_b, gc and the two
  // LineFactors of two arrays each, plus the two load arrays while it is
  // factored).
  constexpr double kShared = 1 + 1 + 9 + 2;
  // Per thread: the residual and the step (fw, fb, dw, db), the CG workspace
  // (b, x, r, z, p, q, yw) and the state (xw, xb); Newton adds the cell
  // conductances, the trial state and a LineSystem of its own, refactored in
  // place at every step and so keeping its two load arrays.
  constexpr double kPerThreadLinear = 4 + 7 + 2;
  constexpr double kPerThreadNewton = 1 + 2 + 9 + 2 + 2;
  // Per input vector: v_wl and v_bl of the solution.
  constexpr double kPerVector = 2;
  // The process itself (code, libraries, heap arenas), measured: 10 MB.
  constexpr double kBaseBytes = 16e6;
  // Each solving thread's own malloc arena beyond its arrays: the measured
  // peak of a 256x256 solve on two threads moved by up to 1 MB between runs
  // under load (tests/unit/test_resource_guard.cpp).
  constexpr double kPerThreadBytes = 1e6;
  const double cells = static_cast<double>(std::max(rows, 0)) * std::max(phys_cols, 0);
  const int v = std::max(vectors, 1);
  const int threads = v > 1 ? std::min(v, std::max(omp_get_max_threads(), 1)) : 1;
  // Transistor cells: per thread the inner node voltages, the exact
  // Jacobian's second conductance array and second coupling, and GMRES's
  // basis (and v_mid per vector); the linear start's conductances, and the
  // tables: 16 coefficients per grid square, at most two gate voltages,
  // counted for an input range of up to 2 V.
  constexpr double kPerThreadTransistor = 1 + 2 + (nodal_detail::kGmresRestart + 1);
  const double per_thread =
      kPerThreadLinear + (linear_cells ? 0.0 : kPerThreadNewton) + (transistors ? kPerThreadTransistor : 0.0);
  const double per_vector = kPerVector + (transistors ? 1.0 : 0.0);
  // With mismatch: the tables at every node the draws need, and per cell
  // its stencil (a pointer, a stride and eight weights).
  const bool mixed = transistors && mismatch.tables > 0;
  // A table is two halves (v_ds >= 0, <= 0) of as many squares as the
  // source axis has squared.
  const double tables = !transistors ? 0.0
                        : mixed      ? mismatch.tables * 2 * 16 * std::pow(mismatch.grid_points, 2)
                                     : 2.0 * 2 * 16 * std::pow(2.0 / kTableStep + 20, 2);
  const double shared = kShared + (transistors ? 1.0 : 0.0) + (mixed ? 10.0 : 0.0);
  // Per vector also its inputs and the driver, array and column currents.
  const double lines = static_cast<double>(v) * (rows + 3.0 * phys_cols);
  return kBaseBytes + threads * kPerThreadBytes +
         sizeof(double) * (cells * (shared + threads * per_thread + v * per_vector) + lines + tables);
}

}  // namespace xbar
