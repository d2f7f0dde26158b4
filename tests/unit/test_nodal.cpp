// Tests of the nodal engine (nodal/): closed forms, an independent dense MNA
// solve written here, merged nodes, sinh cells, batches and failures.
#include <doctest/doctest.h>

#include <Eigen/Dense>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <csignal>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "common/diagnostics.hpp"
#include "common/sinh_cosh.hpp"
#include "common/stop_condition.hpp"
#include "models/device_laws.hpp"
#include "nodal/line_system.hpp"
#include "nodal/nodal_solver.hpp"
#include "nodal/schur_cg.hpp"
#include "nodal/sparse_reference.hpp"
#include "nodal/tile_kcl.hpp"
#include "nodal/tile_network.hpp"
#include "support/close.hpp"

using namespace xbar;
using xbar::testing::close;

namespace {

TileSpec make_tile(int rows, int cols) {
  TileSpec t;
  t.name = "t";
  t.rows = rows;
  t.cols = cols;
  t.g.assign(static_cast<std::size_t>(rows) * cols, 0.0);
  return t;
}

void random_fill(TileSpec& t, std::mt19937& rng, int vectors, double absent_fraction = 0.0) {
  std::uniform_real_distribution<double> g(1e-6, 100e-6), v(-0.3, 0.3), u(0, 1);
  for (auto& x : t.g) x = u(rng) < absent_fraction ? 0.0 : g(rng);
  t.inputs.assign(vectors, std::vector<double>(t.rows));
  for (auto& vec : t.inputs)
    for (auto& x : vec) x = v(rng);
}

// The laws these tests use, written out (linear, or sinh_law(v0) with v0 its
// first parameter) rather than taken from the law's own functions.
double cell_i(const CellModel& m, double g, double v) {
  const double v0 = m.law.params[0];
  return m.law.linear() ? g * v : g * v0 * std::sinh(v / v0);
}
double cell_di(const CellModel& m, double g, double v) {
  const double v0 = m.law.params[0];
  return m.law.linear() ? g : g * std::cosh(v / v0);
}

// |got - want| <= rel * max(|want|, floor): the tolerance rule with the floor rel * floor.
void check_close(const std::vector<double>& want, const std::vector<double>& got, double rel, double floor,
                 const std::string& what) {
  INFO(what);
  CHECK(xbar::testing::all_close(got, want, rel, rel * floor));
}

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

// ---- An independent dense modified nodal analysis of the tile, straight from
// docs/circuit.md: a 0-ohm resistance is a 0 V source, the TIA a VCVS with its
// feedback resistor; Newton for sinh cells. ----
struct DenseMna {
  struct Res {
    int a, b;
    double r;
    int branch;
  };  // branch >= 0 for 0-ohm links
  struct Src {
    int p, m;
    double value;
    int branch;
  };  // V(p) - V(m) = value
  struct Vcvs {
    int p, m, cp, cm;
    double gain;
    int branch;
  };  // V(p) - V(m) = gain (V(cp) - V(cm))
  struct Cell {
    int a, b;
    double g;
  };
  int nodes = 1;  // 0 is ground
  std::vector<Res> res;
  std::vector<Src> src;
  std::vector<Vcvs> vcvs;
  std::vector<Cell> cells;
  int branches = 0;
  int node() { return nodes++; }
  int add_res(int a, int b, double r) {
    res.push_back({a, b, r, r == 0 ? branches++ : -1});
    return static_cast<int>(res.size()) - 1;
  }
  int add_src(int p, int m, double v) {
    src.push_back({p, m, v, branches});
    return branches++;
  }
  int add_vcvs(int p, int m, int cp, int cm, double g) {
    vcvs.push_back({p, m, cp, cm, g, branches});
    return branches++;
  }

