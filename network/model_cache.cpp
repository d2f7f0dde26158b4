#include "network/model_cache.hpp"

#include <filesystem>

#include <fmt/format.h>

namespace xbar {

std::string cached_mlp_path(const std::string& cache_dir, const TrainOptions& opt, const std::string& train_images) {
  std::uint64_t h = 1469598103934665603ull;  // FNV-1a, 64 bit
  for (unsigned char c : opt.key(train_images)) h = (h ^ c) * 1099511628211ull;
  return (std::filesystem::path(cache_dir) / fmt::format("mlp-{:016x}.txt", h)).string();
}

Mlp trained_mlp(const IdxDataset& train, const TrainOptions& opt, const std::string& train_images,
                const std::string& cache_dir, bool* trained, const std::function<void(int, double)>& progress) {
  const std::string path = cached_mlp_path(cache_dir, opt, train_images);
  if (std::filesystem::exists(path)) {
    if (trained) *trained = false;
    return load_mlp(path);
  }
  Mlp net = train_mlp(train, opt, progress);
  std::filesystem::create_directories(cache_dir);
  save_mlp(net, path);
  if (trained) *trained = true;
  return net;
}

}  // namespace xbar
