#pragma once
// An independent reference for tests: the tile of docs/circuit.md assembled
// from the convention text itself (not from the project's circuit builder)
// as a dense nodal system and solved by Eigen's LU.  Linear cells only; small
// tiles only.  A zero resistance joins its two nodes (and a node joined to a
// source takes the source's voltage), as docs/circuit.md says.
#include <numeric>
#include <optional>
#include <vector>

#include <Eigen/Dense>

#include "tile/tile_spec.hpp"

namespace xbar::testing {

// Column currents I_j per docs/circuit.md (virtual ground or TIA), one list per
// input vector of `vins`.  The nodal matrix does not depend on the inputs (they
// enter the right-hand side only): it is assembled and factored once.
inline std::vector<std::vector<double>> dense_column_currents_each(const TileSpec& t,
                                                                   const std::vector<std::vector<double>>& vins) {
  const int R = t.rows, C = t.phys_cols();
  const bool tia = t.sense == SenseKind::kTia;
  // Node keys: IN(i), WL(i,j), BL(i,j), S(j), O(j).
  const int nin = R, nwl = R * C, nbl = R * C;
  auto IN = [&](int i) { return i; };
  auto WL = [&](int i, int j) { return nin + i * C + j; };
  auto BL = [&](int i, int j) { return nin + nwl + i * C + j; };
  auto S = [&](int j) { return nin + nwl + nbl + j; };
  auto O = [&](int j) { return nin + nwl + nbl + C + j; };
  const int nkeys = nin + nwl + nbl + 2 * C;
  std::vector<int> parent(nkeys);
  std::iota(parent.begin(), parent.end(), 0);
  auto find = [&](int a) {
    while (parent[a] != a) a = parent[a];
    return a;
  };
  auto join = [&](int a, int b) { parent[find(a)] = find(b); };
  // Zero resistances join nodes.
  for (int i = 0; i < R; ++i) {
    if (t.r_driver == 0) join(IN(i), WL(i, 0));
    for (int j = 1; j < C; ++j)
      if (t.r_wl == 0) join(WL(i, j - 1), WL(i, j));
  }
  for (int j = 0; j < C; ++j) {
    for (int i = 1; i < R; ++i)
      if (t.r_bl == 0) join(BL(i - 1, j), BL(i, j));
    if (t.r_sense == 0) join(BL(R - 1, j), S(j));
  }
  // The known voltage of a set (by root, after joins) for one input vector.
  auto fixed_for = [&](const std::vector<double>& vin) {
    std::vector<std::optional<double>> fixed(nkeys);
    for (int i = 0; i < R; ++i) fixed[find(IN(i))] = vin[i];
    if (!tia)
      for (int j = 0; j < C; ++j) fixed[find(S(j))] = 0.0;
    return fixed;
  };
  // Which sets are known is the same for every vector: number the free ones.
  // The TIA output is an unknown with its own equation.
  const std::vector<std::optional<double>> known = fixed_for(std::vector<double>(R, 0.0));
  std::vector<int> index(nkeys, -1);
  int n = 0;
  for (int k = 0; k < nkeys; ++k)
    if (find(k) == k && !known[k] && (tia || k < O(0))) index[k] = n++;
  // Stamps g between two keys into A (when given) and b (the known side, from `fixed`).
  auto stamp_all = [&](Eigen::MatrixXd* A, Eigen::VectorXd& b, const std::vector<std::optional<double>>& fixed) {
    auto stamp = [&](int ka, int kb, double g) {
      const int ra = find(ka), rb = find(kb);
      if (ra == rb) return;
      // Row `a`'s half of the symmetric stamp; `r_other` the other key's root.
      auto half = [&](int a, int other, int r_other) {
        if (a < 0) return;
        if (A) (*A)(a, a) += g;
        if (other >= 0) {
          if (A) (*A)(a, other) -= g;
        } else {
          b(a) += g * *fixed[r_other];
        }
      };
      half(index[ra], index[rb], rb);
      half(index[rb], index[ra], ra);
    };
    for (int i = 0; i < R; ++i) {
      if (t.r_driver > 0) stamp(IN(i), WL(i, 0), 1.0 / t.r_driver);
      for (int j = 1; j < C; ++j)
        if (t.r_wl > 0) stamp(WL(i, j - 1), WL(i, j), 1.0 / t.r_wl);
      for (int j = 0; j < C; ++j)
        if (t.g_at(i, j) > 0) stamp(WL(i, j), BL(i, j), t.g_at(i, j));
    }
    for (int j = 0; j < C; ++j) {
      for (int i = 1; i < R; ++i)
        if (t.r_bl > 0) stamp(BL(i - 1, j), BL(i, j), 1.0 / t.r_bl);
      if (t.r_sense > 0) stamp(BL(R - 1, j), S(j), 1.0 / t.r_sense);
      if (tia) {
        stamp(S(j), O(j), 1.0 / t.tia_r_f);
        // The VCVS forces O_j = -gain * S_j: its own row replaces KCL at O_j
        // (the amplifier supplies whatever current that takes).
        const int o = index[find(O(j))];
        b(o) = 0;
        if (A) {
          A->row(o).setZero();
          (*A)(o, o) = 1.0;
          const int s = index[find(S(j))];
          (*A)(o, s) += t.tia_gain;
        }
      }
    }
  };
  Eigen::MatrixXd A = Eigen::MatrixXd::Zero(n, n);
  Eigen::VectorXd b0 = Eigen::VectorXd::Zero(n);
  stamp_all(&A, b0, known);
  const Eigen::PartialPivLU<Eigen::MatrixXd> lu = A.partialPivLu();
  std::vector<std::vector<double>> all;
  for (const auto& vin : vins) {
    const std::vector<std::optional<double>> fixed = fixed_for(vin);
    Eigen::VectorXd b = Eigen::VectorXd::Zero(n);
    stamp_all(nullptr, b, fixed);
    const Eigen::VectorXd x = lu.solve(b);
    auto volt = [&](int key) {
      const int r = find(key);
      return fixed[r] ? *fixed[r] : x(index[r]);
    };
    std::vector<double> out(C, 0.0);
    for (int j = 0; j < C; ++j) {
      if (tia) {
        out[j] = -volt(O(j)) / t.tia_r_f;
      } else {
        // Every current of the column leaves through the sense node: KCL.
        for (int i = 0; i < R; ++i) out[j] += t.g_at(i, j) * (volt(WL(i, j)) - volt(BL(i, j)));
      }
    }
    all.push_back(std::move(out));
  }
  return all;
}

// Column currents for one input vector.
inline std::vector<double> dense_column_currents(const TileSpec& t, const std::vector<double>& vin) {
  return dense_column_currents_each(t, {vin}).front();
}

}  // namespace xbar::testing
