// Output noise of the columns: closed forms, and xbar's adjoint computation
// (noise/nodal_noise) against ngspice's .noise analysis (noise/spice_noise)
// on small tiles of every supported variant.  The larger tiles (up to 32x32)
// run in bench/noise_vs_spice.
#include <doctest/doctest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "common/diagnostics.hpp"
#include "config_loader/loader.hpp"
#include "netlist_gen/circuit.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "nodal/nodal_solver.hpp"
#include "noise/nodal_noise.hpp"
#include "noise/spice_noise.hpp"
#include "runner/noise_job.hpp"
#include "runner/run_job.hpp"
#include "runner/spice_engine.hpp"
#include "spice_bridge/simulator.hpp"
#include "support/close.hpp"
#include "support/noise_tiles.hpp"
#include "support/run_helpers.hpp"
#include "support/tile_variants.hpp"

using namespace xbar;
using testing::close;
using xbar::testing::shared_simulator;

namespace {

// One input vector's circuit (drivers as plain sources).
Circuit one_vector_circuit(TileSpec t, int vector) {
  t.inputs = {t.inputs.at(static_cast<std::size_t>(vector))};
  return build_tile_circuit(t);
}

}  // namespace

TEST_CASE("noise: a single resistor's thermal noise is 4kT/R over the band") {
  for (double r_sense : {0.0, 3.3e3}) {
    TileSpec t = testing::random_noise_tile(1, 1, 1);
    t.r_wl = t.r_bl = 0.0;
    t.r_sense = r_sense;
    const double r_cell = 1e4;
    t.g = {1.0 / r_cell};
    NoiseOptions o;
    o.f_min = 10.0, o.f_max = 1e7;
    const Circuit c = build_tile_circuit(t);
    const TileSolution op = solve_nodal(t);
    const auto noise = nodal_noise(t, c, op, o);
    REQUIRE(noise.size() == 1);
    // Resistors in series: the current noise of the total resistance.
    const double expected = 4.0 * kBoltzmann * 300.15 / (r_cell + r_sense) * (1e7 - 10.0);
    CHECK(close(noise[0].thermal, expected, 1e-12, 0.0));
    CHECK(close(noise[0].power(), expected, 1e-12, 0.0));
    // ngspice's Boltzmann constant differs from the SI value in the 6th digit.
    const auto spice = spice_noise(t, c, op, 0, o, shared_simulator());
    CHECK(close(spice[0] * spice[0], expected, 1e-4, 0.0));
  }
}

TEST_CASE("noise: each source's closed form on a single cell") {
  TileSpec t = testing::random_noise_tile(1, 1, 2);
  t.r_wl = t.r_bl = 0.0;
  t.g = {20e-6};
  t.inputs = {{0.2}};
  NoiseOptions o;
  o.f_min = 1.0, o.f_max = 1e6;
  o.shot_fano = 1.0;
  o.read_q0 = 0.0088;
  o.sense_i_n = 1e-12;
  o.sense_e_n = 1e-8;
  const Circuit c = build_tile_circuit(t);
  const TileSolution op = solve_nodal(t);
  const auto n = nodal_noise(t, c, op, o)[0];
  const double i = 20e-6 * 0.2;
  const double q = 0.0088 * std::pow(20.0 / 25.0, -0.65);
  CHECK(close(n.shot, 2 * kElementaryCharge * i * (1e6 - 1), 1e-12, 0.0));
  CHECK(close(n.read, q * q * i * i * std::log(1e6), 1e-12, 0.0));
  // i_n straight into the output; e_n across the cell drives e_n g.
  CHECK(close(n.sense, (1e-24 + 1e-16 * 20e-6 * 20e-6) * (1e6 - 1), 1e-12, 0.0));
}

namespace {

using testing::noise_variants;
using testing::NoiseVariant;

// The operating point: ngspice's own for a tile with transistors (the one
// its .noise linearises), the nodal engine's otherwise.  Returns xbar's
// computation.
std::vector<ColumnNoise> check_against_spice(TileSpec t, NoiseOptions o) {
  const Circuit c = one_vector_circuit(t, 0);
  const bool transistors = t.access_transistors();
  t.inputs.resize(1);
  const TileSolution op =
      transistors ? solve_with_spice(t, c, write_spice_netlist(c), shared_simulator()) : solve_nodal(t);
  std::vector<std::vector<MosfetPoint>> mosfets;
  if (transistors) mosfets.push_back(mosfet_points(c, shared_simulator(), o));
  const auto nodal = nodal_noise(t, c, op, o, mosfets);
  const auto spice = spice_noise(t, c, op, 0, o, shared_simulator());
  REQUIRE(spice.size() == static_cast<std::size_t>(t.cols));
  for (int j = 0; j < t.cols; ++j) {
    CAPTURE(j);
    CHECK(close(std::sqrt(nodal[static_cast<std::size_t>(j)].power()), spice[static_cast<std::size_t>(j)], 1e-3, 0.0));
  }
  return nodal;
}

}  // namespace

