// xbar's adjoint noise computation (noise/nodal_noise) against ngspice's
// .noise (noise/spice_noise) on tiles up to 32x32 of 1R, 1T1R, 2T2R (level-1
// and BSIM4 transistors, xbar's side taking their small-signal values from
// ngspice's op and their drain noise from ngspice's noise model) and 1S1R
// cells, in the variants of tests/support/noise_tiles.hpp (the
// unit test's); then the adjoint computation alone on larger
// tiles, timed against the nodal op solve of the same tile.
//
//   build/bench/noise_vs_spice [SIZE...] [CELL...] [CARD...] [VARIANT...]   (default 16 32, all)
// CELL: 1R 1T1R 2T2R 1S1R; CARD (transistor tiles): nmos_level1 nmos (BSIM4);
// VARIANT: a variant's name (quoted); any kind given limits the runs to those
// named.
// PASS/FAIL: every column within 1e-3 of ngspice.  Exit 1 on a miss.
#include <algorithm>
#include <cctype>
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
#include "runner/spice_engine.hpp"
#include "spice_bridge/simulator.hpp"
#include "support/noise_tiles.hpp"

using namespace xbar;

namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes;
  std::vector<std::string> cells, cards, names;
  for (int k = 1; k < argc; ++k) {
    const std::string a = argv[k];
    if (std::isdigit(static_cast<unsigned char>(a[0])) && a.find_first_not_of("0123456789") == std::string::npos)
      sizes.push_back(std::atoi(a.c_str()));
    else if (a == "1R" || a == "1T1R" || a == "2T2R" || a == "1S1R")
      cells.push_back(a);
    else if (a == "nmos" || a == "nmos_level1")
      cards.push_back(a);
    else
      names.push_back(a);
  }
  if (cells.empty()) cells = {"1R", "1T1R", "2T2R", "1S1R"};
  if (cards.empty()) cards = {"nmos_level1", "nmos"};
  auto chosen = [&](const std::string& name) {
    return names.empty() || std::find(names.begin(), names.end(), name) != names.end();
  };
  if (sizes.empty()) sizes = {16, 32};
  auto sim = make_ngspice_simulator();
  bool pass = true;
  std::printf("%-6s %-17s %-46s %12s %10s %10s\n", "size", "cell", "variant", "worst diff", "xbar s", "ngspice s");
  // 1R tiles in every variant; transistor and 1S1R tiles in the variants
  // ngspice's op solves for them (2T2R with sinh cells fails the SPICE
  // engine's KCL check, as in tests/unit/test_noise.cpp).
  for (int n : sizes)
    for (const std::string& cell : cells)
      for (const std::string& card : cards)
        for (const testing::NoiseVariant& v : testing::noise_variants()) {
          const bool transistor_cell = cell == "1T1R" || cell == "2T2R";
          if ((cell == "2T2R" && v.name.starts_with("sinh")) || !chosen(v.name)) continue;
          if (!transistor_cell && card != cards.front()) continue;  // the card matters to transistor tiles only
          TileSpec t = cell == "1R" ? testing::random_noise_tile(n, n, 7) : testing::noise_cell_tile(cell, n, n, card);
          const std::string label = transistor_cell ? cell + " " + card : cell;
          NoiseOptions o;
          v.apply(t, o);
          const Circuit c = build_tile_circuit(t);
          const bool transistors = t.access_transistors();
          const TileSolution op = transistors ? solve_with_spice(t, c, write_spice_netlist(c), *sim) : solve_nodal(t);
          auto t0 = std::chrono::steady_clock::now();
          std::vector<std::vector<MosfetPoint>> mosfets;
          if (transistors) mosfets.push_back(mosfet_points(c, *sim, o));
          const auto nodal = nodal_noise(t, c, op, o, mosfets);
          const double t_nodal = seconds_since(t0);
          t0 = std::chrono::steady_clock::now();
          const auto spice = spice_noise(t, c, op, 0, o, *sim);
          const double t_spice = seconds_since(t0);
          double worst = 0;
          for (int j = 0; j < t.cols; ++j) {
            const double a = std::sqrt(nodal[static_cast<std::size_t>(j)].power()),
                         b = spice[static_cast<std::size_t>(j)];
            worst = std::max(worst, std::fabs(a - b) / b);
          }
          pass = pass && worst <= 1e-3;
          std::printf("%-6d %-17s %-46s %12.3e %10.4f %10.3f\n", n, label.c_str(), v.name.c_str(), worst, t_nodal,
                      t_spice);
          std::fflush(stdout);
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
