// Segment-to-segment spread of the wires (parasitics.r_segment_sigma): the
// draws, their reproducibility per Monte-Carlo sample, and both engines
// solving the same spread tile.
#include <cmath>
#include <string>
#include <vector>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "netlist_gen/circuit.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "nodal/nodal_solver.hpp"
#include "runner/spice_engine.hpp"
#include "support/close.hpp"
#include "support/run_helpers.hpp"

using namespace xbar;
using namespace xbar::testing;

namespace {

std::string spread_tile(int n, double r_segment_sigma, double r_sigma, int sample) {
  return fmt::format(R"(
tile: {{rows: {0}, cols: {0}}}
device: {{g_on: 100u, g_off: 2u}}
weights: {{source: random, seed: 3}}
inputs: {{source: random, seed: 4, vectors: 1, v_read: 0.2}}
parasitics: {{r_wl: 5, r_bl: 7, r_sigma: {2}, r_segment_sigma: {1}}}
montecarlo: {{sample: {3}}}
output: {{cells: none}}
)",
                     n, r_segment_sigma, r_sigma, sample);
}

}  // namespace

TEST_CASE("wire segment spread: lognormal factors of the given sigma, one per segment, on top of the die's") {
  // 3 x 65536 draws: the standard error of their standard deviation is
  // 1/sqrt(2n) = 0.16 % of sigma, so 0.6 % (3.5 of it) separates a 1 % error.
  const TileSpec t = build_tile_spec(config_from_yaml(spread_tile(256, 0.2, 0, 5)));
  double sum = 0, sum2 = 0;
  std::size_t n = 0;
  for (const auto* f : {&t.r_wl_factor, &t.r_bl_factor, &t.r_gl_factor}) {
    REQUIRE(f->size() == 256u * 256u);
    for (double x : *f) {
      sum += std::log(x);
      sum2 += std::log(x) * std::log(x);
      ++n;
    }
  }
  const double mean = sum / static_cast<double>(n);
  CHECK(std::fabs(mean) < 3.5 * 0.2 / std::sqrt(static_cast<double>(n)));
  CHECK(close(std::sqrt(sum2 / static_cast<double>(n)), 0.2, 0.006, 0));
  // Independent of the die-to-die factor's stream: r_sigma scales r_wl only.
  const TileSpec die = build_tile_spec(config_from_yaml(spread_tile(256, 0.2, 0.1, 5)));
  CHECK(die.r_wl_factor == t.r_wl_factor);
  CHECK(die.r_wl != t.r_wl);
  // No key: no factors.
  CHECK(build_tile_spec(config_from_yaml(spread_tile(4, 0, 0, 5))).r_wl_factor.empty());
}

TEST_CASE("wire segment spread: sample k is the same every time, another sample differs") {
  const TileSpec a = build_tile_spec(config_from_yaml(spread_tile(8, 0.3, 0, 17)));
  const TileSpec b = build_tile_spec(config_from_yaml(spread_tile(8, 0.3, 0, 17)));
  const TileSpec c = build_tile_spec(config_from_yaml(spread_tile(8, 0.3, 0, 18)));
  CHECK(a.r_wl_factor == b.r_wl_factor);
  CHECK(a.r_bl_factor == b.r_bl_factor);
  CHECK(a.r_gl_factor == b.r_gl_factor);
  CHECK(a.r_wl_factor != c.r_wl_factor);
  // The netlist carries each segment's own value: WL(2, 3) to WL(2, 4), and
  // BL(4, 6) to BL(5, 6).
  const Circuit circuit = build_tile_circuit(a);
  int found = 0;
  for (const Element& e : circuit.elements) {
    if (e.kind != ElementKind::kResistor || e.row < 0 || e.col < 0) continue;
    if (e.name.starts_with("rw") && e.row == 2 && e.col == 4) {
      CHECK(e.value == 5 * a.r_wl_factor[2 * 8 + 4]);
      ++found;
    }
    if (e.name.starts_with("rb") && e.row == 5 && e.col == 6) {
      CHECK(e.value == 7 * a.r_bl_factor[5 * 8 + 6]);
      ++found;
    }
  }
  CHECK(found == 2);
}

TEST_CASE("wire segment spread: the nodal engine and ngspice solve the same spread tile") {
  // A large spread on a 16x16 tile with 5 and 7 ohm segments: the column
  // currents move by far more than the engines' agreement.
  const TileSpec t = build_tile_spec(config_from_yaml(spread_tile(16, 1.0, 0, 2)));
  const TileSpec flat = build_tile_spec(config_from_yaml(spread_tile(16, 0, 0, 2)));
  const Circuit c = build_tile_circuit(t);
  const TileSolution spice = solve_with_spice(t, c, write_spice_netlist(c), shared_simulator());
  const TileSolution nodal = solve_nodal(t), nodal_flat = solve_nodal(flat);
  double moved = 0;
  for (int j = 0; j < t.cols; ++j) {
    CAPTURE(j);
    const double i = spice.column_current[0][static_cast<std::size_t>(j)];
    CHECK(close(nodal.column_current[0][static_cast<std::size_t>(j)], i, 1e-6, 1e-12));
    moved = std::max(moved, std::fabs(nodal_flat.column_current[0][static_cast<std::size_t>(j)] - i) / std::fabs(i));
  }
  CHECK(moved > 1e-4);
}