  // Solves; returns the unknowns (node voltages 1..nodes-1 at [n-1], then branches).
  Eigen::VectorXd solve(const CellModel& model) const {
    const int nn = nodes - 1, n = nn + branches;
    Eigen::VectorXd x = Eigen::VectorXd::Zero(n);
    double prev_step = INFINITY;
    for (int it = 0; it < 200; ++it) {
      Eigen::MatrixXd J = Eigen::MatrixXd::Zero(n, n);
      Eigen::VectorXd F = Eigen::VectorXd::Zero(n);
      auto V = [&](int node) { return node == 0 ? 0.0 : x[node - 1]; };
      auto kcl = [&](int node, double i) {
        if (node) F[node - 1] += i;
      };
      auto jac = [&](int row_node, int col_node, double g) {
        if (row_node && col_node) J(row_node - 1, col_node - 1) += g;
      };
      auto conductance = [&](int a, int b, double i, double g) {
        kcl(a, i);
        kcl(b, -i);
        jac(a, a, g);
        jac(b, b, g);
        jac(a, b, -g);
        jac(b, a, -g);
      };
      auto branch = [&](int p, int m, int k) {  // branch current leaves p, enters m
        const int col = nn + k;
        kcl(p, x[col]);
        kcl(m, -x[col]);
        if (p) J(p - 1, col) += 1;
        if (m) J(m - 1, col) -= 1;
      };
      for (const auto& r : res) {
        if (r.r > 0) {
          conductance(r.a, r.b, (V(r.a) - V(r.b)) / r.r, 1 / r.r);
          continue;
        }
        branch(r.a, r.b, r.branch);
        F[nn + r.branch] = V(r.a) - V(r.b);
        if (r.a) J(nn + r.branch, r.a - 1) += 1;
        if (r.b) J(nn + r.branch, r.b - 1) -= 1;
      }
      for (const auto& s : src) {
        const int b = s.branch;
        branch(s.p, s.m, b);
        F[nn + b] = V(s.p) - V(s.m) - s.value;
        if (s.p) J(nn + b, s.p - 1) += 1;
        if (s.m) J(nn + b, s.m - 1) -= 1;
      }
      for (const auto& e : vcvs) {
        const int b = e.branch;
        branch(e.p, e.m, b);
        F[nn + b] = V(e.p) - V(e.m) - e.gain * (V(e.cp) - V(e.cm));
        if (e.p) J(nn + b, e.p - 1) += 1;
        if (e.m) J(nn + b, e.m - 1) -= 1;
        if (e.cp) J(nn + b, e.cp - 1) -= e.gain;
        if (e.cm) J(nn + b, e.cm - 1) += e.gain;
      }
      for (const auto& c : cells) {
        const double v = V(c.a) - V(c.b);
        conductance(c.a, c.b, cell_i(model, c.g, v), cell_di(model, c.g, v));
      }
      Eigen::VectorXd d = J.partialPivLu().solve(-F);
      // Damping: no node voltage moves by more than 0.05 V per step.
      const double dv = d.head(nn).cwiseAbs().maxCoeff();
      if (dv > 0.05) d *= 0.05 / dv;
      x += d;
      // Converged once the step is tiny and stops shrinking (roundoff level).
      const double step = d.cwiseAbs().maxCoeff();
      if (step == 0 || (step < 1e-10 && step >= prev_step)) return x;
      prev_step = step;
    }
    FAIL("dense MNA Newton did not converge");
    return x;
  }
};

// The dense reference's answer for one input vector, in TileSolution terms.
struct DenseAnswer {
  std::vector<double> col, arr, drv, v_wl, v_bl;
};

DenseAnswer dense_solve(const TileSpec& t, const std::vector<double>& vin) {
  DenseMna m;
  const int R = t.rows, C = t.cols;
  std::vector<int> wl(R * C), bl(R * C), drv(R), s(C), out(C);
  for (auto& n : wl) n = m.node();
  for (auto& n : bl) n = m.node();
  for (auto& n : drv) n = m.node();
  for (auto& n : s) n = m.node();
  std::vector<int> drv_src(R), drv_res(R), sense_res(C), sense_src(C, -1);
  for (int i = 0; i < R; ++i) {
    drv_src[i] = m.add_src(drv[i], 0, vin[i]);
    drv_res[i] = m.add_res(drv[i], wl[i * C], t.r_driver);
    for (int j = 1; j < C; ++j) m.add_res(wl[i * C + j - 1], wl[i * C + j], t.r_wl);
  }
  for (int j = 0; j < C; ++j) {
    for (int i = 1; i < R; ++i) m.add_res(bl[(i - 1) * C + j], bl[i * C + j], t.r_bl);
    sense_res[j] = m.add_res(bl[(R - 1) * C + j], s[j], t.r_sense);
    if (t.sense == SenseKind::kTia) {
      out[j] = m.node();
      m.add_vcvs(out[j], 0, 0, s[j], t.tia_gain);
      m.add_res(s[j], out[j], t.tia_r_f);
    } else {
      sense_src[j] = m.add_src(s[j], 0, 0.0);
    }
  }
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < C; ++j)
      if (t.g_at(i, j) > 0) m.cells.push_back({wl[i * C + j], bl[i * C + j], t.g_at(i, j)});
  const Eigen::VectorXd x = m.solve(t.model);
  const int nn = m.nodes - 1;
  auto V = [&](int node) { return node == 0 ? 0.0 : x[node - 1]; };
  auto through = [&](int res_index) {  // current a -> b through a resistor or 0-ohm link
    const auto& r = m.res[res_index];
    return r.r > 0 ? (V(r.a) - V(r.b)) / r.r : x[nn + r.branch];
  };
  DenseAnswer a;
  for (int i = 0; i < R; ++i) a.drv.push_back(through(drv_res[i]));
  for (int j = 0; j < C; ++j) {
    a.arr.push_back(through(sense_res[j]));
    a.col.push_back(t.sense == SenseKind::kTia ? -V(out[j]) / t.tia_r_f : a.arr.back());
  }
  for (int k = 0; k < R * C; ++k) {
    a.v_wl.push_back(V(wl[k]));
    a.v_bl.push_back(V(bl[k]));
  }
  return a;
}

