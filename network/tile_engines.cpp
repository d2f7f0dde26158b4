#include "network/tile_engines.hpp"

#include <memory>

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
  return m;
}

Matrix TransferEngine::operator()(const MappedTile& t, const Matrix& volts, Eigen::VectorXd* driver_power) {
  auto it = cache_.find(&t);
  if (it == cache_.end()) it = cache_.emplace(&t, extract_transfer(t)).first;
  if (driver_power) *driver_power = (volts.cwiseProduct(volts * it->second.D)).rowwise().sum();
  return volts * it->second.T;
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

Matrix nodal_currents(const MappedTile& t, const Matrix& volts, Eigen::VectorXd* driver_power, int batch) {
  Matrix I(volts.rows(), t.spec.phys_cols());
  if (driver_power) driver_power->resize(volts.rows());
  for (Eigen::Index k0 = 0; k0 < volts.rows(); k0 += batch) {
    const Eigen::Index n = std::min<Eigen::Index>(batch, volts.rows() - k0);
    const Matrix v = volts.middleRows(k0, n);
    Eigen::VectorXd p;
    I.middleRows(k0, n) = solution_currents(solve_nodal(with_inputs(t, v)), v, t.rows, driver_power ? &p : nullptr);
    if (driver_power) driver_power->segment(k0, n) = p;
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

}  // namespace xbar
