#pragma once
// Kirchhoff current law on the tile network: the net current leaving every free
// slot (0 at the solution), the per-cell currents, and the cell small-signal
// conductances for the Newton Jacobian.  Every pass checks `stop` (when given)
// at every row.
#include <vector>

#include "common/stop_condition.hpp"
#include "tile/tile_solution.hpp"
#include "nodal/cell_law.hpp"
#include "tile/tile_spec.hpp"
#include "nodal/tile_network.hpp"

namespace xbar::nodal_detail {

struct TileState {
  std::vector<double> xw, xb;  // slot voltages (fixed slots hold their source value)
};

// The starting point: every word-line slot at its driver voltage, every
// bit-line slot at 0 V.
TileState initial_state(const TileNetwork& net, const std::vector<double>& v_in,
                        const StopCondition* stop = nullptr);

// Fills fw, fb (current leaving each free slot; 0 at fixed slots) and, when
// cell_g is given, dI/dV of every cell.  Returns ||(fw, fb)||_2.
double kcl_residual(const TileNetwork& net, const TwoTerminalLaw& law, const std::vector<double>& v_in,
                    const TileState& x, std::vector<double>& fw, std::vector<double>& fb,
                    std::vector<double>* cell_g, const StopCondition* stop = nullptr);

// Maps the solved state of input vector `v` back to tile coordinates
// (docs/circuit.md): node voltages, driver, array and column currents.
void fill_vector(const TileNetwork& net, const TwoTerminalLaw& law, const std::vector<double>& v_in,
                 const TileState& x, TileSolution& sol, int v, const StopCondition* stop = nullptr);

}  // namespace xbar::nodal_detail
