#pragma once
// The noise part of an op job (README "Noise"): every column's output noise
// at the operating point of every input vector, by xbar's adjoint solves, and
// with `noise.spice_check` by ngspice's .noise too.
#include <optional>
#include <string>
#include <vector>

#include "common/diagnostics.hpp"
#include "config_loader/config.hpp"
#include "noise/nodal_noise.hpp"
#include "spice_bridge/simulator.hpp"
#include "tile/tile_solution.hpp"
#include "tile/tile_spec.hpp"

namespace xbar {

struct RunResult;

struct TileNoiseResult {
  NoiseOptions options;
  std::vector<ColumnNoise> columns;      // vector-major, then logical column
  std::vector<double> spice_rms;         // ngspice's rms output noise, same order (spice_check)
  std::optional<double> spice_vs_nodal;  // worst |rms_spice - rms_nodal| / rms_spice (spice_check)
};

// The tile's temperature in kelvin: simulator.temperature (C), the temperature
// the SPICE engine and the tile's conductances use too.
double tile_temperature_k(const Config& config);

NoiseOptions noise_options(const Config& config);

// The largest tile (physical cells) noise is computed for.
inline constexpr long long kMaxNoiseCells = 512LL * 512;

// noise.enabled needs an op analysis of a tile of at most kMaxNoiseCells
// cells.  Access transistors take any .model card: their noise comes from
// ngspice's own model of it (mosfet_points(); a card whose noise sits on
// internal nodes is refused there, when the tile runs).
void check_noise_supported(const Config& config, Diagnostics& d);

// `op`: the primary engine's solution of `tile`.  SPICE runs on `sim` (with
// noise.spice_check, and for a transistor tile's small-signal values).
TileNoiseResult run_noise(const Config& config, const TileSpec& tile, const TileSolution& op, Simulator* sim);

// What the noise network leaves out and where that matters, as warnings for
// the run: the lines' capacitances (when c_wl or c_bl is set) and, above
// kTransistorCapacitanceBand, the access transistors' capacitances.
std::vector<std::string> noise_band_warnings(const TileSpec& tile, const NoiseOptions& options);
// The f_max from which a transistor tile's noise warns: the bundled BSIM4
// card's capacitances changed a 4x3 tile's noise by 1.9e-5 at 100 MHz
// (1.4e-7 at 1 MHz, 1.8e-3 at 1 GHz; growing as f_max^2).
inline constexpr double kTransistorCapacitanceBand = 1e8;

// Signal-to-noise ratio of a column in dB (empty where the signal is 0), and
// its effective number of bits: log2(span / (rms sqrt(12))), the resolution of
// an ideal quantizer over the column's span whose quantization noise (LSB /
// sqrt(12)) equals the noise; span = the full-scale current (twice it for
// signed 2T2R outputs).
std::optional<double> noise_snr_db(double signal, double rms);
double noise_enob(const TileSpec& tile, double rms);

// The noise figures of a run (its noise must have been computed), as
// summary.json and the regression suite name them: the noisiest column's rms
// current and ENOB, the worst SNR over columns with a signal.  The signal of a
// column is the primary engine's current.
struct NoiseSummary {
  double max_i_rms = 0;
  double min_enob = 0;
  std::optional<double> min_snr_db;
};
std::optional<double> noise_signal(const RunResult& r, std::size_t k);  // row k of the column records
NoiseSummary summarize_noise(const RunResult& r);

}  // namespace xbar