void check_against_dense(const TileSpec& t, const TileSolution& sol, double rel) {
  for (int v = 0; v < t.vectors(); ++v) {
    const DenseAnswer d = dense_solve(t, t.inputs[v]);
    // Normwise accuracy: a column carrying 1/1000 of the largest current is
    // checked to 1e-13 of the largest, not to 1e-10 of its own.
    const double i_scale = std::max(max_abs(d.col), max_abs(d.drv));
    const double v_scale = max_abs(t.inputs[v]);
    check_close(d.col, sol.column_current[v], rel, 1e-3 * i_scale, "column_current");
    check_close(d.arr, sol.array_current[v], rel, 1e-3 * i_scale, "array_current");
    check_close(d.drv, sol.driver_current[v], rel, 1e-3 * i_scale, "driver_current");
    check_close(d.v_wl, sol.v_wl[v], rel, 1e-3 * v_scale, "v_wl");
    check_close(d.v_bl, sol.v_bl[v], rel, 1e-3 * v_scale, "v_bl");
  }
}

}  // namespace

TEST_CASE("1x1 tile: I = V / (r_driver + 1/g + r_sense)") {
  TileSpec t = make_tile(1, 1);
  t.g = {37e-6};
  t.r_driver = 120;
  t.r_sense = 45;
  t.inputs = {{0.2}, {-0.7}};
  const TileSolution s = solve_nodal(t);
  CHECK(s.engine == "nodal");
  for (int v = 0; v < 2; ++v) {
    const double want = t.inputs[v][0] / (120 + 1 / 37e-6 + 45);
    CHECK(close(s.column_current[v][0], want, 1e-12, 0));
    CHECK(close(s.driver_current[v][0], want, 1e-12, 0));
  }
}

TEST_CASE("single word line over grounded bit lines is a resistive ladder") {
  for (double r_sense : {0.0, 30.0}) {
    const int n = 25;
    TileSpec t = make_tile(1, n);
    std::mt19937 rng(7);
    random_fill(t, rng, 1);
    t.g[3] = 0;  // an absent cell
    t.inputs = {{0.25}};
    t.r_wl = 2.5;
    t.r_bl = 9.0;  // irrelevant: one row
    t.r_driver = 40;
    t.r_sense = r_sense;
    // Each cell in series with its sense resistance; admittance Y_j looking
    // right from WL node j, then voltages from the driver end.
    std::vector<double> ge(n), Y(n), V(n);
    for (int j = 0; j < n; ++j) ge[j] = t.g[j] == 0 ? 0 : 1 / (1 / t.g[j] + r_sense);
    Y[n - 1] = ge[n - 1];
    for (int j = n - 2; j >= 0; --j) Y[j] = ge[j] + (Y[j + 1] == 0 ? 0 : 1 / (t.r_wl + 1 / Y[j + 1]));
    V[0] = 0.25 / (1 + t.r_driver * Y[0]);
    for (int j = 0; j + 1 < n; ++j) {
      const double i_right = Y[j] == 0 ? 0 : V[j] * (Y[j] - ge[j]);
      V[j + 1] = V[j] - i_right * t.r_wl;
    }
    const TileSolution s = solve_nodal(t);
    for (int j = 0; j < n; ++j) {
      const double want = ge[j] * V[j];
      INFO("r_sense " << r_sense << " col " << j);
      CHECK(close(s.column_current[0][j], want, 1e-12, 0));
    }
    CHECK(s.column_current[0][3] == 0.0);
  }
}

