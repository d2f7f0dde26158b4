#pragma once
// The benches' SPICE reference: the tile through the SPICE engine (circuit,
// netlist, embedded ngspice, mapping back), timed, and the worst column
// difference of a nodal solution to it (vector 0, of full scale).
#include <algorithm>
#include <chrono>
#include <cmath>

#include "netlist_gen/circuit.hpp"
#include "runner/spice_engine.hpp"
#include "spice_bridge/simulator.hpp"

namespace xbar::bench {

struct SpiceReference {
  TileSolution solution;
  double seconds = 0;  // wall time of the SPICE engine
  double worst = 0;    // max over columns of |I_nodal - I_spice| / full scale
};

inline SpiceReference spice_reference(const TileSpec& t, const TileSolution& nodal) {
  auto sim = make_ngspice_simulator();
  const auto t0 = std::chrono::steady_clock::now();
  const Circuit c = build_tile_circuit(t);
  SpiceReference r{solve_with_spice(t, c, write_spice_netlist(c), *sim)};
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (int j = 0; j < t.cols; ++j)
    r.worst =
        std::max(r.worst, std::abs(nodal.column_current[0][j] - r.solution.column_current[0][j]) / t.i_full_scale);
  return r;
}

}  // namespace xbar::bench
