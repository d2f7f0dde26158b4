#pragma once
// Tile engines for network inference: every one solves the mapped tile's
// circuit with xbar's own engines (nodal/, or SPICE through runner/).
//  - transfer: a linear tile's column currents and driver currents are linear
//    in the row voltages, so one nodal solve per used row (unit voltage on that
//    row, 0 V on the others) gives the transfer matrices T (rows x columns) and
//    D (rows x rows), extracted once per tile; then I = V T for every image, and
//    the driver power summed over the images is sum(D .* V'V);
//  - per_image: a solve of every image (nonlinear or transistor cells), in
//    batches, by the engine `solve_tile_batch` picks;
//  - spice: the SPICE engine on every image (meant for a small sample).
// `circuit_engine` is the one place that decides which of them a tile gets.
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "device_tables/transistor_tables.hpp"
#include "network/crossbar_mlp.hpp"
#include "tile/tile_solution.hpp"

namespace xbar {

struct TransferMatrices {
  Matrix T;  // used rows x physical columns: column current per volt on the row
  Matrix S;  // used rows x logical columns: the signal (I+ - I-) per volt on the row
  Matrix D;  // used rows x used rows: D(i, k) = driver k's current per volt on row i
};

// Solves the tile once per used row.
TransferMatrices extract_transfer(const MappedTile& t);

// Keeps the transfer matrices of the tiles it has seen.  Not thread-safe.
class TransferEngine {
 public:
  TileReadout operator()(const MappedTile& t, const Volts& volts, const Matrix& gram);
  // Column currents and per-image driver power (for the checks).
  Matrix currents(const MappedTile& t, const Matrix& volts, Eigen::VectorXd* driver_power);
  int extracted() const { return static_cast<int>(cache_.size()); }

 private:
  const TransferMatrices& of(const MappedTile& t);
  std::map<const MappedTile*, TransferMatrices> cache_;
};

// The solver of a tile with input vectors, for the per-image engine: the nodal
// engine, with the transistor law of 1T1R/2T2R cells (ngspice's drain-current
// tables of the card).  `node_voltages`: false when only the currents are
// read (NodalOptions::node_voltages).  `tables`: the transistor tables to use
// (null: the ones covering this batch's inputs, NodalOptions::transistor_tables).
TileSolution solve_tile_batch(const TileSpec& tile, bool node_voltages = true,
                              const TransistorTables* tables = nullptr);

// The transistor tables of a 1T1R/2T2R tile (null for other cells) covering
// 0 V to its full-scale input (MappedTile::v_full_scale) and every voltage of
// `volts`.  Tables made for a batch's own inputs would cover a narrower range
// for a batch of dark images only, and an image's currents would then depend
// on the images it shares a batch with.
std::shared_ptr<const TransistorTables> tile_transistor_tables(const MappedTile& t, const Matrix& volts);

// IR drop with every used row at `v_read` (solve_tile_batch): max over the
// used rows' cells of |V_i - v_cell| / v_read, v_cell the voltage across the
// memory device (TileSolution::device_voltage).
double full_scale_ir_drop(const MappedTile& t, double v_read);
// The same for every tile of the layer, in order (tiles solved in parallel).
std::vector<double> full_scale_ir_drops(const MappedLayer& l, double v_read);

// Direct solves (solve_tile_batch) of every row of `volts`, `batch` images per
// solve, with the tile's transistor tables (tile_transistor_tables).  Rows
// with the same bits share one solve (an image whose pixels on the tile are
// all dark: every row at 0 V); the engine's answer for a vector does not
// depend on its batch, so the result is the bits of a solve per row.
Matrix nodal_currents(const MappedTile& t, const Matrix& volts, Eigen::VectorXd* driver_power, int batch = 256);

// The SPICE engine on every row of `volts` (one ngspice run per call).
Matrix spice_currents(const MappedTile& t, const Matrix& volts, Eigen::VectorXd* driver_power);

// The circuit engine for tiles like `base`: "transfer" for a linear device
// without access transistors, "per_image" otherwise.
struct CircuitEngine {
  std::string name;
  TileEngine read;          // for the images
  CurrentsEngine currents;  // the same engine's column currents (for the checks)
};
CircuitEngine circuit_engine(const TileSpec& base, TransferEngine& transfer);

}  // namespace xbar
