// 1,000 input batches on one built tile through the public C++ API
// (xbar::api::Tile): the baseline of bench/python_tile_bench.
// Usage: tile_api_bench CONFIG BATCHES ENGINE; prints "seconds S checksum C".
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "xbar/xbar.hpp"

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: tile_api_bench CONFIG BATCHES ENGINE\n");
    return 2;
  }
  const int batches = std::atoi(argv[2]);
  const std::string engine = argv[3];
  const auto e = engine == "spice" ? xbar::api::Engine::spice : xbar::api::Engine::nodal;
  const xbar::api::Tile tile(xbar::api::Config::from_file(argv[1]), e);
  std::mt19937_64 rng(1);
  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::vector<std::vector<double>> inputs(static_cast<std::size_t>(batches),
                                          std::vector<double>(static_cast<std::size_t>(tile.rows())));
  for (auto& x : inputs)
    for (double& v : x) v = uniform(rng);
  double checksum = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (const auto& x : inputs) {
    const xbar::api::Result r = tile.run(std::vector<std::vector<double>>{x});
    checksum += (e == xbar::api::Engine::spice ? *r.i_spice : *r.i_nodal).data[0];
  }
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("seconds %.6f checksum %.6e\n", s, checksum);
  return 0;
}
