#pragma once
// A small multilayer perceptron (dense layers, ReLU between them, linear last
// layer): trained here with Eigen, saved to and loaded from the `xbar-mlp`
// text format (network/README.md), or loaded from one CSV file per layer.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "network/idx_reader.hpp"

namespace xbar {

struct DenseLayer {
  int in = 0, out = 0;
  std::vector<float> w;  // out x in, row-major: w[o * in + i]
  std::vector<float> b;  // out
  bool relu = false;     // ReLU after the bias (every layer but the last)
};

struct Mlp {
  std::vector<DenseLayer> layers;
  int inputs() const { return layers.empty() ? 0 : layers.front().in; }
  int outputs() const { return layers.empty() ? 0 : layers.back().out; }
};

struct TrainOptions {
  std::vector<int> hidden{256};  // hidden layer widths
  int epochs = 4;
  int batch = 128;
  double learning_rate = 1e-3;  // Adam step size
  std::uint64_t seed = 1;
  // A text that names these options and the training data: the cache key.
  std::string key(const std::string& train_images) const;
};

// Trains with minibatch Adam on softmax cross-entropy; He-normal start.  The
// result depends only on the data and the options (single-threaded, our own
// random numbers).  `progress(epoch)` is called after each epoch.
Mlp train_mlp(const IdxDataset& train, const TrainOptions& opt,
              const std::function<void(int epoch, double loss)>& progress = {});

// The float network's class decision for every image of `data`.
std::vector<int> predict(const Mlp& net, const IdxDataset& data);
double accuracy(const std::vector<int>& predicted, const IdxDataset& data);

// The `xbar-mlp 1` text format.  save_mlp writes atomically; load_mlp reports
// problems as `path:line:col: error: ...` (InputError).
void save_mlp(const Mlp& net, const std::string& path);
Mlp load_mlp(const std::string& path);

// One layer per CSV pair: `weights` has OUT lines of IN values, `bias` one line
// (or one column) of OUT values.  ReLU after every layer but the last.
struct CsvLayerFiles {
  std::string weights, bias;
};
Mlp load_mlp_csv(const std::vector<CsvLayerFiles>& files);

}  // namespace xbar
