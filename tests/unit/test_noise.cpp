// Output noise of the columns: closed forms, and xbar's adjoint computation
// (noise/nodal_noise) against ngspice's .noise analysis (noise/spice_noise)
// on small tiles of every supported variant.  The larger tiles (up to 32x32)
// run in bench/noise_vs_spice.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "common/diagnostics.hpp"
#include "config_loader/loader.hpp"
#include "netlist_gen/circuit.hpp"
#include "nodal/nodal_solver.hpp"
#include "noise/nodal_noise.hpp"
#include "noise/spice_noise.hpp"
#include "runner/run_job.hpp"
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

struct Variant {
  std::string name;
  std::function<void(TileSpec&, NoiseOptions&)> apply;
};

std::vector<Variant> variants() {
  return {
      {"virtual ground, thermal", [](TileSpec&, NoiseOptions&) {}},
      {"driver and sense resistors", [](TileSpec& t, NoiseOptions&) { testing::use_driver_and_sense(t); }},
      {"tia", [](TileSpec& t, NoiseOptions&) { testing::use_tia(t); }},
      {"zero wires", [](TileSpec& t, NoiseOptions&) { testing::use_zero_wires(t); }},
      {"every source, virtual ground",
       [](TileSpec& t, NoiseOptions& o) {
         testing::use_driver_and_sense(t);
         testing::use_every_noise_source(o);
       }},
      {"every source, tia",
       [](TileSpec& t, NoiseOptions& o) {
         testing::use_driver_and_sense(t);
         testing::use_tia(t);
         testing::use_every_noise_source(o);
       }},
      {"every source, zero wires and no sense resistor",
       [](TileSpec& t, NoiseOptions& o) {
         testing::use_zero_wires(t);
         testing::use_every_noise_source(o);
       }},
      {"sinh cells at their operating point",
       [](TileSpec& t, NoiseOptions& o) {
         t.model.law = CellLaw::kSinh;
         t.model.v0 = 0.1;
         testing::use_driver_and_sense(t);
         testing::use_every_noise_source(o);
       }},
  };
}

void check_against_spice(TileSpec t, NoiseOptions o) {
  const Circuit c = one_vector_circuit(t, 0);
  const TileSolution op = solve_nodal(t);
  const auto nodal = nodal_noise(t, c, op, o);
  const auto spice = spice_noise(t, c, op, 0, o, shared_simulator());
  REQUIRE(spice.size() == static_cast<std::size_t>(t.cols));
  for (int j = 0; j < t.cols; ++j) {
    CAPTURE(j);
    CHECK(close(std::sqrt(nodal[static_cast<std::size_t>(j)].power()), spice[static_cast<std::size_t>(j)], 1e-3, 0.0));
  }
}

}  // namespace

TEST_CASE("noise: the adjoint computation agrees with ngspice's .noise within 1e-3") {
  for (const auto& [rows, cols] : {std::pair{4, 3}, std::pair{8, 8}}) {
    for (const Variant& v : variants()) {
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

TEST_CASE("noise: the config refuses an empty band, other analyses and transistor tiles, at the key") {
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
  CHECK(messages("tile: {cell: 1T1R}\nnoise: {enabled: true}\n").find("noise is computed for 1R tiles") !=
        std::string::npos);
  CHECK(messages("tile: {cell: 1T1R}\ntransistor: {model: ideal}\nnoise: {enabled: true}\n") == "accepted");
  CHECK(messages("tile: {cell: 1S1R}\nnoise: {enabled: true}\n").find("the selector has no small-signal noise model") !=
        std::string::npos);
  CHECK(messages("tile: {rows: 1024, cols: 512}\nnoise: {enabled: true}\n")
            .find("noise is computed for tiles of at most 262144 cells") != std::string::npos);
  CHECK(messages("tile: {rows: 512, cols: 512}\nnoise: {enabled: true}\n") == "accepted");
}
