#include "network/tile_engines.hpp"

#include <algorithm>
#include <cmath>
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

TileSolution solve_tile_batch(const TileSpec& tile, bool node_voltages) {
  NodalOptions opt;
  opt.node_voltages = node_voltages;
  return solve_nodal(tile, opt);
}

double full_scale_ir_drop(const MappedTile& t, double v_read) {
  if (v_read <= 0 || t.rows == 0) return 0;
  const TileSolution sol = solve_tile_batch(with_inputs(t, Matrix::Constant(1, t.rows, v_read)));
  const int P = sol.phys_cols;
  double worst = 0;
  for (int i = 0; i < t.rows; ++i)
    for (int j = 0; j < P; ++j) {
      const auto c = static_cast<std::size_t>(i) * P + j;
      worst = std::max(worst, std::abs(v_read - sol.device_voltage(0, c)));
    }
  return worst / v_read;
}

Matrix nodal_currents(const MappedTile& t, const Matrix& volts, Eigen::VectorXd* driver_power, int batch) {
  Matrix I(volts.rows(), t.spec.phys_cols());
  if (driver_power) driver_power->resize(volts.rows());
  for (Eigen::Index k0 = 0; k0 < volts.rows(); k0 += batch) {
    const Eigen::Index n = std::min<Eigen::Index>(batch, volts.rows() - k0);
    const Matrix v = volts.middleRows(k0, n);
    Eigen::VectorXd p;
    I.middleRows(k0, n) =
        solution_currents(solve_tile_batch(with_inputs(t, v), false), v, t.rows, driver_power ? &p : nullptr);
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
