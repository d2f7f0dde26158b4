#pragma once
// The tiles and noise settings shared by the noise test and benchmark
// (tests/unit/test_noise.cpp, bench/noise_vs_spice.cpp), so both check the
// same circuits.
#include <random>
#include <vector>

#include "noise/noise_model.hpp"
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

}  // namespace xbar::testing
