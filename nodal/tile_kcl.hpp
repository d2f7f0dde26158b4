#pragma once
// Kirchhoff current law on the tile network: the net current leaving every free
// slot (0 at the solution), the per-cell currents, and the cell small-signal
// conductances for the Newton Jacobian.  Every pass checks `stop` (when given)
// at every row.
#include <vector>

#include "common/stop_condition.hpp"

#include "nodal/cell_law.hpp"
#include "nodal/tile_network.hpp"
#include "tile/tile_spec.hpp"

namespace xbar::nodal_detail {

struct TileState {
  std::vector<double> xw, xb;  // slot voltages (fixed slots hold their source value)
};

// The starting point: every word-line slot at its driver voltage, every
// bit-line slot at its sense end's voltage (0 V but for held read lines).
TileState initial_state(const TileNetwork& net, const std::vector<double>& v_in, const StopCondition* stop = nullptr);

// Fills fw, fb (current leaving each free slot; 0 at fixed slots) and, when
// cell_g is given, every cell's conductance for the Newton matrix: with
// `cell_g_bl` too, dI/dV_wl into cell_g and -dI/dV_bl into cell_g_bl (the
// exact, non-symmetric Jacobian); without, (dI/dV_wl - dI/dV_bl) / 2, which
// is dI/dV for a two-terminal device.  `mid` (R x P, laws with an inner
// node): the inner node voltages, read as the starting guess and overwritten
// with the solution.  Returns ||(fw, fb)||_2.
// Instantiated for DeviceCells and TransistorCells (cell_law.hpp).
template <class Law>
double kcl_residual(const TileNetwork& net, const Law& law, const std::vector<double>& v_in, const TileState& x,
                    std::vector<double>& fw, std::vector<double>& fb, std::vector<double>* cell_g,
                    std::vector<double>* mid = nullptr, const StopCondition* stop = nullptr,
                    std::vector<double>* cell_g_bl = nullptr);

}  // namespace xbar::nodal_detail
