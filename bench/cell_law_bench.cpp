// cell_law_bench: the nodal engine's hot loops on sinh cells, where every
// Newton iteration evaluates every cell's current and dI/dV through the
// device law (tile/device_law.hpp).  Times 1R and 1S1R sinh tiles (wires of
// 1 ohm, 4 input vectors), best of REPEATS, wall and CPU seconds, and prints
// a checksum of the column currents so two builds can be compared on the
// same tiles.  Run it with OMP_NUM_THREADS=1 for steady figures.
//   cell_law_bench [SIZE] [REPEATS]     (default 256 5)
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "models/device_laws.hpp"
#include "nodal/nodal_solver.hpp"

using namespace xbar;

namespace {

TileSpec sinh_tile(int n, const char* kind) {
  TileSpec t;
  t.name = "bench";
  t.rows = t.cols = n;
  t.cell = cell_kind(kind);
  std::mt19937 rng(7);
  std::uniform_real_distribution<double> g(1e-6, 100e-6), v(0.0, 0.3);
  t.g.resize(static_cast<std::size_t>(n) * n);
  for (auto& x : t.g) x = g(rng);
  t.inputs.assign(4, std::vector<double>(n));
  for (auto& vec : t.inputs)
    for (auto& x : vec) x = v(rng);
  t.r_wl = t.r_bl = 1.0;
  t.model.law = sinh_law(0.25);
  // A selector that conducts like a 10 kohm resistor near 0.3 V.
  t.selector.law = sinh_law(0.05);  // I = 1e-6 A sinh(V / 0.05 V)
  t.selector.g = 1e-6 / 0.05;
  return t;
}

struct Timing {
  double wall = 1e300, cpu = 1e300, checksum = 0;
  int newton = 0;
};

Timing time_solve(const TileSpec& t, int repeats) {
  Timing best;
  for (int r = 0; r < repeats; ++r) {
    const auto w0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    NodalReport rep;
    const TileSolution s = solve_nodal(t, {}, &rep);
    const double cpu = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - w0).count();
    best.wall = std::min(best.wall, wall);
    best.cpu = std::min(best.cpu, cpu);
    best.newton = rep.newton_iterations;
    best.checksum = 0;
    for (const auto& col : s.column_current)
      for (double i : col) best.checksum += i;
  }
  return best;
}

}  // namespace

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::stoi(argv[1]) : 256;
  const int repeats = argc > 2 ? std::stoi(argv[2]) : 5;
  for (const char* kind : {"1R", "1S1R"}) {
    const Timing t = time_solve(sinh_tile(n, kind), repeats);
    std::printf("%s sinh %dx%d: wall %.4f s, cpu %.4f s (best of %d), newton %d, checksum %.17g\n", kind, n, n, t.wall,
                t.cpu, repeats, t.newton, t.checksum);
  }
  return 0;
}