TEST_CASE("noise: the adjoint computation agrees with ngspice's .noise within 1e-3") {
  for (const auto& [rows, cols] : {std::pair{4, 3}, std::pair{8, 8}}) {
    for (const NoiseVariant& v : noise_variants()) {
      CAPTURE(rows);
      CAPTURE(v.name);
      TileSpec t = testing::random_noise_tile(rows, cols, 7);
      NoiseOptions o;
      v.apply(t, o);
      check_against_spice(t, o);
    }
  }
}

TEST_CASE("noise: differential 2T2R columns with the ideal access switch agree with ngspice") {
  TileSpec t = testing::random_noise_tile(4, 3, 11);
  t.cell = cell_kind("2T2R");
  t.transistor.ideal = true;
  t.g.resize(static_cast<std::size_t>(t.rows) * t.phys_cols(), 50e-6);
  t.g_intended = t.g;
  NoiseOptions o;
  testing::use_every_noise_source(o);
  check_against_spice(t, o);
  testing::use_tia(t);
  check_against_spice(t, o);
}

TEST_CASE("noise: 1T1R and 2T2R tiles with level-1 transistors agree with ngspice's .noise") {
  for (const std::string cell : {"1T1R", "2T2R"}) {
    for (const NoiseVariant& v : noise_variants()) {
      CAPTURE(cell);
      CAPTURE(v.name);
      // 2T2R with sinh cells: ngspice's op of this tile fails the SPICE
      // engine's KCL check (per-column residual 1.25e-6 against 1e-6, with
      // any reltol/abstol), before any noise is computed.
      if (cell == "2T2R" && v.name.starts_with("sinh")) continue;
      TileSpec t = testing::noise_cell_tile(cell, 4, 3);
      NoiseOptions o;
      v.apply(t, o);
      check_against_spice(t, o);
    }
  }
  // Negative inputs: every transistor's drain below its source (ngspice
  // swaps their roles).
  TileSpec t = testing::noise_cell_tile("1T1R", 4, 3);
  for (double& x : t.inputs[0]) x = -x;
  NoiseOptions o;
  testing::use_every_noise_source(o);
  check_against_spice(t, o);
  // One row's gate off: its transistors are open but for ngspice's gmin.
  TileSpec off = testing::noise_cell_tile("1T1R", 4, 3);
  off.transistor.row_on = {true, false, true, true};
  check_against_spice(off, o);
}

TEST_CASE("noise: 1S1R tiles (selector thermal and shot noise) agree with ngspice's .noise") {
  for (const NoiseVariant& v : noise_variants()) {
    CAPTURE(v.name);
    TileSpec t = testing::noise_cell_tile("1S1R", 4, 3);
    NoiseOptions o;
    v.apply(t, o);
    check_against_spice(t, o);
  }
}

// Closed form of one 1T1R cell, level-1 card (vto 0.4, kp 2.9e-4, lambda
// 0.05, Shichman-Hodges), source and bulk at 0 V (no body effect), in the
// linear region: the device g from WL (held at V) to M, the channel from M
// to the virtual ground.  Small signal: M has g + gds to held nodes, the
// output is gds v_M; the device's noise 4kTg reaches it through gds/(g+gds),
// the channel's (2/3) 4kT gm through g/(g+gds).  The operating point and
// gm, gds come from the level-1 equations here, independently of ngspice.
TEST_CASE("noise: a single 1T1R cell with a level-1 transistor matches its closed form") {
  TileSpec t = testing::noise_cell_tile("1T1R", 1, 1);
  t.r_wl = t.r_bl = t.r_gl = 0.0;
  const double g = 50e-6, v = 0.3;
  t.g = {g};
  t.inputs = {{v}};
  const double beta = 2.9e-4 * t.transistor.w / t.transistor.l, vov = t.transistor.v_gate - 0.4, lambda = 0.05;
  auto id = [&](double vds) { return beta * (vov - vds / 2) * vds * (1 + lambda * vds); };
  double lo = 0, hi = v;  // g (v - vds) = id(vds): the left side falls, the right rises
  for (int k = 0; k < 200; ++k) ((id(0.5 * (lo + hi)) > g * (v - 0.5 * (lo + hi))) ? hi : lo) = 0.5 * (lo + hi);
  const double vds = 0.5 * (lo + hi);
  REQUIRE(vds < vov);  // linear region
  const double gds = beta * ((vov - vds) * (1 + lambda * vds) + lambda * (vov - vds / 2) * vds);
  const double gm = beta * vds * (1 + lambda * vds);
  const double kt4 = 4 * kBoltzmann * 300.15, k = g + gds;
  NoiseOptions o;
  const double expected = kt4 * (g * gds * gds + 2.0 / 3.0 * gm * g * g) / (k * k) * (o.f_max - o.f_min);

  const Circuit c = build_tile_circuit(t);
  const TileSolution op = solve_with_spice(t, c, write_spice_netlist(c), shared_simulator());
  const auto n = nodal_noise(t, c, op, o, {mosfet_points(c, shared_simulator(), o)});
  // ngspice's gmin (1e-12 S on each junction) and its op tolerance are far below 1e-6.
  CHECK(close(n[0].thermal, expected, 1e-6, 0.0));
  const auto spice = spice_noise(t, c, op, 0, o, shared_simulator());
  CHECK(close(spice[0] * spice[0], expected, 1e-4, 0.0));  // ngspice's Boltzmann constant
}

