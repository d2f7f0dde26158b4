#pragma once
// The files of `xbar network` (network/README.md): network.json, layers.csv, tiles.csv,
// confusion.csv, each written whole or not at all.
#include <filesystem>
#include <string>

#include "config_loader/config.hpp"
#include "network/network_run.hpp"

namespace xbar {

std::string network_json(const Config& c, const NetworkResult& r);
void write_network_outputs(const std::filesystem::path& dir, const Config& c, const NetworkResult& r);

}  // namespace xbar