TEST_CASE("single bit line: Norton recursion from the open top end") {
  const int n = 30;
  TileSpec t = make_tile(n, 1);
  std::mt19937 rng(11);
  random_fill(t, rng, 1);
  t.g[0] = 0;  // absent cell at the open end
  t.r_bl = 3.0;
  t.r_wl = 5.0;  // irrelevant: one column
  t.r_driver = 0;
  for (double r_sense : {0.0, 80.0}) {
    t.r_sense = r_sense;
    // Norton equivalent (J, Y) of everything above and at node k.
    double J = 0, Y = 0;
    for (int k = 0; k < n; ++k) {
      if (k > 0 && Y > 0) {  // through one r_bl segment
        const double r_th = 1 / Y + t.r_bl;
        J = (J / Y) / r_th;
        Y = 1 / r_th;
      }
      J += t.g[k] * t.inputs[0][k];
      Y += t.g[k];
    }
    const double want = (J / Y) / (1 / Y + r_sense);
    const TileSolution s = solve_nodal(t);
    INFO("r_sense " << r_sense);
    CHECK(close(s.column_current[0][0], want, 1e-12, 0));
  }
}

TEST_CASE("random small tiles agree with a dense MNA solve (all resistances, TIA, absent cells)") {
  std::mt19937 rng(2024);
  std::uniform_int_distribution<int> dim(1, 12), pick(0, 3);
  std::uniform_real_distribution<double> r(0.5, 50.0);
  auto maybe_zero = [&](double x) { return pick(rng) == 0 ? 0.0 : x; };
  for (int trial = 0; trial < 60; ++trial) {
    TileSpec t = make_tile(dim(rng), dim(rng));
    random_fill(t, rng, 2, 0.2);
    t.r_wl = maybe_zero(r(rng));
    t.r_bl = maybe_zero(r(rng));
    t.r_driver = maybe_zero(10 * r(rng));
    t.r_sense = maybe_zero(10 * r(rng));
    if (trial % 2) {
      t.sense = SenseKind::kTia;
      t.tia_gain = trial % 4 == 1 ? 1e4 : 30.0;
      t.tia_r_f = 2e3;
    }
    if (trial % 7 == 0) std::fill(t.g.begin(), t.g.begin() + t.cols, 0.0);  // a row of absent cells
    INFO("trial " << trial << ": " << t.rows << "x" << t.cols << " r_wl " << t.r_wl << " r_bl " << t.r_bl
                  << " r_driver " << t.r_driver << " r_sense " << t.r_sense << " tia " << (t.sense == SenseKind::kTia));
    check_against_dense(t, solve_nodal(t), 1e-10);
  }
}

TEST_CASE("zero resistances are the limit of tiny ones") {
  std::mt19937 rng(5);
  for (int sense = 0; sense < 2; ++sense) {
    TileSpec t = make_tile(9, 7);
    random_fill(t, rng, 1);
    t.sense = sense ? SenseKind::kTia : SenseKind::kVirtualGround;
    TileSpec tiny = t;
    tiny.r_wl = tiny.r_bl = tiny.r_driver = tiny.r_sense = 1e-7;
    const TileSolution a = solve_nodal(t), b = solve_nodal(tiny);
    check_close(a.column_current[0], b.column_current[0], 1e-8, 1e-3 * max_abs(a.column_current[0]), "column_current");
    check_close(a.v_bl[0], b.v_bl[0], 1e-6, 1e-4, "v_bl");
  }
}

