#pragma once
// xbar's own noise computation: the output noise of every column, by one
// adjoint solve per column on the tile's small-signal network (README "Noise").
//
// Output j is a linear function c_j' x of the node voltages x (plus direct
// terms), and K x = b for injected currents b, so the transfer of every source
// to output j comes from one solve K' y_j = c_j (K is symmetric: the same
// factorisation serves every column; a transistor tile's K is not, and K'
// gets an LU factorisation): t = y_j' b + direct.  The noise power
// is the sum over sources of t^2 times the source's band power.
#include <vector>

#include "netlist_gen/circuit.hpp"
#include "noise/mosfet_point.hpp"
#include "noise/noise_model.hpp"
#include "tile/tile_solution.hpp"
#include "tile/tile_spec.hpp"

namespace xbar {

// Band powers (A^2) at one logical column output, by source kind.
struct ColumnNoise {
  int vector = 0, col = 0;
  double thermal = 0, shot = 0, read = 0, sense = 0, flicker = 0;
  double power() const { return thermal + shot + read + sense + flicker; }
};

// Every vector and logical column of `op` (vector-major).  `circuit` must be
// build_tile_circuit() of `tile` (any one input vector of it).  `mosfets`:
// a transistor tile's transistors at each vector's operating point
// (mosfet_points() of that vector's circuit); empty otherwise.
std::vector<ColumnNoise> nodal_noise(const TileSpec& tile, const Circuit& circuit, const TileSolution& op,
                                     const NoiseOptions& options,
                                     const std::vector<std::vector<MosfetPoint>>& mosfets = {});

}  // namespace xbar
