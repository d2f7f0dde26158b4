#include "network/tile_engines.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <exception>
#include <map>
#include <memory>
#include <vector>

#include "netlist_gen/circuit.hpp"
#include "nodal/nodal_solver.hpp"
#include "runner/spice_engine.hpp"
#include "spice_bridge/simulator.hpp"

namespace xbar {
namespace {

// The tile with one input vector per row of `volts` (rows past the slice at 0 V).
TileSpec with_inputs(const MappedTile& t, const Matrix& volts) {
  TileSpec s = t.spec;
  s.inputs.assign(static_cast<std::size_t>(volts.rows()), std::vector<double>(static_cast<std::size_t>(s.rows), 0.0));
  for (Eigen::Index k = 0; k < volts.rows(); ++k)
    for (int i = 0; i < t.rows; ++i) s.inputs[static_cast<std::size_t>(k)][static_cast<std::size_t>(i)] = volts(k, i);
  return s;
}

}  // namespace

TransferMatrices extract_transfer(const MappedTile& t) {
  const Matrix unit = Matrix::Identity(t.rows, t.rows);
  const TileSolution sol = solve_nodal(with_inputs(t, unit));
  TransferMatrices m;
  m.T.resize(t.rows, sol.phys_cols);
  m.D.resize(t.rows, t.rows);
  for (int i = 0; i < t.rows; ++i) {
    for (int j = 0; j < sol.phys_cols; ++j) m.T(i, j) = sol.column_current[i][j];
    for (int k = 0; k < t.rows; ++k) m.D(i, k) = sol.driver_current[i][k];
  }
  m.S.resize(t.rows, t.cols);
  for (int j = 0; j < t.cols; ++j) m.S.col(j) = m.T.col(t.plus[j]) - m.T.col(t.minus[j]);
  return m;
}

const TransferMatrices& TransferEngine::of(const MappedTile& t) {
  auto it = cache_.find(&t);
  if (it == cache_.end()) it = cache_.emplace(&t, extract_transfer(t)).first;
  return it->second;
}

TileReadout TransferEngine::operator()(const MappedTile& t, const Volts& volts, const Matrix& gram) {
  const TransferMatrices& m = of(t);
  // sum over images of V D V' = sum(D .* V'V)
  return {volts * m.S, m.D.cwiseProduct(gram).sum()};
}

Matrix TransferEngine::currents(const MappedTile& t, const Matrix& volts, Eigen::VectorXd* driver_power) {
  const TransferMatrices& m = of(t);
  if (driver_power) *driver_power = (volts.cwiseProduct(volts * m.D)).rowwise().sum();
  return volts * m.T;
}

namespace {

Matrix solution_currents(const TileSolution& sol, const Matrix& volts, int rows, Eigen::VectorXd* driver_power) {
  Matrix I(sol.vectors, sol.phys_cols);
  if (driver_power) driver_power->resize(sol.vectors);
  for (int k = 0; k < sol.vectors; ++k) {
    for (int j = 0; j < sol.phys_cols; ++j) I(k, j) = sol.column_current[k][j];
    if (driver_power) {
      double p = 0;
      for (int i = 0; i < rows; ++i) p += volts(k, i) * sol.driver_current[k][i];
      (*driver_power)(k) = p;
    }
  }
  return I;
}

}  // namespace

TileSolution solve_tile_batch(const TileSpec& tile, bool node_voltages, const TransistorTables* tables) {
  NodalOptions opt;
  opt.node_voltages = node_voltages;
  opt.transistor_tables = tables;
  return solve_nodal(tile, opt);
}

std::shared_ptr<const TransistorTables> tile_transistor_tables(const MappedTile& t, const Matrix& volts) {
  if (!t.spec.access_transistors()) return nullptr;
  // The tables' range follows the inputs of the tile they are made for: two
  // vectors, every row at the lowest and at the highest voltage.
  TileSpec s = t.spec;
  const double lo = std::min(0.0, volts.size() > 0 ? volts.minCoeff() : 0.0);
  const double hi = std::max(t.v_full_scale, volts.size() > 0 ? volts.maxCoeff() : 0.0);
  s.inputs = {std::vector<double>(static_cast<std::size_t>(s.rows), lo),
              std::vector<double>(static_cast<std::size_t>(s.rows), hi)};
  return transistor_tables(s);
}

double full_scale_ir_drop(const MappedTile& t, double v_read) {
  if (v_read <= 0 || t.rows == 0) return 0;
  const Matrix volts = Matrix::Constant(1, t.rows, v_read);
  const TileSolution sol = solve_tile_batch(with_inputs(t, volts), true, tile_transistor_tables(t, volts).get());
  const int P = sol.phys_cols;
  double worst = 0;
  for (int i = 0; i < t.rows; ++i)
    for (int j = 0; j < P; ++j) {
      const auto c = static_cast<std::size_t>(i) * P + j;
      worst = std::max(worst, std::abs(v_read - sol.device_voltage(0, c)));
    }
  return worst / v_read;
}

std::vector<double> full_scale_ir_drops(const MappedLayer& l, double v_read) {
  // One single-vector solve per tile: the tiles run side by side (a solve
  // of one vector is single-threaded), each tile's figure the same bits on
  // any number of threads.
  // The transistor tables first, tile after tile, so that a missing one is
  // characterised (in an ngspice child) before the threads start; they
  // then find it in the in-process memo.
  for (const auto& t : l.tiles) tile_transistor_tables(t, Matrix::Constant(1, t.rows, v_read));
  const auto n = static_cast<int>(l.tiles.size());
  std::vector<double> drop(l.tiles.size());
  std::vector<std::exception_ptr> errors(l.tiles.size());
#pragma omp parallel for schedule(dynamic, 1)
  for (int k = 0; k < n; ++k) {
    try {
      drop[static_cast<std::size_t>(k)] = full_scale_ir_drop(l.tiles[static_cast<std::size_t>(k)], v_read);
    } catch (...) {
      errors[static_cast<std::size_t>(k)] = std::current_exception();
    }
  }
  for (const auto& e : errors)
    if (e) std::rethrow_exception(e);
  return drop;
}

namespace {

// The distinct rows of `volts`, bit for bit: `first` lists the first row of
// each distinct input in order, `of[k]` the index in `first` of row k's.
struct DistinctRows {
  std::vector<Eigen::Index> first;
  std::vector<std::size_t> of;
};

DistinctRows distinct_rows(const Matrix& volts) {
  DistinctRows d;
  d.of.resize(static_cast<std::size_t>(volts.rows()));
  std::map<std::vector<std::uint64_t>, std::size_t> seen;
  std::vector<std::uint64_t> bits(static_cast<std::size_t>(volts.cols()));
  for (Eigen::Index k = 0; k < volts.rows(); ++k) {
    for (Eigen::Index i = 0; i < volts.cols(); ++i)
      bits[static_cast<std::size_t>(i)] = std::bit_cast<std::uint64_t>(volts(k, i));
    const auto [it, added] = seen.emplace(bits, d.first.size());
    if (added) d.first.push_back(k);
    d.of[static_cast<std::size_t>(k)] = it->second;
  }
  return d;
}

}  // namespace

Matrix nodal_currents(const MappedTile& t, const Matrix& volts, Eigen::VectorXd* driver_power, int batch) {
  // Images with the same inputs on this tile share one solve (the common
  // case: every pixel of the slice dark, all rows at 0 V).  The nodal
  // engine's answer for an input vector does not depend on the batch it is
  // solved in, so this gives the bits a solve of every image would give.
  const DistinctRows d = distinct_rows(volts);
  const auto n_distinct = static_cast<Eigen::Index>(d.first.size());
  Matrix distinct(n_distinct, volts.cols());
  for (Eigen::Index u = 0; u < n_distinct; ++u) distinct.row(u) = volts.row(d.first[static_cast<std::size_t>(u)]);
  Matrix I_distinct(n_distinct, t.spec.phys_cols());
  Eigen::VectorXd p_distinct(n_distinct);
  const auto tables = tile_transistor_tables(t, volts);
  for (Eigen::Index k0 = 0; k0 < n_distinct; k0 += batch) {
    const Eigen::Index n = std::min<Eigen::Index>(batch, n_distinct - k0);
    const Matrix v = distinct.middleRows(k0, n);
    Eigen::VectorXd p;
    I_distinct.middleRows(k0, n) = solution_currents(solve_tile_batch(with_inputs(t, v), false, tables.get()), v,
                                                     t.rows, driver_power ? &p : nullptr);
    if (driver_power) p_distinct.segment(k0, n) = p;
  }
  Matrix I(volts.rows(), t.spec.phys_cols());
  if (driver_power) driver_power->resize(volts.rows());
  for (Eigen::Index k = 0; k < volts.rows(); ++k) {
    const auto u = static_cast<Eigen::Index>(d.of[static_cast<std::size_t>(k)]);
    I.row(k) = I_distinct.row(u);
    if (driver_power) (*driver_power)(k) = p_distinct(u);
  }
  return I;
}

Matrix spice_currents(const MappedTile& t, const Matrix& volts, Eigen::VectorXd* driver_power) {
  const TileSpec s = with_inputs(t, volts);
  const Circuit c = build_tile_circuit(s);
  const auto netlist = write_spice_netlist(c);
  auto sim = make_isolated_simulator();
  return solution_currents(solve_with_spice(s, c, netlist, *sim), volts, t.rows, driver_power);
}

CircuitEngine circuit_engine(const TileSpec& base, TransferEngine& transfer) {
  if (base.model.linear() && !base.access_transistors())
    return {"transfer", std::ref(transfer), [&transfer](const MappedTile& t, const Matrix& v, Eigen::VectorXd* p) {
              return transfer.currents(t, v, p);
            }};
  const CurrentsEngine per_image = [](const MappedTile& t, const Matrix& v, Eigen::VectorXd* p) {
    return nodal_currents(t, v, p);
  };
  return {"per_image",
          [per_image](const MappedTile& t, const Volts& v, const Matrix&) {
            Eigen::VectorXd p;
            const Matrix I = per_image(t, v, &p);
            return readout_of(t, I, p);
          },
          per_image};
}

}  // namespace xbar
