// Read mode on the nodal engine: the same read (read_lines() lowers it for
// both engines) solved by SPICE and by the nodal engine, for 1R, 1T1R (a
// level-1 and a BSIM4 card, through ngspice's drain-current tables) and
// 1S1R, in every bias scheme, with wires, driver/sense resistance and a TIA.
// The sensed, array, selected-cell and sneak currents must agree to 1e-6 of
// the sensed current.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "netlist_gen/read_circuit.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "runner/read_job.hpp"
#include "runner/run_job.hpp"
#include "support/close.hpp"
#include "support/run_helpers.hpp"
#include "support/table_cache.hpp"

using namespace xbar;
using xbar::testing::close;
using xbar::testing::config_from_yaml;

namespace {

using testing::table_cache_dir;

constexpr double kTol = 1e-6;  // of the sensed current

std::string yaml(int rows, int cols, const std::string& cell, const std::string& extra,
                 const std::string& device = "{g_on: 100u, g_off: 2u}") {
  return fmt::format(
      "tile: {{rows: {}, cols: {}, cell: {}}}\n"
      "device: {}\n"
      "weights: {{source: random, seed: 41}}\n"
      "parasitics: {{r_wl: 2.5, r_bl: 3, r_gl: 5}}\n"
      "{}",
      rows, cols, cell, device, extra);
}

// The worst engine difference over the read's currents, relative to SPICE's
// sensed current.
double compare(const TileSpec& t, const ReadSetup& s) {
  const ReadCircuit rc = build_read_circuit(t, s);
  const ReadSample sp = solve_read(rc, testing::shared_simulator(), write_spice_netlist(rc.circuit));
  const ReadSample nd = solve_read_nodal(t, s);
  const double fs = std::fabs(sp.i_sense);
  CHECK(fs > 0);
  CHECK(close(nd.i_sense, sp.i_sense, 0, kTol * fs));
  CHECK(close(nd.i_array, sp.i_array, 0, kTol * fs));
  CHECK(close(nd.i_cell, sp.i_cell, 0, kTol * fs));
  CHECK(close(nd.i_sneak, sp.i_sneak, 0, kTol * fs));
  double worst = 0;
  for (double d : {nd.i_sense - sp.i_sense, nd.i_array - sp.i_array, nd.i_cell - sp.i_cell, nd.i_sneak - sp.i_sneak})
    worst = std::max(worst, std::fabs(d) / fs);
  return worst;
}

void every_scheme(const std::string& what, const TileSpec& t, int row, int col, double v_read,
                  std::initializer_list<ReadBias> schemes = {ReadBias::kFloating, ReadBias::kGrounded, ReadBias::kHalf,
                                                             ReadBias::kThird}) {
  for (ReadBias b : schemes) {
    CAPTURE(what);
    CAPTURE(to_string(b));
    const double d = compare(t, ReadSetup{row, col, v_read, b});
    MESSAGE(fmt::format("{} {}x{} {}: nodal vs SPICE {:.2e} of I_sense", what, t.rows, t.cols, to_string(b), d));
  }
}

}  // namespace

TEST_CASE("nodal read = SPICE read, 1R, every bias scheme, 8x8 to 32x32") {
  for (const auto& [rows, cols] : {std::pair{8, 8}, {16, 24}, {32, 32}}) {
    every_scheme("1R", build_tile_spec(config_from_yaml(yaml(rows, cols, "1R", ""))), rows / 2, cols - 3, 0.2);
    every_scheme(
        "1R r_driver/r_sense TIA",
        build_tile_spec(config_from_yaml(yaml(
            rows, cols, "1R", "periphery: {r_driver: 100, r_sense: 50, sense: tia, tia: {gain: 1e4, r_f: 1k}}\n"))),
        1, 2, 0.2);
  }
  // Sinh devices (Newton on both engines).
  every_scheme("1R sinh",
               build_tile_spec(config_from_yaml(
                   yaml(16, 16, "1R", "", "{g_on: 100u, g_off: 2u, model: sinh, params: {v0: 0.25}}"))),
               5, 7, 0.3);
}

TEST_CASE("nodal read = SPICE read, 1S1R, every bias scheme") {
  for (int n : {8, 16}) every_scheme("1S1R", build_tile_spec(config_from_yaml(yaml(n, n, "1S1R", ""))), n - 2, 1, 1.0);
}

