#pragma once
// The cross-check of nodal_noise(): ngspice's own `.noise` analysis of the
// tile at the same operating point, one run per column (README "Noise").
// ngspice adds the thermal noise of every resistor (wires, driver, sense, TIA
// feedback, linear cells) itself; each other source of the noise network (a
// nonlinear cell's thermal noise, shot and 1/f read noise, the sense
// amplifier) is added as a noiseless controlled source driven by a 1-ohm
// auxiliary resistor's noise current (white) or by the 1/f noise of two
// resistors with a flicker model carrying opposite 1 A (1/f), scaled to the
// source's density.  ngspice integrates each generator's spectrum over the
// band as a power law between the two end points, which is exact for white
// and 1/f densities through a resistive network.
#include <vector>

#include "netlist_gen/circuit.hpp"
#include "noise/noise_model.hpp"
#include "spice_bridge/simulator.hpp"
#include "tile/tile_solution.hpp"
#include "tile/tile_spec.hpp"

namespace xbar {

// The rms output noise current (A) of every logical column for input vector
// `vector` of `op`, from ngspice's onoise_total.  `circuit` is
// build_tile_circuit() of `tile` with that one input vector.
std::vector<double> spice_noise(const TileSpec& tile, const Circuit& circuit, const TileSolution& op, int vector,
                                const NoiseOptions& options, Simulator& sim);

// The netlist and `noise` command of logical column j (for `xbar gen`-style
// inspection and for tests).
struct NoiseJob {
  std::vector<std::string> netlist;
  std::string command;
  double scale = 1.0;  // output current per volt of ngspice's output (1 / r_f for a TIA)
};
std::vector<NoiseJob> spice_noise_jobs(const TileSpec& tile, const Circuit& circuit, const TileSolution& op, int vector,
                                       const NoiseOptions& options);

}  // namespace xbar
