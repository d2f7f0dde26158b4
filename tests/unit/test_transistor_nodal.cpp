// 1T1R and 2T2R tiles with a real access transistor on the nodal engine: the
// transistor's drain current comes from ngspice's own DC sweeps of the card
// (device_tables/), each cell is the device in series with the transistor
// (inner node eliminated per cell), and the result must match the SPICE
// engine on the same tile.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <fmt/format.h>

#include "device_tables/transistor_tables.hpp"
#include "netlist_gen/circuit.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "nodal/nodal_solver.hpp"
#include "runner/spice_engine.hpp"
#include "spice_bridge/simulator.hpp"
#include "support/close.hpp"
#include "support/run_helpers.hpp"

using namespace xbar;
using xbar::testing::close;

namespace {

// Tables of this test go to a folder of its own, never the user's cache.
struct CacheDir {
  std::filesystem::path dir;
  CacheDir() {
    dir = std::filesystem::temp_directory_path() / fmt::format("xbar-test-tables-{}", ::getpid());
    std::filesystem::create_directories(dir);
    ::setenv("XBAR_CACHE_DIR", dir.c_str(), 1);
  }
  ~CacheDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};
const CacheDir& cache_dir() {
  static const CacheDir d;
  return d;
}

std::string tile_yaml(int rows, int cols, const std::string& cell, const std::string& model, const std::string& extra) {
  return fmt::format(
      "tile: {{rows: {}, cols: {}, cell: {}}}\n"
      "device: {{g_on: 100u, g_off: 2u}}\n"
      "weights: {{source: random, seed: 31}}\n"
      "inputs: {{source: random, seed: 32, vectors: 2, v_read: 0.3}}\n"
      "parasitics: {{r_wl: 2.5, r_bl: 3, r_gl: 5}}\n"
      "transistor: {{model: {}}}\n"
      "{}",
      rows, cols, cell, model, extra);
}

TileSpec tile_of(const std::string& yaml) { return build_tile_spec(testing::config_from_yaml(yaml)); }

TileSolution spice(const TileSpec& t) {
  const Circuit c = build_tile_circuit(t);
  return solve_with_spice(t, c, write_spice_netlist(c), testing::shared_simulator());
}

// max over vectors and logical columns of |I_nodal - I_spice| / full scale.
double worst_difference(const TileSpec& t, const TileSolution& n, const TileSolution& s) {
  double worst = 0;
  for (int v = 0; v < t.vectors(); ++v)
    for (int j = 0; j < t.cols; ++j) {
      auto out = [&](const TileSolution& x) {
        const auto& c = x.column_current[v];
        return t.cell == CellKind::k2T2R ? c[t.plus_col(j)] - c[t.minus_col(j)] : c[j];
      };
      worst = std::max(worst, std::abs(out(n) - out(s)) / t.i_full_scale);
    }
  return worst;
}

}  // namespace

TEST_CASE("1T1R and 2T2R with level-1 and BSIM4 transistors: nodal matches SPICE to 1e-5 of full scale") {
  cache_dir();
  const std::string periphery[] = {
      "",
      "periphery: {r_driver: 100, r_sense: 50}\n",
      "periphery: {r_driver: 100, r_sense: 50, sense: tia, tia: {gain: 1e4, r_f: 1k}}\n",
  };
  for (const std::string model : {"nmos_level1", "nmos"})
    for (const std::string cell : {"1T1R", "2T2R"})
      for (const auto& p : periphery) {
        const int rows = 16, cols = cell == "2T2R" ? 8 : 16;
        CAPTURE(model);
        CAPTURE(cell);
        CAPTURE(p);
        const TileSpec t = tile_of(tile_yaml(rows, cols, cell, model, p));
        REQUIRE(t.access_transistors());
        NodalReport rep;
        const TileSolution n = solve_nodal(t, {}, &rep);
        const TileSolution s = spice(t);
        const double d = worst_difference(t, n, s);
        MESSAGE(model, " ", cell, " ", p, " nodal vs spice ", d, " of full scale, ", rep.newton_iterations,
                " Newton steps");
        CHECK(close(d, 0, 0, 1e-5));
        // The junction voltages too (v_mid), where SPICE has them.
        REQUIRE(n.v_mid.size() == s.v_mid.size());
        double worst_mid = 0;
        for (int v = 0; v < t.vectors(); ++v)
          for (std::size_t k = 0; k < s.v_mid[v].size(); ++k)
            worst_mid = std::max(worst_mid, std::abs(n.v_mid[v][k] - s.v_mid[v][k]));
        CHECK(close(worst_mid, 0, 0, 1e-5 * 0.3));
      }
}