// The smallest share of a column's noise power that its transistors' drain
// noise makes (xbar's computation with and without it).
double transistor_share(TileSpec t, const NoiseOptions& o) {
  const Circuit c = one_vector_circuit(t, 0);
  t.inputs.resize(1);
  const TileSolution op = solve_with_spice(t, c, write_spice_netlist(c), shared_simulator());
  std::vector<MosfetPoint> m = mosfet_points(c, shared_simulator(), o);
  const auto with = nodal_noise(t, c, op, o, {m});
  for (MosfetPoint& p : m) p.white = p.flicker = 0;
  const auto without = nodal_noise(t, c, op, o, {m});
  double share = 1;
  for (std::size_t j = 0; j < with.size(); ++j) share = std::min(share, 1 - without[j].power() / with[j].power());
  return share;
}

TEST_CASE("noise: 1T1R and 2T2R tiles with the BSIM4 card agree with ngspice's .noise") {
  // The bundled card's channel noise (tnoimod 0 thermal, fnoimod 1 flicker)
  // comes from ngspice's own model on the characterisation circuit.
  for (const std::string cell : {"1T1R", "2T2R"}) {
    for (const NoiseVariant& v : noise_variants()) {
      CAPTURE(cell);
      CAPTURE(v.name);
      if (v.name.starts_with("sinh")) continue;  // the level-1 test covers sinh cells
      TileSpec t = testing::noise_cell_tile(cell, 4, 3, "nmos");
      NoiseOptions o;
      v.apply(t, o);
      check_against_spice(t, o);
    }
  }
  // Negative inputs (drain below source), one row off, and a band that
  // starts higher (less flicker).
  TileSpec t = testing::noise_cell_tile("1T1R", 4, 3, "nmos");
  for (double& x : t.inputs[0]) x = -x;
  t.transistor.row_on = {true, false, true, true};
  NoiseOptions o;
  testing::use_every_noise_source(o);
  check_against_spice(t, o);
  o.f_min = 1e3;
  check_against_spice(t, o);
  // Cells of 1 mS: the transistors carry more current and their drain noise
  // (mostly flicker) makes most of every column's noise, so a 1 % error in
  // it moves a column's rms by more than the 1e-3 checked.
  for (const std::string cell : {"1T1R", "2T2R"}) {
    CAPTURE(cell);
    TileSpec big = testing::noise_cell_tile(cell, 4, 3, "nmos");
    std::fill(big.g.begin(), big.g.end(), 1e-3);
    big.g_intended = big.g;
    const NoiseOptions plain;
    const double share = transistor_share(big, plain);
    MESSAGE(fmt::format("{} with 1 mS cells: the transistors' share of the noise power {:.3f}", cell, share));
    CHECK(share > 0.5);
    check_against_spice(big, plain);
  }
}

TEST_CASE("noise: the transistor's drain noise is ngspice's on the characterisation circuit") {
  // Level 1 (ngspice's MOS1, nlev 0): thermal (2/3) 4kT gm, flicker none.
  const Circuit c = build_tile_circuit(testing::noise_cell_tile("1T1R", 2, 2));
  NoiseOptions o;
  const auto points = mosfet_points(c, shared_simulator(), o);
  REQUIRE(points.size() == 4u);
  for (const MosfetPoint& p : points) {
    CHECK(close(p.white, 4 * kBoltzmann * 300.15 * 2.0 / 3.0 * std::fabs(p.gm), 1e-4, 0.0));  // ngspice's k
    CHECK(p.flicker == 0.0);
  }
  // BSIM4: flicker noise, its band-equivalent 1/f coefficient the same for
  // any band (fnoimod 1 with ef = 1 is exactly 1/f).
  const Circuit b = build_tile_circuit(testing::noise_cell_tile("1T1R", 2, 2, "nmos"));
  const auto wide = mosfet_points(b, shared_simulator(), o);
  NoiseOptions narrow;
  narrow.f_min = 1e3, narrow.f_max = 1e4;
  const auto high = mosfet_points(b, shared_simulator(), narrow);
  for (std::size_t k = 0; k < wide.size(); ++k) {
    CHECK(wide[k].flicker > 0.0);
    CHECK(wide[k].white > 0.0);
    CHECK(close(high[k].flicker, wide[k].flicker, 1e-9, 0.0));
    CHECK(close(high[k].white, wide[k].white, 1e-9, 0.0));
  }
}

