#pragma once
// Trained networks kept on disk so that a run (or a test) trains only once per
// seed, hyper-parameters and training file: the file name is a hash of
// TrainOptions::key().
#include <string>

#include "network/mlp.hpp"

namespace xbar {

// The cached file of these options under `cache_dir`.
std::string cached_mlp_path(const std::string& cache_dir, const TrainOptions& opt, const std::string& train_images);

// Loads the cached network, or trains it and stores it (creating `cache_dir`).
// `trained` tells which happened.
Mlp trained_mlp(const IdxDataset& train, const TrainOptions& opt, const std::string& train_images,
                const std::string& cache_dir, bool* trained = nullptr,
                const std::function<void(int epoch, double loss)>& progress = {});

}  // namespace xbar