TEST_CASE("nodal read = SPICE read, 1T1R with a level-1 and a BSIM4 card, every bias scheme") {
  (void)table_cache_dir();
  for (const char* card : {"nmos_level1", "nmos"}) {
    const std::string t = fmt::format("transistor: {{model: {}}}\n", card);
    every_scheme(fmt::format("1T1R {}", card), build_tile_spec(config_from_yaml(yaml(8, 8, "1T1R", t))), 3, 4, 0.2);
    // Floating lines at 16x16 are slow in SPICE; the biased schemes are not.
    every_scheme(
        fmt::format("1T1R {} r_driver/r_sense", card),
        build_tile_spec(config_from_yaml(yaml(16, 16, "1T1R", t + "periphery: {r_driver: 100, r_sense: 50}\n"))), 9, 2,
        0.2, {ReadBias::kGrounded, ReadBias::kHalf, ReadBias::kThird});
  }
}

TEST_CASE("nodal read = SPICE read with a per-segment wire spread, every bias scheme") {
  // Each segment its own conductance, together with each line its own
  // terminal (undriven rows, held and floating columns); r_driver = r_sense =
  // 0 fixes the held slots, so the fixed slots' neighbours take their own
  // segment as load.
  for (const char* periphery : {"", "periphery: {r_driver: 100, r_sense: 50}\n"}) {
    const std::string text = fmt::format(
        "tile: {{rows: 16, cols: 16}}\n"
        "device: {{g_on: 100u, g_off: 2u}}\n"
        "weights: {{source: random, seed: 41}}\n"
        "parasitics: {{r_wl: 25, r_bl: 30, r_segment_sigma: 0.8}}\n"
        "montecarlo: {{sample: 3}}\n{}",
        periphery);
    const TileSpec t = build_tile_spec(config_from_yaml(text));
    REQUIRE(!t.r_wl_factor.empty());
    every_scheme(fmt::format("1R spread {}", periphery), t, 6, 11, 0.2);
    // The spread moves the read by far more than the engines' agreement.
    TileSpec flat = t;
    flat.r_wl_factor.clear(), flat.r_bl_factor.clear(), flat.r_gl_factor.clear();
    const ReadSetup s{6, 11, 0.2, ReadBias::kHalf};
    const double spread = solve_read_nodal(t, s).i_sense, nominal = solve_read_nodal(flat, s).i_sense;
    CHECK(std::fabs(spread - nominal) > 1e-4 * std::fabs(nominal));
  }
}

TEST_CASE("read with engine: both reports spice_vs_nodal and the nodal read margin") {
  Config c = config_from_yaml(yaml(16, 16, "1R",
                                   "analysis: {type: read, read: {row: 3, col: 9, bias: floating}}\n"
                                   "simulator: {engine: both}\n"));
  const RunResult r = testing::run_in_process(c);
  REQUIRE(r.read);
  REQUIRE(r.read->nodal);
  REQUIRE(r.read->spice_vs_nodal);
  CHECK(r.read->engine == "spice");
  CHECK(*r.read->spice_vs_nodal <= kTol);
  CHECK(close(r.read->nodal->read_margin, r.read->read_margin, 0, kTol));
  CHECK(close(*r.analysis.metrics.spice_vs_nodal, *r.read->spice_vs_nodal, 0, 0));

  c.simulator.engine = EngineKind::kNodal;
  const RunResult n = testing::run_in_process(c);
  REQUIRE(n.read);
  CHECK(n.read->engine == "nodal");
  CHECK(!n.read->nodal);
  CHECK(n.read->netlist.empty());
  CHECK(close(n.read->stored.i_sense, r.read->nodal->stored.i_sense, 1e-12, 0));
  CHECK(close(n.read->read_margin, r.read->nodal->read_margin, 1e-12, 0));
}

TEST_CASE("nodal read: a floating line with no cell is refused, not solved") {
  TileSpec t = build_tile_spec(config_from_yaml(yaml(3, 3, "1R", "")));
  for (int j = 0; j < 3; ++j) t.g[2 * 3 + j] = 0;  // row 2 has no cell
  CHECK_THROWS_AS(solve_read_nodal(t, ReadSetup{0, 0, 0.2, ReadBias::kFloating}), std::invalid_argument);
  CHECK_NOTHROW(solve_read_nodal(t, ReadSetup{0, 0, 0.2, ReadBias::kHalf}));
}
