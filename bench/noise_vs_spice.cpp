// xbar's adjoint noise computation (noise/nodal_noise) against ngspice's
// .noise (noise/spice_noise) on tiles up to 32x32, every variant of
// tests/unit/test_noise.cpp; then the adjoint computation alone on larger
// tiles, timed against the nodal op solve of the same tile.
//
//   build/bench/noise_vs_spice [SIZE...]      (default 16 32)
// PASS/FAIL: every column within 1e-3 of ngspice.  Exit 1 on a miss.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <functional>
#include <string>
#include <vector>

#include "netlist_gen/circuit.hpp"
#include "nodal/nodal_solver.hpp"
#include "noise/nodal_noise.hpp"
#include "noise/spice_noise.hpp"
#include "spice_bridge/simulator.hpp"
#include "support/noise_tiles.hpp"
#include "support/tile_variants.hpp"

using namespace xbar;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

struct Variant {
  const char* name;
  std::function<void(TileSpec&, NoiseOptions&)> apply;
};

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes;
  for (int k = 1; k < argc; ++k) sizes.push_back(std::atoi(argv[k]));
  if (sizes.empty()) sizes = {16, 32};
  const std::vector<Variant> variants = {
      {"virtual ground, thermal", [](TileSpec&, NoiseOptions&) {}},
      {"tia, driver and sense",
       [](TileSpec& t, NoiseOptions&) {
         testing::use_tia(t);
         testing::use_driver_and_sense(t);
       }},
      {"every source, virtual ground",
       [](TileSpec& t, NoiseOptions& o) {
         testing::use_driver_and_sense(t);
         testing::use_every_noise_source(o);
       }},
      {"every source, tia",
       [](TileSpec& t, NoiseOptions& o) {
         testing::use_tia(t);
         testing::use_every_noise_source(o);
       }},
      {"every source, zero wires",
       [](TileSpec& t, NoiseOptions& o) {
         testing::use_zero_wires(t);
         testing::use_every_noise_source(o);
       }},
      {"every source, sinh cells",
       [](TileSpec& t, NoiseOptions& o) {
         t.model.law = CellLaw::kSinh;
         t.model.v0 = 0.1;
         testing::use_every_noise_source(o);
       }},
  };
  auto sim = make_ngspice_simulator();
  bool pass = true;
  std::printf("%-6s %-32s %12s %10s %10s\n", "size", "variant", "worst diff", "xbar s", "ngspice s");
  for (int n : sizes)
    for (const Variant& v : variants) {
      TileSpec t = testing::random_noise_tile(n, n, 7);
      NoiseOptions o;
      v.apply(t, o);
      const Circuit c = build_tile_circuit(t);
      const TileSolution op = solve_nodal(t);
      auto t0 = std::chrono::steady_clock::now();
      const auto nodal = nodal_noise(t, c, op, o);
      const double t_nodal = seconds_since(t0);
      t0 = std::chrono::steady_clock::now();
      const auto spice = spice_noise(t, c, op, 0, o, *sim);
      const double t_spice = seconds_since(t0);
      double worst = 0;
      for (int j = 0; j < t.cols; ++j) {
        const double a = std::sqrt(nodal[static_cast<std::size_t>(j)].power()), b = spice[static_cast<std::size_t>(j)];
        worst = std::max(worst, std::fabs(a - b) / b);
      }
      pass = pass && worst <= 1e-3;
      std::printf("%-6d %-32s %12.3e %10.4f %10.3f\n", n, v.name, worst, t_nodal, t_spice);
    }
  // The adjoint computation alone on larger tiles (one vector, every source).
  std::printf("\n%-6s %12s %12s %12s %8s\n", "size", "op solve s", "noise s", "noise CPU s", "ratio");
  for (int n : {64, 128, 256}) {
    TileSpec t = testing::random_noise_tile(n, n, 3);
    NoiseOptions o;
    testing::use_every_noise_source(o);
    auto t0 = std::chrono::steady_clock::now();
    const TileSolution op = solve_nodal(t);
    const double t_op = seconds_since(t0);
    const Circuit c = build_tile_circuit(t);
    t0 = std::chrono::steady_clock::now();
    const std::clock_t cpu0 = std::clock();
    const auto noise = nodal_noise(t, c, op, o);
    const double t_noise = seconds_since(t0);
    const double cpu_noise = static_cast<double>(std::clock() - cpu0) / CLOCKS_PER_SEC;
    std::printf("%-6d %12.4f %12.4f %12.4f %8.1f\n", n, t_op, t_noise, cpu_noise, t_noise / t_op);
  }
  std::printf("%s: xbar and ngspice within 1e-3 on every column\n", pass ? "PASS" : "FAIL");
  return pass ? 0 : 1;
}
