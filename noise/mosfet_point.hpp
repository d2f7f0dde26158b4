#pragma once
// The access transistors' small-signal parameters at the operating point, as
// ngspice linearises them for its own .noise analysis (README "Noise").
// xbar takes them from ngspice's op of the same circuit, so both noise
// computations see the same linearised transistor; what they check against
// each other is the network around it and the noise sources.
#include <string>
#include <vector>

#include "netlist_gen/circuit.hpp"
#include "spice_bridge/simulator.hpp"

namespace xbar {

// One MOSFET at its operating point (ngspice's level-1 names, in the
// orientation ngspice uses: with V_d < V_s the drain and source swap roles,
// and gm, gmbs refer to the terminal that acts as the source).
struct MosfetPoint {
  double gm = 0, gds = 0, gmbs = 0;  // S
  double gbd = 0, gbs = 0;           // S, the bulk junctions (gmin when off)
};

// Per kMosfet element of `circuit` (one input vector), in element order.
// Runs ngspice's op on `sim`.  Only level-1 cards (ngspice's MOS1: channel
// thermal noise (2/3) 4kT |gm|) are supported: a BSIM4 card's noise
// (tnoimod 0 needs the effective mobility, which ngspice does not report;
// its default fnoimod 1 flicker noise) and PDK subcircuits are refused
// (SimulationError), as is a card with flicker noise (kf != 0).
std::vector<MosfetPoint> mosfet_points(const Circuit& circuit, Simulator& sim);

// The `level` of `.model NAME` in SPICE netlist lines (continuations
// included; ngspice's default 1 when not given), or 0 when the model is not
// defined there.  `kf`: its flicker coefficient (0 when not given).
struct MosfetCard {
  int level = 0;
  double kf = 0;
};
MosfetCard mosfet_card(const std::vector<std::string>& lines, const std::string& name);

}  // namespace xbar
