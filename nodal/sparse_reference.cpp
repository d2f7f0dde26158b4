#include "nodal/sparse_reference.hpp"

#include <Eigen/CholmodSupport>
#include <Eigen/Sparse>
#include <algorithm>
#include <chrono>
#include <cmath>
#include <numeric>
#include <string>
#include <vector>

#include "common/diagnostics.hpp"
#include "nodal/tile_network.hpp"
#include "tile/tile_spec.hpp"

namespace xbar {
namespace {

using SpMat = Eigen::SparseMatrix<double>;
using Vec = Eigen::VectorXd;

constexpr double kNewtonStepTol = 1e-11;  // relative to the largest input
constexpr int kMaxNewton = 100;
constexpr int kRefinementSteps = 2;

struct UnionFind {
  std::vector<int> parent;
  explicit UnionFind(int n) : parent(n) { std::iota(parent.begin(), parent.end(), 0); }
  int find(int a) {
    while (parent[a] != a) a = parent[a] = parent[parent[a]];
    return a;
  }
  void join(int a, int b) { parent[find(a)] = find(b); }
};

struct Resistor {
  int a, b;
  double r;
};

// Raw nodes of the tile, before merging.
struct RawNodes {
  int R, P;
  int wl(int i, int j) const { return i * P + j; }
  int bl(int i, int j) const { return R * P + i * P + j; }
  int drv(int i) const { return 2 * R * P + i; }
  int sense(int j) const { return 2 * R * P + R + j; }
  int ground() const { return 2 * R * P + R + P; }
  int count() const { return ground() + 1; }
};

class ReferenceCircuit {
 public:
  explicit ReferenceCircuit(const TileSpec& tile) : tile_(tile), law_(tile.model) {
    nodal_detail::make_tile_network(tile);  // same validation as the engine
    const int R = tile.rows, P = tile.phys_cols();
    raw_ = RawNodes{R, P};
    for (int i = 0; i < R; ++i) {
      res_.push_back({raw_.drv(i), raw_.wl(i, 0), tile.r_driver});
      for (int j = 1; j < P; ++j) res_.push_back({raw_.wl(i, j - 1), raw_.wl(i, j), tile.r_wl_at(i, j)});
    }
    for (int j = 0; j < P; ++j) {
      for (int i = 1; i < R; ++i) res_.push_back({raw_.bl(i - 1, j), raw_.bl(i, j), tile.r_bl_at(i, j)});
      res_.push_back({raw_.bl(R - 1, j), raw_.sense(j), tile.r_sense});
      if (tile.sense == SenseKind::kTia)
        res_.push_back({raw_.sense(j), raw_.ground(), tile.tia_r_f / (1 + tile.tia_gain)});
      else
        res_.push_back({raw_.sense(j), raw_.ground(), 0.0});  // ideal 0 V source
    }
    UnionFind uf(raw_.count());
    for (const auto& e : res_)
      if (e.r == 0) uf.join(e.a, e.b);
    // Classes: fixed (a driver or ground) or free (numbered).
    cls_.resize(raw_.count());
    std::vector<int> root_index(raw_.count(), -1);
    fixed_driver_.clear();
    for (int n = 0; n < raw_.count(); ++n) {
      const int root = uf.find(n);
      if (root_index[root] < 0) root_index[root] = classes_++;
      cls_[n] = root_index[root];
    }
    class_fixed_.assign(classes_, -2);  // -2 free, -1 ground, i >= 0 driver i
    class_fixed_[cls_[raw_.ground()]] = -1;
    for (int i = 0; i < R; ++i) class_fixed_[cls_[raw_.drv(i)]] = i;
    free_index_.assign(classes_, -1);
    for (int c = 0; c < classes_; ++c)
      if (class_fixed_[c] == -2) free_index_[c] = n_free_++;
  }

  int n_free() const { return n_free_; }

  // Class voltages from the free solution x and the inputs.
  std::vector<double> class_voltages(const Vec& x, const std::vector<double>& v_in) const {
    std::vector<double> v(classes_, 0.0);
    for (int c = 0; c < classes_; ++c) {
      if (class_fixed_[c] >= 0)
        v[c] = v_in[class_fixed_[c]];
      else if (class_fixed_[c] == -2)
        v[c] = x[free_index_[c]];
    }
    return v;
  }

  // KCL residual F (current leaving each free class) and, optionally, the
  // Jacobian triplets, at class voltages v.
  Vec residual(const std::vector<double>& v, std::vector<Eigen::Triplet<double>>* jac) const {
    Vec f = Vec::Zero(n_free_);
    auto stamp = [&](int ca, int cb, double i_ab, double g) {
      const int a = free_index_[ca], b = free_index_[cb];
      if (a >= 0) f[a] += i_ab;
      if (b >= 0) f[b] -= i_ab;
      if (!jac) return;
      if (a >= 0) jac->emplace_back(a, a, g);
      if (b >= 0) jac->emplace_back(b, b, g);
      if (a >= 0 && b >= 0) {
        jac->emplace_back(a, b, -g);
        jac->emplace_back(b, a, -g);
      }
    };
    for (const auto& e : res_) {
      const int ca = cls_[e.a], cb = cls_[e.b];
      if (e.r == 0 || ca == cb) continue;
      stamp(ca, cb, (v[ca] - v[cb]) / e.r, 1 / e.r);
    }
    for (int i = 0; i < raw_.R; ++i)
      for (int j = 0; j < raw_.P; ++j) {
        const double g = tile_.g_at(i, j);
        if (g == 0) continue;
        const int ca = cls_[raw_.wl(i, j)], cb = cls_[raw_.bl(i, j)];
        const double dv = v[ca] - v[cb];
        const DeviceLaw::Point p = law_.at(g, dv);
        stamp(ca, cb, p.i, p.di_dv);
      }
    return f;
  }