TEST_CASE("sinh cells: small voltages approach the linear result, larger ones match dense Newton") {
  std::mt19937 rng(9);
  TileSpec t = make_tile(8, 6);
  random_fill(t, rng, 1);
  t.r_wl = 2;
  t.r_bl = 3;
  t.r_driver = 50;
  t.r_sense = 20;
  TileSpec lin = t;
  t.model.law = sinh_law(0.25);
  for (auto& x : t.inputs[0]) x *= 1e-4;
  lin.inputs = t.inputs;
  // sinh(x)/x - 1 ~ x^2/6 with x <= 0.3e-4 / 0.25.
  const TileSolution a = solve_nodal(t), b = solve_nodal(lin);
  check_close(b.column_current[0], a.column_current[0], 1e-8, 1e-3 * max_abs(b.column_current[0]),
              "small-signal column_current");

  for (int tia = 0; tia < 2; ++tia) {
    TileSpec big = make_tile(7, 9);
    random_fill(big, rng, 2, 0.1);
    big.model.law = sinh_law(0.1);
    for (auto& v : big.inputs)
      for (auto& x : v) x *= 2;  // up to 0.6 V = 6 v0: strongly nonlinear
    big.r_wl = 2;
    big.r_bl = tia ? 0 : 4;
    big.r_driver = tia ? 0 : 100;
    big.r_sense = 10;
    if (tia) big.sense = SenseKind::kTia;
    NodalReport rep;
    const TileSolution s = solve_nodal(big, {}, &rep);
    CHECK(rep.newton_iterations > 2 * 2);
    check_against_dense(big, s, 1e-9);
  }
}

TEST_CASE("a batch equals the vectors solved one by one, bit for bit") {
  std::mt19937 rng(3);
  for (int law = 0; law < 2; ++law) {
    TileSpec t = make_tile(40, 33);
    random_fill(t, rng, 9);
    t.r_wl = 1;
    t.r_bl = 2.5;
    t.r_sense = 5;
    if (law) {
      t.model.law = sinh_law(0.2);
    }
    const TileSolution all = solve_nodal(t);
    for (int v = 0; v < t.vectors(); ++v) {
      TileSpec one = t;
      one.inputs = {t.inputs[v]};
      const TileSolution s = solve_nodal(one);
      CHECK(s.column_current[0] == all.column_current[v]);
      CHECK(s.v_wl[0] == all.v_wl[v]);
      CHECK(s.v_bl[0] == all.v_bl[v]);
      CHECK(s.driver_current[0] == all.driver_current[v]);
    }
  }
}

TEST_CASE("structured solver agrees with the sparse direct reference") {
  std::mt19937 rng(17);
  TileSpec t = make_tile(60, 45);
  random_fill(t, rng, 3, 0.05);
  t.r_wl = 2.5;
  t.r_bl = 2.5;
  t.r_driver = 10;
  t.sense = SenseKind::kTia;
  for (int law = 0; law < 2; ++law) {
    if (law) {
      t.model.law = sinh_law(0.15);
    }
    NodalReport rep;
    const TileSolution a = solve_nodal(t, {}, &rep);
    const TileSolution b = solve_tile_sparse_direct(t);
    CHECK(b.engine == "sparse-direct");
    CHECK(close(rep.final_residual, 0, 0, 1e-10));
    for (int v = 0; v < t.vectors(); ++v) {
      check_close(b.column_current[v], a.column_current[v], 1e-9, 1e-3 * max_abs(b.column_current[v]),
                  "column_current");
      check_close(b.driver_current[v], a.driver_current[v], 1e-9, 1e-3 * max_abs(b.driver_current[v]),
                  "driver_current");
    }
  }
}

TEST_CASE("non-convergence and unsupported tiles throw SimulationError") {
  std::mt19937 rng(1);
  TileSpec t = make_tile(6, 6);
  random_fill(t, rng, 1);
  t.r_wl = t.r_bl = 1;
  t.model.law = sinh_law(0.1);
  for (auto& x : t.inputs[0]) x = 1.0;
  NodalOptions opt;
  opt.max_newton = 1;
  CHECK_THROWS_AS(solve_nodal(t, opt), SimulationError);
  opt.max_newton = 50;
  CHECK_NOTHROW(solve_nodal(t, opt));
  opt.max_linear_iter = 0;
  t.model.law = linear_law();
  CHECK_THROWS_AS(solve_nodal(t, opt), SimulationError);

  TileSpec tr = make_tile(2, 2);
  tr.cell = cell_kind("1T1R");
  tr.inputs = {{0.1, 0.1}};
  try {
    solve_nodal(tr);
    FAIL("1T1R accepted");
  } catch (const SimulationError& e) {
    CHECK(std::string(e.what()).find("spice") != std::string::npos);
  }
}

