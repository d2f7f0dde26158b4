#pragma once
// The access transistors at the operating point, as ngspice linearises them
// for its own .noise analysis (README "Noise"): the small-signal parameters
// from ngspice's op of the tile, and the drain-current noise from ngspice's
// own noise model of the card (any card: level 1, BSIM4, a user's), measured
// on a characterisation circuit that holds each transistor's terminals at
// their operating-point voltages.  Both noise computations then see the same
// linearised transistor and the same channel noise; what they check against
// each other is the network around it and the noise sources.
#include <array>
#include <string>
#include <vector>

#include "netlist_gen/circuit.hpp"
#include "noise/noise_model.hpp"
#include "spice_bridge/simulator.hpp"

namespace xbar {

// One MOSFET at its operating point (ngspice's names, in the orientation
// ngspice uses: with V_d < V_s the drain and source swap roles, and gm, gmbs
// refer to the terminal that acts as the source).
struct MosfetPoint {
  double gm = 0, gds = 0, gmbs = 0;  // S
  double gbd = 0, gbs = 0;           // S, the bulk junctions (gmin when off)
  // The drain-current noise, a current between drain and source: the white
  // part's density (A^2/Hz: channel thermal noise) and the flicker part as
  // the coefficient F of F / f that has the same power over the band (A^2;
  // exact for ngspice's 1/f^ef with any ef, since ngspice integrates it as a
  // power law between the band's ends just as on the tile).
  double white = 0, flicker = 0;
};

// Per kMosfet element of `circuit` (one input vector), in element order.
// Runs ngspice's op on `sim`, then one .noise of the characterisation circuit
// over `options`' band.  PDK subcircuits are refused (SimulationError), and
// so is a card whose noise has a part other than the channel's thermal and
// flicker noise (series or body resistances, gate current): those sit on
// internal nodes that xbar's network does not have.
std::vector<MosfetPoint> mosfet_points(const Circuit& circuit, Simulator& sim, const NoiseOptions& options);

// The characterisation circuit of `circuit`'s transistors: each transistor
// alone with its terminals held at `terminal_v` (per transistor d, g, s, b),
// a 0 V source in its drain, and noiseless unit-gain CCVSs in series whose
// sum is the output `nzo`, so each transistor's own noise contributions to
// the output are its drain-current noise.  SPICE lines and the noise command.
struct NoiseCharacterisation {
  std::vector<std::string> netlist;
  std::string command;
};
NoiseCharacterisation mosfet_noise_circuit(const Circuit& circuit, const std::vector<std::array<double, 4>>& terminal_v,
                                           const NoiseOptions& options);

}  // namespace xbar
