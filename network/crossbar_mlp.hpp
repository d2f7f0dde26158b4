#pragma once
// An MLP mapped onto crossbar tiles, and its inference through them.
//
// Mapping of one dense layer (out x in weights W, bias b):
//  - W is scaled by w_scale = max |W| to w in [-1, 1];
//  - the input dimension is cut into row tiles of tile.rows rows, the output
//    dimension into column tiles of `outputs_per_tile` logical columns;
//  - signed weights as a pair of physical columns (2T2R cells, or two 1R
//    columns: G+ = g_off + max(w,0) dG, G- = g_off + max(-w,0) dG, signal
//    I+ - I-) or with an offset reference column (1R: G = g_mid + w dG/2 with
//    g_mid = (g_on + g_off)/2, one column of g_mid per tile, signal I_j - I_ref);
//    dG = g_on - g_off; device levels quantize each device's fraction of dG;
//    variability multiplies every placed conductance by exp(sigma N(0,1));
//  - inputs x >= 0 go through an N-bit DAC to v_read * code / (2^N - 1), with
//    full scale x_max (1 for the first layer, the calibrated activation maximum
//    after it);
//  - each logical column's signal goes through a signed N-bit ADC of full scale
//    adc_fs (per layer): code = round(s / adc_fs * (2^(N-1) - 1)), clipped;
//  - row tiles are summed digitally, rescaled to weight units, bias and ReLU
//    added digitally.
// Calibration (per layer, in order): on the calibration images, adc_fs is the
// largest |signal| of the quantized-ideal layer and x_max of the next layer the
// largest activation it produces, so calibration images never clip.
#include <Eigen/Dense>
#include <functional>
#include <string>
#include <vector>

#include "network/mlp.hpp"
#include "tile/tile_spec.hpp"

namespace xbar {

enum class SignedMapping { kPair, kOffset };

struct MappingOptions {
  int tile_rows = 128, tile_cols = 128;  // physical rows; TileSpec columns (2T2R: logical)
  SignedMapping mapping = SignedMapping::kPair;
  double g_on = 100e-6, g_off = 1e-6;
  int levels = 0;    // 0: analog
  double sigma = 0;  // lognormal variability
  std::uint64_t seed = 1;
  int dac_bits = 8, adc_bits = 8;  // 0: no quantization
  double v_read = 0.2;
};

struct MappedTile {
  int row0 = 0, rows = 0;        // input slice
  int col0 = 0, cols = 0;        // logical output slice
  TileSpec spec;                 // conductances placed; inputs empty
  std::vector<int> plus, minus;  // physical column of each logical column's + and - (or reference)
  double v_full_scale = 0;       // V: the largest input the DAC gives (v_read)
};

struct MappedLayer {
  const DenseLayer* layer = nullptr;
  double w_scale = 1, x_max = 1, adc_fs = 0;
  double signal_per_weight = 0;  // signal (A) of weight 1 at full-scale input
  std::vector<MappedTile> tiles;
};

struct MappedNetwork {
  MappingOptions opt;
  std::vector<MappedLayer> layers;
  int tiles() const;
};

// `base`: the tile's electrical parameters (cell law, wires, periphery,
// transistor) as the config gives them; its g and inputs are not used.
MappedNetwork map_network(const Mlp& net, const TileSpec& base, const MappingOptions& opt);

using Matrix = Eigen::MatrixXd;          // images x width
using Volts = Eigen::Ref<const Matrix>;  // images x a tile's used rows

// What a tile engine gives for a batch of input voltages.
struct TileReadout {
  Matrix signal;         // images x t.cols: I+ - I- (pair) or I_j - I_ref (offset), before the ADC, A
  double power_sum = 0;  // driver power sum_i V_i I_driver,i, summed over the images, W
};

// How a tile is read for a batch of input voltages.  `gram` = volts' volts
// (used rows x used rows), from which linear engines take the driver power
// without a product per image.
using TileEngine = std::function<TileReadout(const MappedTile&, const Volts& volts, const Matrix& gram)>;

// An engine's full answer, which the agreement checks compare: column currents
// (images x physical columns) and, when `driver_power` is not null, each
// image's driver power (W).
using CurrentsEngine = std::function<Matrix(const MappedTile&, const Matrix& volts, Eigen::VectorXd* driver_power)>;

// The readout of solved column currents (engines that solve image by image).
TileReadout readout_of(const MappedTile& t, const Matrix& currents, const Eigen::VectorXd& driver_power);

// The ideal product I = V G with the placed conductances (no circuit).
Matrix ideal_currents(const MappedTile& t, const Matrix& volts, Eigen::VectorXd* driver_power);
TileReadout ideal_readout(const MappedTile& t, const Volts& volts, const Matrix& gram);

// One tile's figures in a pass of a layer against a reference engine on the
// same inputs (before the ADC).
struct TileMetrics {
  double nrmse_vs_ideal = 0;  // rms(signal - reference) / rms(reference) over images and columns
  double max_err_fs = 0;      // max |signal - reference| / (used rows x signal per weight)
  double mean_power = 0;      // driver power, mean over the images, W
};

// Per layer: what one pass gives.
struct LayerOutputs {
  Matrix pre;                      // images x out: before the activation, in weight units
  Matrix post;                     // after bias and activation
  double mean_power = 0;           // driver power summed over the layer's tiles, mean over the images (W)
  std::vector<TileMetrics> tiles;  // with a reference engine: one per tile, in order
};

// DAC codes -> voltages for one layer input.
Matrix dac_volts(const MappedLayer& l, const Matrix& x, const MappingOptions& opt);

// One layer through the tiles with `engine`; adc_fs must be set (0: no ADC).
// With `reference` (and `reference_out`), the same inputs also go through the
// reference engine, and `tiles` compares the two tile by tile.
LayerOutputs run_layer(const MappedLayer& l, const Matrix& x, const MappingOptions& opt, const TileEngine& engine,
                       const TileEngine* reference = nullptr, LayerOutputs* reference_out = nullptr);

// Sets every layer's x_max and adc_fs from the calibration images (rows of x).
void calibrate(MappedNetwork& m, const Matrix& x);

// Pixels (count x features) of a data set as a Matrix.
Matrix as_matrix(const IdxDataset& d);
std::vector<int> argmax_rows(const Matrix& scores);

}  // namespace xbar