TEST_CASE("the nodal engine stops within one step of its time limit or an interrupt (issue 14)") {
  // 1024x1024 with 1 ohm wires and 16 vectors: seconds of work, stopped at 0.1 s.
  TileSpec t = make_tile(1024, 1024);
  t.r_wl = t.r_bl = 1.0;
  std::mt19937 rng(14);
  random_fill(t, rng, 16);
  using Clock = std::chrono::steady_clock;
  auto seconds_since = [](Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); };

  auto t0 = Clock::now();
  const StopCondition deadline(0.1);
  CHECK_THROWS_WITH_AS(solve_nodal(t, NodalOptions{.stop = &deadline}), "time limit of 0.1 s exceeded",
                       SimulationError);
  const double timed_out_after = seconds_since(t0);
  MESSAGE("time limit 0.1 s: stopped after " << timed_out_after << " s");
  CHECK(timed_out_after < 0.1 + 1.0);

  // Ctrl-C: the handler sets the flag from another context while the solve runs.
  const StopCondition no_deadline;
  t0 = Clock::now();
  std::thread ctrl_c([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    request_interrupt(SIGINT);
  });
  CHECK_THROWS_WITH_AS(solve_nodal(t, NodalOptions{.stop = &no_deadline}), "interrupted (signal 2)", SimulationError);
  const double interrupted_after = seconds_since(t0);
  ctrl_c.join();
  request_interrupt(0);
  MESSAGE("interrupt at 0.1 s: stopped after " << interrupted_after << " s");
  CHECK(interrupted_after < 0.1 + 1.0);
  CHECK(requested_interrupt() == 0);
}

TEST_CASE("every pass of the nodal engine over the tile stops at its first row (issue 14)") {
  // Before any solver step the engine makes several passes over the tile
  // (network, factorisation, residual, and the mapping back after it): at
  // 4096x4096 seconds of work, during which a stop used to wait.
  using namespace xbar::nodal_detail;
  TileSpec t = make_tile(48, 40);
  t.r_wl = t.r_bl = 1.0;
  t.r_driver = 10;
  t.model = CellModel{.law = sinh_law(0.25)};
  std::mt19937 rng(19);
  random_fill(t, rng, 1);
  const TwoTerminalLaw device_law(t);
  const StopCondition running;  // no deadline, no interrupt
  const TileNetwork net = make_tile_network(t, &running);
  const DeviceCells law(device_law, net.g);
  const LineSystem sys = make_line_system(net, net.g, &running);
  const TileState x = initial_state(net, t.inputs[0], &running);
  std::vector<double> fw, fb, cell_g;
  kcl_residual(net, law, t.inputs[0], x, fw, fb, &cell_g, nullptr, &running);
  // Each pass checks at least once per block of rows.
  CHECK(running.checks() >= 4u * (48 / kRowsPerStopCheck));

  const StopCondition expired(0.001);
  std::this_thread::sleep_for(std::chrono::milliseconds(5));
  request_interrupt(0);
  auto stops_at_once = [&](const char* pass, const StopCondition& stop, const char* reason, auto&& run) {
    INFO(pass);
    const auto before = stop.checks();
    CHECK_THROWS_WITH_AS(run(stop), reason, SimulationError);
    CHECK(stop.checks() == before + 1);  // at its first check, before its work
  };
  auto every_pass = [&](const StopCondition& stop, const char* reason) {
    stops_at_once("make_tile_network", stop, reason, [&](auto& s) { make_tile_network(t, &s); });
    stops_at_once("make_line_system", stop, reason, [&](auto& s) { make_line_system(net, net.g, &s); });
    stops_at_once("initial_state", stop, reason, [&](auto& s) { initial_state(net, t.inputs[0], &s); });
    stops_at_once("kcl_residual", stop, reason,
                  [&](auto& s) { kcl_residual(net, law, t.inputs[0], x, fw, fb, &cell_g, nullptr, &s); });
    stops_at_once("solve_line_system", stop, reason, [&](auto& s) {
      std::vector<double> dw, db;
      CgWorkspace ws;
      solve_line_system(sys, fw, fb, dw, db, 1e-12, 100, ws, &s);
    });
    stops_at_once("solve_nodal", stop, reason, [&](auto& s) { solve_nodal(t, NodalOptions{.stop = &s}); });
  };
  every_pass(expired, "time limit of 0.001 s exceeded");
  request_interrupt(SIGINT);
  every_pass(running, "interrupted (signal 2)");
  request_interrupt(0);
}

