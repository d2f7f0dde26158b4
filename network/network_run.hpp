#pragma once
// `xbar network` end to end: data, network (trained, cached, or loaded),
// mapping onto the config's tiles, calibration, then the test images through
// the float network, the quantized-ideal tiles and the circuits; energy and
// latency from the same circuits.
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "config_loader/config.hpp"
#include "network/crossbar_mlp.hpp"

namespace xbar {

struct LayerReport {
  int in = 0, out = 0, tiles = 0, row_tiles = 0, col_tiles = 0;
  double w_scale = 0, x_max = 0, adc_fs = 0;
  // Pre-activation outputs, rms(difference) / rms(reference), over the images:
  double nrmse_vs_ideal = 0;  // circuit vs quantized-ideal tiles on the same (circuit) inputs
  double nrmse_vs_float = 0;  // circuit path vs the float network, end to end up to this layer
  double array_energy = 0, dac_energy = 0, adc_energy = 0;      // J per inference (mean over images)
  long long dac_conversions = 0, adc_conversions = 0, ops = 0;  // per inference
  // s: the read window, or (network.latency: transient) the settle time of
  // the layer's worst-case tile (the most summed conductance on its used
  // rows) after a full-scale step on every used row, from a SPICE transient.
  double latency = 0;
  std::string latency_tile;  // the tile the transient ran on (empty: read window)
};

// One tile of one layer (the circuit against the ideal tile on the same inputs).
struct TileReport {
  int layer = 0;  // 1-based
  std::string name;
  int row0 = 0, rows = 0, col0 = 0, cols = 0;  // input slice, logical output slice
  double nrmse_vs_ideal = 0;                   // signals before the ADC, rms(circuit - ideal) / rms(ideal)
  double max_err_fs = 0;      // max |circuit - ideal| / (rows x signal of weight 1 at full-scale input)
  double max_ir_drop_fs = 0;  // every used row at v_read: max over used cells of |V_i - v_cell| / v_read
  double array_energy = 0, dac_energy = 0, adc_energy = 0;  // J per inference
};

struct NetworkResult {
  int images = 0, classes = 0;
  double acc_float = 0, acc_quantized = 0, acc_circuit = 0;
  int decisions_circuit_vs_quantized = 0;         // images where the two pick different classes
  std::vector<std::vector<long long>> confusion;  // [true][circuit]
  std::vector<LayerReport> layers;
  std::vector<TileReport> tiles;  // layer by layer, in mapping order
  std::string engine;             // "transfer" or "per_image"
  std::string model_file;         // the network used (cache or user file; empty for CSV)
  bool trained = false;           // trained in this run
  int transfer_check_images = 0;
  double transfer_check_max_rel = 0;  // transfer vs direct nodal, worst tile
  int spice_images = 0;
  double spice_max_rel = 0;                        // SPICE vs nodal, worst tile
  double energy = 0, latency = 0, tops_per_w = 0;  // per inference
  long long ops = 0;
  double seconds = 0;
};

using NetworkProgress = std::function<void(const std::string&)>;

MappingOptions mapping_options(const Config& c);
// True when the config has a `network:` section (any network.* key set).
bool has_network_section(const Config& c);
// The figures a sweep tabulates, sorted by name.
std::vector<std::pair<std::string, double>> network_metrics(const NetworkResult& r);
NetworkResult run_network(const Config& c, const NetworkProgress& progress = {});

}  // namespace xbar
