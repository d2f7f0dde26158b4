#pragma once
// Tile engines for network inference: every one solves the mapped tile's
// circuit with xbar's own engines (nodal/, or SPICE through runner/).
//  - transfer: a linear tile's column currents and driver currents are linear
//    in the row voltages, so one nodal solve per used row (unit voltage on that
//    row, 0 V on the others) gives the transfer matrices T (rows x columns) and
//    D (rows x rows), extracted once per tile; then I = V T and the driver
//    power is V . (V D) for every image;
//  - per_image: a nodal solve of every image (nonlinear cells), in batches;
//  - spice: the SPICE engine on every image (meant for a small sample).
#include <map>
#include <memory>

#include "network/crossbar_mlp.hpp"

namespace xbar {

struct TransferMatrices {
  Matrix T;  // used rows x physical columns: column current per volt on the row
  Matrix D;  // used rows x used rows: D(i, k) = driver k's current per volt on row i
};

// Solves the tile once per used row.
TransferMatrices extract_transfer(const MappedTile& t);

// Keeps the transfer matrices of the tiles it has seen.  Not thread-safe.
class TransferEngine {
 public:
  Matrix operator()(const MappedTile& t, const Matrix& volts, Eigen::VectorXd* driver_power);
  int extracted() const { return static_cast<int>(cache_.size()); }
 private:
  std::map<const MappedTile*, TransferMatrices> cache_;
};

// Direct nodal solves of every row of `volts`, `batch` images per solve.
Matrix nodal_currents(const MappedTile& t, const Matrix& volts, Eigen::VectorXd* driver_power, int batch = 256);

// The SPICE engine on every row of `volts` (one ngspice run per call).
Matrix spice_currents(const MappedTile& t, const Matrix& volts, Eigen::VectorXd* driver_power);

}  // namespace xbar
