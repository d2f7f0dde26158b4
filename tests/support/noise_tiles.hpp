#pragma once
// The tiles, noise settings and variants shared by the noise test and benchmark
// (tests/unit/test_noise.cpp, bench/noise_vs_spice.cpp), so both check the
// same circuits.
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "config_loader/loader.hpp"
#include "models/device_laws.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "noise/noise_model.hpp"
#include "support/tile_variants.hpp"
#include "tile/tile_spec.hpp"

namespace xbar::testing {

// rows x cols 1R cells uniform in 1-100 uS, one input vector uniform in
// [0, 0.2] V, 2 ohm wire segments.
inline TileSpec random_noise_tile(int rows, int cols, unsigned seed) {
  TileSpec t;
  t.name = "noise";
  t.rows = rows;
  t.cols = cols;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> g(1e-6, 100e-6), v(0.0, 0.2);
  t.g.resize(static_cast<std::size_t>(rows) * t.phys_cols());
  for (double& x : t.g) x = g(rng);
  t.g_intended = t.g;
  t.inputs.assign(1, std::vector<double>(rows));
  for (double& x : t.inputs[0]) x = v(rng);
  t.r_wl = t.r_bl = 2.0;
  t.i_full_scale = rows * 100e-6 * 0.2;
  return t;
}

// Every source beside thermal noise: full shot noise, PCM 1/f read noise,
// amplifier current and voltage noise.
inline void use_every_noise_source(NoiseOptions& o) {
  o.shot_fano = 1.0;
  o.read_q0 = 0.0088;
  o.sense_i_n = 2e-12;
  o.sense_e_n = 5e-9;
}

// A rows x cols tile of `cell` cells (1R, 1T1R, 2T2R, 1S1R) from a config:
// random weights between 2 and 100 uS, one random input vector up to 0.2 V,
// wires, gate lines of 5 ohm per segment, access transistors of card `model`.
inline TileSpec noise_cell_tile(const std::string& cell, int rows, int cols, const std::string& model = "nmos_level1") {
  return build_tile_spec(load_config_text(fmt::format("tile: {{rows: {}, cols: {}, cell: {}}}\n"
                                                      "device: {{g_on: 100u, g_off: 2u}}\n"
                                                      "weights: {{source: random, seed: 31}}\n"
                                                      "inputs: {{source: random, seed: 32, vectors: 1, v_read: 0.2}}\n"
                                                      "parasitics: {{r_wl: 2.5, r_bl: 3, r_gl: 5}}\n"
                                                      "transistor: {{model: {}}}\n",
                                                      rows, cols, cell, model),
                                          "noise_tile.yaml", ".", {}));
}

// The sense and source variants every noise comparison runs on a tile.
struct NoiseVariant {
  std::string name;
  std::function<void(TileSpec&, NoiseOptions&)> apply;
};

inline std::vector<NoiseVariant> noise_variants() {
  return {
      {"virtual ground, thermal", [](TileSpec&, NoiseOptions&) {}},
      {"driver and sense resistors", [](TileSpec& t, NoiseOptions&) { use_driver_and_sense(t); }},
      {"tia", [](TileSpec& t, NoiseOptions&) { use_tia(t); }},
      {"zero wires", [](TileSpec& t, NoiseOptions&) { use_zero_wires(t); }},
      {"every source, virtual ground",
       [](TileSpec& t, NoiseOptions& o) {
         use_driver_and_sense(t);
         use_every_noise_source(o);
       }},
      {"every source, tia",
       [](TileSpec& t, NoiseOptions& o) {
         use_driver_and_sense(t);
         use_tia(t);
         use_every_noise_source(o);
       }},
      {"every source, zero wires and no sense resistor",
       [](TileSpec& t, NoiseOptions& o) {
         use_zero_wires(t);
         use_every_noise_source(o);
       }},
      {"sinh cells at their operating point",
       [](TileSpec& t, NoiseOptions& o) {
         t.model.law = sinh_law(0.1);
         use_driver_and_sense(t);
         use_every_noise_source(o);
       }},
  };
}

}  // namespace xbar::testing
