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
  int levels = 0;                  // 0: analog
  double sigma = 0;                // lognormal variability
  std::uint64_t seed = 1;
  int dac_bits = 8, adc_bits = 8;  // 0: no quantization
  double v_read = 0.2;
};

struct MappedTile {
  int row0 = 0, rows = 0;  // input slice
  int col0 = 0, cols = 0;  // logical output slice
  TileSpec spec;           // conductances placed; inputs empty
  std::vector<int> plus, minus;  // physical column of each logical column's + and - (or reference)
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

using Matrix = Eigen::MatrixXd;  // images x width

// How tile column currents are obtained for a batch of input voltages
// (images x tile rows) -> (images x physical columns).  `driver_power`, when
// not null, receives sum_i V_i I_driver,i per image (W).
using TileEngine = std::function<Matrix(const MappedTile&, const Matrix& volts, Eigen::VectorXd* driver_power)>;

// The ideal product I = V G with the placed conductances (no circuit).
Matrix ideal_currents(const MappedTile& t, const Matrix& volts, Eigen::VectorXd* driver_power);

// Per layer: what one pass gives.
struct LayerOutputs {
  Matrix pre;     // images x out: before the activation, in weight units
  Matrix post;    // after bias and activation
  Eigen::VectorXd array_power;  // images: driver power summed over the layer's tiles (W)
};

// DAC codes -> voltages for one layer input.
Matrix dac_volts(const MappedLayer& l, const Matrix& x, const MappingOptions& opt);

// One layer through the tiles with `engine`; adc_fs must be set (0: no ADC).
LayerOutputs run_layer(const MappedLayer& l, const Matrix& x, const MappingOptions& opt, const TileEngine& engine);

// Sets every layer's x_max and adc_fs from the calibration images (rows of x).
void calibrate(MappedNetwork& m, const Matrix& x);

// Pixels (count x features) of a data set as a Matrix.
Matrix as_matrix(const IdxDataset& d);
std::vector<int> argmax_rows(const Matrix& scores);

}  // namespace xbar
