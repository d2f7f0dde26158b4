#pragma once
// Reference solver: the tile of docs/circuit.md assembled as a general sparse
// nodal matrix (zero resistances merged by union-find, ideal sources as fixed
// nodes, the TIA as its equivalent conductance (1 + gain) / r_f from S_j to
// ground) and solved by CHOLMOD's supernodal Cholesky; Newton with a fresh
// numeric factorisation per step for sinh cells.  It shares no code with the
// structured solver beyond the cell law, so it is the baseline for the
// benchmark and an independent check in the tests.  Unlike solve_nodal it
// reports the array current by KCL over the whole bit line (sum of its cell
// currents), and the TIA output from the sense-node voltage.
#include "tile/tile_solution.hpp"
#include "tile/tile_spec.hpp"

namespace xbar {

// Same contract as solve_nodal (engine = "sparse-direct").  Throws
// SimulationError for unsupported cells, a failed factorisation or Newton
// non-convergence.
TileSolution solve_tile_sparse_direct(const TileSpec& tile);

}  // namespace xbar