TEST_CASE("noise: a user's card: its flicker noise comes from ngspice, a series resistance node is refused") {
  const std::string dir = fmt::format("/tmp/xbar_noise_card_{}", static_cast<long>(::getpid()));
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/cards.lib") << "* user cards\n"
                                       ".model nkf nmos level=1 vto=0.4 kp=2.9e-4 lambda=0.05 kf=1e-24 af=1\n"
                                       ".model nrd nmos level=1 vto=0.4 kp=2.9e-4 lambda=0.05 rd=200\n";
  auto card = [&](const char* name) { return fmt::format("{}, include: [{}/cards.lib]", name, dir); };
  // Level 1 with kf: ngspice's MOS1 flicker noise, on both sides.
  const TileSpec kf = testing::noise_cell_tile("1T1R", 4, 3, card("nkf"));
  NoiseOptions o;
  for (const MosfetPoint& p : mosfet_points(one_vector_circuit(kf, 0), shared_simulator(), o)) CHECK(p.flicker > 0);
  check_against_spice(kf, o);
  // rd: the channel sits behind an internal drain node.
  try {
    (void)mosfet_points(one_vector_circuit(testing::noise_cell_tile("1T1R", 2, 2, card("nrd")), 0), shared_simulator(),
                        o);
    FAIL("accepted");
  } catch (const SimulationError& e) {
    CHECK(std::string(e.what()).find("(model 'nrd') has noise generator 'rd'") != std::string::npos);
  }
  std::filesystem::remove_all(dir);
}

TEST_CASE("noise: the config refuses an empty band and other analyses at the key, takes transistor tiles") {
  auto messages = [](const std::string& yaml) {
    try {
      check_supported(load_config_text(yaml, "n.yaml", "."));
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string("accepted");
  };
  CHECK(messages("noise: {enabled: true, f_min: 1meg, f_max: 1k}\n")
            .find("n.yaml:1:31: error: 'noise.f_min' (1000000) must be less than 'noise.f_max' (1000)") !=
        std::string::npos);
  CHECK(messages("analysis: {type: tran}\nnoise: {enabled: true}\n")
            .find("n.yaml:2:18: error: noise is computed at the operating point of analysis 'op', not 'tran'") !=
        std::string::npos);
  CHECK(messages("tile: {cell: 1T1R}\nnoise: {enabled: true}\n") == "accepted");
  CHECK(messages("tile: {cell: 1T1R}\ntransistor: {model: ideal}\nnoise: {enabled: true}\n") == "accepted");
  CHECK(messages("tile: {cell: 2T2R}\ntransistor: {model: nmos_level1}\nnoise: {enabled: true}\n") == "accepted");
  CHECK(messages("tile: {cell: 1S1R}\nnoise: {enabled: true}\n") == "accepted");
  CHECK(messages("tile: {rows: 1024, cols: 512}\nnoise: {enabled: true}\n")
            .find("noise is computed for tiles of at most 262144 cells") != std::string::npos);
  CHECK(messages("tile: {rows: 512, cols: 512}\nnoise: {enabled: true}\n") == "accepted");
}

TEST_CASE("noise: a run warns where the network's left-out capacitances may matter") {
  NoiseOptions o;
  auto warned = [&](const TileSpec& t, double f_max, const std::string& what) {
    o.f_max = f_max;
    for (const auto& w : noise_band_warnings(t, o))
      if (w.find(what) != std::string::npos) return true;
    return false;
  };
  const TileSpec transistors = testing::noise_cell_tile("1T1R", 4, 3, "nmos");
  CHECK(warned(transistors, kTransistorCapacitanceBand, "transistors' capacitances"));
  CHECK_FALSE(warned(transistors, 0.99 * kTransistorCapacitanceBand, "transistors' capacitances"));
  CHECK_FALSE(warned(testing::noise_cell_tile("1R", 4, 3), 1e12, "transistors' capacitances"));
  TileSpec lines = testing::noise_cell_tile("1R", 4, 3);
  CHECK_FALSE(warned(lines, 1e6, "line capacitances"));
  lines.c_bl = 1e-15;
  CHECK(warned(lines, 1e6, "line capacitances"));
}
