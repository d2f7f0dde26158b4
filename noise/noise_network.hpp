#pragma once
// The tile's small-signal network at one operating point, with every noise
// source in it (README "Noise").  Built from the same Circuit the SPICE engine
// runs (so the two noise computations see the same nodes and elements):
//  - unknowns: every node not held by a source (ground, drivers, virtual
//    grounds, TIA outputs);
//  - conductances: wires, driver and sense resistors, and each cell's
//    small-signal conductance dI/dV at the operating point (a 1S1R cell's
//    device and selector each; an access transistor's gds, gm, gmbs: the
//    matrix is then not symmetric); a TIA column is
//    its sense node S with (1 + gain) / r_f to ground (V_out = -gain V_S);
//  - outputs: the physical column currents as linear functions of the
//    unknowns (virtual ground: the conductances into S_j times their far
//    node's voltage; TIA: gain V_S / r_f).
// A noise source is a unit current (density white + flicker / f) injected
// into nodes; what lands on a held virtual-ground node goes straight into
// that column's output.
#include <utility>
#include <vector>

#include "netlist_gen/circuit.hpp"
#include "noise/mosfet_point.hpp"
#include "noise/noise_model.hpp"
#include "tile/tile_solution.hpp"
#include "tile/tile_spec.hpp"

namespace xbar {

// kFlicker: the access transistors' 1/f noise (the cells' is kRead).
enum class NoiseKind { kThermal, kShot, kRead, kSense, kFlicker };

struct NoiseSource {
  NoiseKind kind = NoiseKind::kThermal;
  double white = 0.0;                          // density of the source, A^2/Hz (V^2/Hz for kSenseVoltage)
  double flicker = 0.0;                        // 1/f coefficient, same unit times Hz
  std::vector<std::pair<int, double>> inject;  // (unknown index, current per unit source)
  std::vector<std::pair<int, double>> direct;  // (physical column, output current per unit source)
  // How ngspice sees it: its own resistor noise (native), a current from
  // node a to node b, a current into sense node S_pj, a voltage in series
  // with the amplifier input of column pj.
  enum class Spice { kNative, kAcross, kSenseCurrent, kSenseVoltage } spice = Spice::kNative;
  NodeId a = kGround, b = kGround;
  int pj = -1;
};

struct NoiseNetwork {
  int unknowns = 0;
  std::vector<int> unknown_of;  // circuit NodeId -> unknown index, -1 when held
  struct Entry {
    int row, col;
    double value;
  };
  std::vector<Entry> matrix;  // symmetric conductance matrix (both triangles), duplicates summed
  std::vector<std::vector<std::pair<int, double>>> output;  // per physical column: (unknown, coefficient)
  std::vector<NoiseSource> sources;
};

// The network of `circuit` (built from `tile`) at the operating point of
// input vector `vector` of `op`.  `mosfets`: the circuit's transistors at
// that operating point (mosfet_points()), empty for a tile without them.  A
// transient circuit (dynamic cells, waveforms) throws SimulationError.
NoiseNetwork build_noise_network(const TileSpec& tile, const Circuit& circuit, const TileSolution& op, int vector,
                                 const NoiseOptions& options, const std::vector<MosfetPoint>& mosfets = {});

// The physical columns of logical column j with their signs (2T2R: I+ - I-).
std::vector<std::pair<int, double>> output_columns(const TileSpec& tile, int j);

}  // namespace xbar