  SpMat jacobian(const std::vector<double>& v) const {
    std::vector<Eigen::Triplet<double>> t;
    residual(v, &t);
    SpMat j(n_free_, n_free_);
    j.setFromTriplets(t.begin(), t.end());
    return j;
  }

  void fill(const std::vector<double>& v, const std::vector<double>& v_in, TileSolution& sol, int k) const {
    const int R = raw_.R, P = raw_.P;
    auto& wl = sol.v_wl[k];
    auto& bl = sol.v_bl[k];
    wl.resize(static_cast<std::size_t>(R) * P);
    bl.resize(static_cast<std::size_t>(R) * P);
    sol.array_current[k].assign(P, 0.0);
    sol.driver_current[k].assign(R, 0.0);
    for (int i = 0; i < R; ++i)
      for (int j = 0; j < P; ++j) {
        const std::size_t c = static_cast<std::size_t>(i) * P + j;
        wl[c] = v[cls_[raw_.wl(i, j)]];
        bl[c] = v[cls_[raw_.bl(i, j)]];
        const double i_cell = law_.current(tile_.g_at(i, j), wl[c] - bl[c]);
        // KCL over a whole bit line (word line): cells are its only source.
        sol.array_current[k][j] += i_cell;
        sol.driver_current[k][i] += i_cell;
      }
    sol.column_current[k] = sol.array_current[k];
    if (tile_.sense == SenseKind::kTia)
      for (int j = 0; j < P; ++j) sol.column_current[k][j] = tile_.tia_gain * v[cls_[raw_.sense(j)]] / tile_.tia_r_f;
    (void)v_in;
  }

 private:
  const TileSpec& tile_;
  CellModel law_;
  RawNodes raw_{};
  std::vector<Resistor> res_;
  std::vector<int> cls_, class_fixed_, free_index_, fixed_driver_;
  int classes_ = 0, n_free_ = 0;
};

}  // namespace

TileSolution solve_tile_sparse_direct(const TileSpec& tile) {
  const auto t0 = std::chrono::steady_clock::now();
  const ReferenceCircuit circuit(tile);
  const CellModel& law = tile.model;
  const int nv = tile.vectors();
  TileSolution sol;
  sol.engine = "sparse-direct";
  sol.simulator_version = "cholmod";
  sol.vectors = nv;
  sol.rows = tile.rows;
  sol.phys_cols = tile.phys_cols();
  for (auto* f : {&sol.column_current, &sol.array_current, &sol.v_wl, &sol.v_bl, &sol.driver_current}) f->resize(nv);

  const int n = circuit.n_free();
  Eigen::CholmodSupernodalLLT<SpMat> chol;
  // The linear matrix: the Jacobian at any point (take 0 V everywhere).
  std::vector<double> zero_in(tile.rows, 0.0);
  const SpMat a_lin = circuit.jacobian(circuit.class_voltages(Vec::Zero(n), zero_in));
  if (n > 0) {
    chol.compute(a_lin);
    if (chol.info() != Eigen::Success) throw SimulationError("sparse reference: factorisation failed");
  }
  for (int k = 0; k < nv; ++k) {
    const auto& v_in = tile.inputs[k];
    Vec x = Vec::Zero(n);
    if (n > 0) {
      // Linear solve: F(0) = A*0 - b, so x = -A^{-1} F(0).
      x = -chol.solve(circuit.residual(circuit.class_voltages(x, v_in), nullptr));
      // Iterative refinement: the wires (~1 S) against the cells (~1e-5 S)
      // make the matrix ill-conditioned enough that one solve alone loses
      // about 1e-9 relative on large tiles.
      for (int r = 0; r < kRefinementSteps; ++r)
        x -= chol.solve(circuit.residual(circuit.class_voltages(x, v_in), nullptr));
      if (!law.linear()) {
        double v_scale = 1e-300;
        for (double v : v_in) v_scale = std::max(v_scale, std::abs(v));
        Eigen::CholmodSupernodalLLT<SpMat> jac_chol;
        jac_chol.analyzePattern(a_lin);
        bool converged = false;
        for (int it = 0; it < kMaxNewton && !converged; ++it) {
          const auto v = circuit.class_voltages(x, v_in);
          const Vec f = circuit.residual(v, nullptr);
          jac_chol.factorize(circuit.jacobian(v));
          const Vec d = -jac_chol.solve(f);
          double t = 1.0;
          Vec trial = x + d;
          while (t > 1e-12 && !(circuit.residual(circuit.class_voltages(trial, v_in), nullptr).norm() < f.norm())) {
            t *= 0.5;
            trial = x + t * d;
          }
          if (t <= 1e-12) trial = x + d;
          x = trial;
          converged = d.cwiseAbs().maxCoeff() <= kNewtonStepTol * v_scale;
        }
        if (!converged) throw SimulationError("sparse reference: Newton did not converge");
      }
    }
    circuit.fill(circuit.class_voltages(x, v_in), v_in, sol, k);
  }
  sol.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return sol;
}

}  // namespace xbar