TEST_CASE("sinh_cosh: one expm1 gives std::sinh and std::cosh to 1e-15 relative") {
  std::mt19937_64 rng(17);
  std::uniform_real_distribution<double> log_x(std::log(1e-13), std::log(700.0)), sign(-1, 1);
  int checked = 0;
  auto check = [&](double x) {
    const SinhCosh h = sinh_cosh(x);
    INFO("x = ", x);
    CHECK(close(h.sinh, std::sinh(x), 1e-15, 0.0));
    CHECK(close(h.cosh, std::cosh(x), 1e-15, 0.0));
    ++checked;
  };
  for (int k = 0; k < 20000; ++k) check(std::copysign(std::exp(log_x(rng)), sign(rng)));
  for (double x : {0.0, -0.0, 1e-300, -5e-324, 0.5, -1.0, 22.0, 699.9, -700.0}) check(x);
  CHECK(checked == 20009);
  // Past 700 std::sinh and std::cosh themselves (their overflow at 710.5).
  for (double x : {705.0, -710.0, 800.0}) {
    CHECK(sinh_cosh(x).sinh == std::sinh(x));
    CHECK(sinh_cosh(x).cosh == std::cosh(x));
  }
  CHECK(std::isnan(sinh_cosh(NAN).sinh));
  // The sinh law (models/device_laws.cpp) takes both from it.
  const DeviceLaw::Point p = sinh_law(0.25).at(80e-6, 0.17);
  CHECK(close(p.i, 80e-6 * 0.25 * std::sinh(0.17 / 0.25), 1e-15, 0.0));
  CHECK(close(p.di_dv, 80e-6 * std::cosh(0.17 / 0.25), 1e-15, 0.0));
}

TEST_CASE("sinh cells: Newton stops on its quadratic estimate one step early, within 1e-12 of dense Newton") {
  // A network-like tile: 1 ohm wires, ideal drivers and virtual ground,
  // inputs 0 .. 0.2 V on half the rows, v0 0.3 V.  Newton's steps shrink
  // quadratically (about 2e-3, 1e-6, 1e-13 V), so after the second the error
  // left is far below the step tolerance and the third is not taken.
  std::mt19937 rng(23);
  TileSpec t = make_tile(16, 16);
  std::uniform_real_distribution<double> g(1e-6, 100e-6), v(0, 0.2), u(0, 1);
  for (auto& x : t.g) x = g(rng);
  t.inputs.assign(3, std::vector<double>(16));
  for (auto& vec : t.inputs)
    for (auto& x : vec) x = u(rng) < 0.5 ? 0.0 : v(rng);
  t.r_wl = t.r_bl = 1;
  t.r_driver = t.r_sense = 0;
  t.model.law = sinh_law(0.3);
  NodalReport rep;
  const TileSolution s = solve_nodal(t, {}, &rep);
  // The linear start and two Newton steps per vector (the confirming third
  // step would make it 4).
  CHECK(rep.newton_iterations == 3 * 3);
  check_against_dense(t, s, 1e-12);

  // Without node voltages: the same currents, bit for bit, and no voltages.
  NodalOptions currents_only;
  currents_only.node_voltages = false;
  const TileSolution c = solve_nodal(t, currents_only);
  CHECK(c.column_current == s.column_current);
  CHECK(c.array_current == s.array_current);
  CHECK(c.driver_current == s.driver_current);
  CHECK(c.v_wl.empty());
  CHECK(c.v_bl.empty());
}
