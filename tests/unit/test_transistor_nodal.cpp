// 1T1R and 2T2R tiles with a real access transistor on the nodal engine: the
// transistor's drain current comes from ngspice's own DC sweeps of the card
// (device_tables/), each cell is the device in series with the transistor
// (inner node eliminated per cell), and the result must match the SPICE
// engine on the same tile.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>

#include <fmt/format.h>

#include "device_tables/bicubic_table.hpp"
#include "device_tables/transistor_tables.hpp"
#include "model_library/model_library.hpp"
#include "netlist_gen/circuit.hpp"
#include "netlist_gen/read_circuit.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "nodal/cell_law.hpp"
#include "nodal/nodal_solver.hpp"
#include "runner/run_job.hpp"
#include "runner/spice_engine.hpp"
#include "spice_bridge/simulator.hpp"
#include "support/close.hpp"
#include "support/run_helpers.hpp"
#include "support/table_cache.hpp"

using namespace xbar;
using xbar::testing::close;

namespace {

const testing::TableCacheDir& cache_dir() { return testing::table_cache_dir(); }

std::string tile_yaml(int rows, int cols, const std::string& cell, const std::string& model, const std::string& extra,
                      double v_read = 0.3) {
  return fmt::format(
      "tile: {{rows: {}, cols: {}, cell: {}}}\n"
      "device: {{g_on: 100u, g_off: 2u}}\n"
      "weights: {{source: random, seed: 31}}\n"
      "inputs: {{source: random, seed: 32, vectors: 2, v_read: {}}}\n"
      "parasitics: {{r_wl: 2.5, r_bl: 3, r_gl: 5}}\n"
      "transistor: {{model: {}}}\n"
      "{}",
      rows, cols, cell, v_read, model, extra);
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
        return t.cell->differential ? c[t.plus_col(j)] - c[t.minus_col(j)] : c[j];
      };
      worst = std::max(worst, std::abs(out(n) - out(s)) / t.i_full_scale);
    }
  return worst;
}

}  // namespace

TEST_CASE("1T1R and 2T2R with level-1 and BSIM4 transistors: nodal matches SPICE to 1e-8 of full scale") {
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
        // Measured 1.8e-10 to 1.3e-9 (before the tables' split at v_d = v_s:
        // 1.3e-7 to 3.3e-7, the interpolation error next to that line).
        CHECK(close(d, 0, 0, 1e-8));
        // The junction voltages too (v_mid), where SPICE has them.
        REQUIRE(n.v_mid.size() == s.v_mid.size());
        double worst_mid = 0;
        for (int v = 0; v < t.vectors(); ++v)
          for (std::size_t k = 0; k < s.v_mid[v].size(); ++k)
            worst_mid = std::max(worst_mid, std::abs(n.v_mid[v][k] - s.v_mid[v][k]));
        CHECK(close(worst_mid, 0, 0, 1e-5 * 0.3));
      }
}

namespace {

// A user card in transistor.include, written to the test's cache folder.
std::string write_card(const std::string& name, const std::string& text) {
  const auto path = cache_dir().dir / name;
  std::ofstream(path) << text;
  return path.string();
}

}  // namespace

TEST_CASE("transistor tables are cached on disk: the same card hits, a changed or corrupt file is rebuilt") {
  cache_dir();
  const std::string file = write_card("card.lib", ".model mycard nmos level=1 vto=0.4 kp=2.9e-4 gamma=0.4 phi=0.8\n");
  // The last `transistor:` line of the YAML wins over the one tile_yaml writes.
  auto tile = [&] {
    std::string y = tile_yaml(4, 4, "1T1R", "mycard", "");
    y.replace(y.find("transistor: {model: mycard}"), 27,
              fmt::format("transistor: {{model: mycard, include: [\"{}\"]}}", file));
    return tile_of(y);
  };
  TransistorTableReport first, again, disk, changed, corrupt;
  const auto t1 = transistor_tables(tile(), &first);
  CHECK_FALSE(first.cache_hit);
  REQUIRE(first.files.size() == 1);
  CHECK(std::filesystem::is_regular_file(first.files[0]));
  transistor_tables(tile(), &again);  // this process's memo
  CHECK(again.cache_hit);
  clear_transistor_table_memo();
  const auto t2 = transistor_tables(tile(), &disk);  // the file
  CHECK(disk.cache_hit);
  CHECK(disk.files == first.files);
  const auto a = t1->drain_current[0]->eval(0.21, 0.03), b = t2->drain_current[0]->eval(0.21, 0.03);
  CHECK(a.f == b.f);
  CHECK(a.f > 0);

  // The card changes (same name, other threshold): a miss, another file, another current.
  write_card("card.lib", ".model mycard nmos level=1 vto=0.45 kp=2.9e-4 gamma=0.4 phi=0.8\n");
  clear_transistor_table_memo();
  const auto t3 = transistor_tables(tile(), &changed);
  CHECK_FALSE(changed.cache_hit);
  CHECK(changed.files != first.files);
  CHECK(t3->drain_current[0]->eval(0.21, 0.03).f < a.f);

  // A corrupt file (one byte flipped) is a miss, rebuilt, never trusted.
  {
    std::fstream f(changed.files[0], std::ios::in | std::ios::out | std::ios::binary);
    f.seekp(200);
    char ch = 0;
    f.read(&ch, 1);
    f.seekp(200);
    ch = static_cast<char>(ch ^ 0x40);
    f.write(&ch, 1);
  }
  clear_transistor_table_memo();
  const auto t4 = transistor_tables(tile(), &corrupt);
  CHECK_FALSE(corrupt.cache_hit);
  CHECK(t4->drain_current[0]->eval(0.21, 0.03).f == t3->drain_current[0]->eval(0.21, 0.03).f);
  TransistorTableReport after;
  clear_transistor_table_memo();
  transistor_tables(tile(), &after);
  CHECK(after.cache_hit);  // the rebuilt file is whole again
}

TEST_CASE("a table file of an earlier format version is a miss and is rebuilt (version 3: one square grid)") {
  cache_dir();
  clear_transistor_table_memo();
  // Inputs up to 0.6 V: a range no other test characterises, so the first call sweeps.
  const TileSpec t = tile_of(tile_yaml(4, 4, "1T1R", "nmos_level1", "", 0.6));
  TransistorTableReport first;
  const double want = transistor_tables(t, &first)->drain_current[0]->eval(0.4, 0.1).f;
  CHECK_FALSE(first.cache_hit);
  REQUIRE(first.files.size() == 1);
  std::string bytes;
  {
    std::ifstream in(first.files[0], std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  // The layout: magic (8 bytes), version (4), points per axis (4), lo (8),
  // step (8), key length (8), key, values, FNV-1a of everything before it (8).
  REQUIRE(bytes.size() > 48);
  std::uint32_t version = 0, n = 0;
  std::memcpy(&version, bytes.data() + 8, 4);
  std::memcpy(&n, bytes.data() + 12, 4);
  CHECK(version == static_cast<std::uint32_t>(kTableFormatVersion));
  std::uint64_t key_len = 0;
  std::memcpy(&key_len, bytes.data() + 32, 8);
  const std::size_t values_at = 40 + key_len;
  REQUIRE(bytes.size() == values_at + static_cast<std::size_t>(n) * n * 8 + 8);
  // A whole, checksummed file of that content and version at the table's name.
  auto write_as = [&](std::string body, std::uint32_t v) {
    std::memcpy(body.data() + 8, &v, 4);
    std::uint64_t h = 14695981039346656037ull;
    for (unsigned char ch : body) h = (h ^ ch) * 1099511628211ull;
    body.append(reinterpret_cast<const char*>(&h), 8);
    std::ofstream(first.files[0], std::ios::binary | std::ios::trunc) << body;
  };
  const std::string body = bytes.substr(0, bytes.size() - 8);
  auto rebuilt = [&](const char* what) {
    CAPTURE(what);
    clear_transistor_table_memo();
    TransistorTableReport rep;
    const auto tables = transistor_tables(t, &rep);
    CHECK_FALSE(rep.cache_hit);
    CHECK(rep.files == first.files);
    CHECK(tables->drain_current[0]->eval(0.4, 0.1).f == want);
    clear_transistor_table_memo();
    transistor_tables(t, &rep);
    CHECK(rep.cache_hit);  // the rebuilt file is the current format
  };
  // The same values marked version 2.
  write_as(body, 2);
  rebuilt("version field 2");
  // Version 2's layout: the drain axis 3n - 2 points (v_s -+ the range).
  write_as(body.substr(0, values_at) + std::string(static_cast<std::size_t>(3 * n - 2) * n * 8, '\0'), 2);
  rebuilt("version 2 layout");
}

TEST_CASE("interpolation error of the drain-current table against ngspice between the grid points") {
  cache_dir();
  // Inside the grid squares: the source at the squares' midpoints, the drain
  // a third of a step further, so v_ds = (k + 1/3) h.  The points next to
  // v_d = v_s (k = 0, -1), where every on cell of a tile sits, are where a
  // spline across that line errs most (the current's second derivative
  // jumps there when ngspice swaps drain and source); measured here also
  // for one square spline in (v_d, v_s) through the same ngspice grid, the
  // tables of before.  Two ranges: 0..0.3 V on drain and source (what the
  // tiles above reach), and the whole range the table serves (its grid less
  // the margins: 0..0.5 V, inputs rounded out to 0.25 V), up to the table's
  // edges, where the splines' end conditions act.
  for (const std::string model : {"nmos_level1", "nmos"}) {
    CAPTURE(model);
    const TileSpec t = tile_of(tile_yaml(4, 4, "1T1R", model, ""));
    const auto tables = transistor_tables(t);
    const DrainCurrentTable& table = tables->at_gate(t.transistor.v_gate);
    const double h = table.step();
    std::vector<std::string> net = {"interpolation check"};
    for (const auto& file : t.transistor.model_files)
      for (auto& line : read_model_library(file)) net.push_back(line);
    net.push_back(fmt::format("mt d g s 0 {} w={:.17g} l={:.17g}", t.transistor.model, t.transistor.w, t.transistor.l));
    net.push_back("vd d 0 dc 0");
    net.push_back(fmt::format("vg g 0 dc {:.17g}", t.transistor.v_gate));
    net.push_back("vs s 0 dc 0");
    // no_mem_check: ngspice 46 otherwise reads /proc/meminfo at every point (half its time here).
    net.push_back(".options no_mem_check reltol=1e-9 vntol=1e-12 abstol=1e-18");
    net.push_back(".end");
    auto& sim = testing::shared_simulator();
    const int n = table.source_points();
    const SimResult sq = sim.run(
        net, fmt::format("dc vd {0:.17g} {1:.17g} {2:.17g} vs {0:.17g} {1:.17g} {2:.17g}", table.lo(), table.hi(), h));
    std::vector<double> square(static_cast<std::size_t>(n) * n);
    REQUIRE(sq.vectors.at("vd#branch").size() == square.size());
    for (std::size_t k = 0; k < square.size(); ++k) square[k] = -sq.vectors.at("vd#branch")[k];
    const BicubicTable across(table.lo(), h, n, square);
    struct Error {
      double worst = 0, near = 0, near_across = 0, i_max = 0;
    };
    // `squares` squares per axis from `start` (a grid point).
    auto measure = [&](double start, int squares) {
      const double first = start + h / 2, last = first + (squares - 1) * h;
      const SimResult r = sim.run(net, fmt::format("dc vd {0:.17g} {1:.17g} {2:.17g} vs {3:.17g} {4:.17g} {2:.17g}",
                                                   first + h / 3, last + h / 3, h, first, last));
      const auto& id = r.vectors.at("vd#branch");
      const auto& vd = r.vectors.at("d");
      const auto& vs = r.vectors.at("s");
      REQUIRE(id.size() == static_cast<std::size_t>(squares) * squares);
      Error e;
      for (std::size_t k = 0; k < id.size(); ++k) {
        const double err = std::abs(table.eval(vd[k], vs[k]).f + id[k]);
        e.worst = std::max(e.worst, err);
        if (std::abs(vd[k] - vs[k]) < h) {
          e.near = std::max(e.near, err);
          e.near_across = std::max(e.near_across, std::abs(across.eval(vd[k], vs[k]).f + id[k]));
        }
        e.i_max = std::max(e.i_max, std::abs(id[k]));
      }
      return e;
    };
    const Error tiles = measure(0.0, 77);  // 0 .. 0.3 V
    const double margin = 8 * h, served = table.hi() - table.lo() - 2 * margin;
    REQUIRE(close(served, 0.5, 0, 1e-12));
    const Error whole = measure(table.lo() + margin, static_cast<int>(std::lround(served / h)));
    for (const auto& [e, range] : {std::pair<Error, std::string>{tiles, "0..0.3 V"},
                                   std::pair<Error, std::string>{whole, "0..0.5 V (the whole table)"}}) {
      MESSAGE(model, ", ", range, ": worst table error ", e.worst, " A = ", e.worst / e.i_max,
              " of the largest current ", e.i_max, " A (grid step ", h, " V); next to v_d = v_s ", e.near / e.i_max,
              ", one spline across it ", e.near_across / e.i_max);
      // The bound the README states (level 1's worst is at its linear /
      // saturation boundary, v_ds = v_gs - v_t, another kink of the card).
      CHECK(close(e.worst / e.i_max, 0, 0, 1e-7));
      // A spline across v_d = v_s errs far more next to it (before the split).
      CHECK(e.near_across > 100 * e.near);
    }
  }
}

TEST_CASE("a transistor cell whose terminals sit at one voltage: its inner node solves the cell's KCL") {
  cache_dir();
  // An unselected cell of a V/2 read: both terminals at V/2, gate at 0 V.
  // The table's drain current includes the drain-bulk junction's (~0.1 pA),
  // so the inner node lies ~1 nV below both terminals; before, Newton was
  // held between them and ended there after 100 steps with the device's
  // current 8-17 % below the transistor's.
  for (const std::string model : {"nmos_level1", "nmos"}) {
    CAPTURE(model);
    const TileSpec t = tile_of(tile_yaml(8, 8, "1T1R", model, "", 0.2));
    const ReadLines lowered = read_lines(t, ReadSetup{0, 0, 0.2, ReadBias::kHalf});
    const auto tables = transistor_tables(lowered.tile);
    const CellTransistors transistors(lowered.tile, *tables);
    const std::vector<double>& g = lowered.tile.g;
    std::vector<double> g_start(g.size());
    for (std::size_t c = 0; c < g.size(); ++c) {
      const double gt = std::max(transistors.eval(c, 0, 0).dd, 0.0);
      g_start[c] = g[c] * gt / (g[c] + gt);
    }
    const nodal_detail::TransistorCells law(lowered.tile.model, g, transistors, g_start);
    const std::size_t c = 3 * 8 + 5;  // row 3: unselected, its gate at 0 V
    const double v = 0.1;
    const nodal_detail::CellResponse r = law.at(c, v, v, NAN);
    const double i_d = transistors.eval(c, r.mid, v).f;
    CHECK(i_d > 1e-15);  // the junction's current: the case this test is about
    CHECK(close(r.i, i_d, 1e-6, 1e-22));
  }
}

TEST_CASE("a 1T1R tile whose inputs are all 0 V converges on the nodal engine (a dark image's tile)") {
  cache_dir();
  // The table's value at 0 V is ngspice's (~1e-34 A, not exactly 0), so the
  // state settles near, not on, exact zeros: Newton's step tolerance takes a
  // floor of 1 uV as its input scale (without it: no convergence in 50 steps).
  for (const std::string model : {"nmos_level1", "nmos"}) {
    CAPTURE(model);
    TileSpec t = tile_of(tile_yaml(8, 8, "1T1R", model, "periphery: {r_driver: 100, r_sense: 50}\n"));
    for (auto& v : t.inputs) std::fill(v.begin(), v.end(), 0.0);
    const TileSolution n = solve_nodal(t);
    for (const auto& col : n.column_current)
      for (double i : col) CHECK(close(i, 0, 0, 1e-15));
  }
}

TEST_CASE("engine both on 1T1R and 2T2R transistor tiles: spice_vs_nodal and KCL of both engines") {
  cache_dir();
  for (const std::string cell : {"1T1R", "2T2R"}) {
    CAPTURE(cell);
    const RunResult r = testing::run_in_process(testing::config_from_yaml(
        tile_yaml(8, 8, cell, "nmos", "simulator: {engine: both}\nperiphery: {r_driver: 100, r_sense: 50}\n")));
    REQUIRE(r.spice.has_value());
    REQUIRE(r.nodal.has_value());
    REQUIRE(r.analysis.metrics.spice_vs_nodal.has_value());
    MESSAGE(cell, " spice_vs_nodal ", *r.analysis.metrics.spice_vs_nodal);
    // Relative per column: 2T2R outputs I+ - I- come near 0, so its bound is
    // looser; against full scale both are far inside 1e-5.
    CHECK(close(*r.analysis.metrics.spice_vs_nodal, 0, 0, cell == "1T1R" ? 1e-5 : 1e-4));
    CHECK(close(worst_difference(r.tile, *r.nodal, *r.spice), 0, 0, 1e-6));
  }
}

TEST_CASE("mixed-sign inputs: cells conduct both ways (drain below source), nodal still matches SPICE") {
  cache_dir();
  for (const std::string model : {"nmos_level1", "nmos"}) {
    CAPTURE(model);
    TileSpec t = tile_of(tile_yaml(8, 8, "1T1R", model, "periphery: {r_driver: 100, r_sense: 50}\n"));
    // Rows alternate +-0.3 V scaled: half the cells see a negative voltage,
    // so their transistor's drain (at the device) sits below its source.
    for (auto& v : t.inputs)
      for (std::size_t i = 0; i < v.size(); ++i) v[i] = (i % 2 ? -0.3 : 0.3) * (0.5 + 0.5 * v[i] / 0.3);
    const TileSolution n = solve_nodal(t), s = spice(t);
    const double d = worst_difference(t, n, s);
    MESSAGE(model, " mixed-sign nodal vs spice ", d, " of full scale");
    CHECK(close(d, 0, 0, 1e-5));
    bool reversed = false;
    for (std::size_t k = 0; k < s.v_mid[0].size(); ++k) reversed = reversed || s.v_mid[0][k] < s.v_bl[0][k] - 1e-3;
    CHECK(reversed);
  }
}

TEST_CASE(
    "bicubic table: derivatives are those of its own value; a smooth surface to 5e-7 at h = 1/64; linear outside") {
  const double lo = -0.25, h = 1.0 / 64;
  const int n = 65;
  auto f = [](double x, double y) { return std::exp(0.8 * x) * std::cos(1.3 * y) + 0.2 * x * y; };
  std::vector<double> values(static_cast<std::size_t>(n) * n);
  for (int iy = 0; iy < n; ++iy)
    for (int ix = 0; ix < n; ++ix) values[static_cast<std::size_t>(iy) * n + ix] = f(lo + ix * h, lo + iy * h);
  const BicubicTable t(lo, h, n, values);
  double worst = 0, worst_dx = 0, worst_dy = 0;
  const double e = 1e-6;
  for (double x = -0.1; x <= 0.7; x += 0.0137)
    for (double y = -0.1; y <= 0.7; y += 0.0191) {
      const auto p = t.eval(x, y);
      worst = std::max(worst, std::abs(p.f - f(x, y)));
      worst_dx = std::max(worst_dx, std::abs(p.dx - (t.eval(x + e, y).f - t.eval(x - e, y).f) / (2 * e)));
      worst_dy = std::max(worst_dy, std::abs(p.dy - (t.eval(x, y + e).f - t.eval(x, y - e).f) / (2 * e)));
    }
  MESSAGE("bicubic: worst value error ", worst, ", derivative vs own finite difference ", worst_dx, " / ", worst_dy);
  CHECK(close(worst, 0, 0, 5e-7));
  CHECK(close(worst_dx, 0, 0, 1e-6));
  CHECK(close(worst_dy, 0, 0, 1e-6));
  // Beyond the grid: the edge value plus the edge slope times the distance.
  const auto edge = t.eval(t.hi(), 0.3), out = t.eval(t.hi() + 0.5, 0.3);
  CHECK(close(out.f, edge.f + 0.5 * edge.dx, 1e-12, 1e-15));
  CHECK(std::isnan(t.eval(NAN, 0.1).f));
}

TEST_CASE("simulator.temperature is in the table key: another temperature misses the cache and moves the current") {
  cache_dir();
  TransistorTableReport at27, at85, again;
  const auto t27 = transistor_tables(tile_of(tile_yaml(4, 4, "1T1R", "nmos", "")), &at27);
  clear_transistor_table_memo();
  const auto t85 = transistor_tables(tile_of(tile_yaml(4, 4, "1T1R", "nmos", "simulator: {temperature: 85}\n")), &at85);
  CHECK_FALSE(at85.cache_hit);
  CHECK(at85.characterised == 1);
  CHECK(at85.files != at27.files);
  // Hotter: lower mobility, less current in strong inversion.
  const double i27 = t27->drain_current[0]->eval(0.21, 0.03).f, i85 = t85->drain_current[0]->eval(0.21, 0.03).f;
  MESSAGE("I_d(0.21 V, 0.03 V) at 27 C ", i27, " A, at 85 C ", i85, " A");
  CHECK(i85 < i27 * 0.99);
  clear_transistor_table_memo();
  transistor_tables(tile_of(tile_yaml(4, 4, "1T1R", "nmos", "simulator: {temperature: 85}\n")), &again);
  CHECK(again.cache_hit);
  CHECK(again.files == at85.files);
}

TEST_CASE("Pelgrom mismatch on the nodal engine: mismatched 1T1R and 2T2R tiles match SPICE to 1e-5 of full scale") {
  cache_dir();
  // a_vt 3.5 mV um and a_beta 1 % um at W/L 0.5/0.1 um: sigma(Vth) 15.7 mV,
  // sigma(beta)/beta 4.5 %, so every cell sits between characterised nodes.
  const std::string transistor = "nmos, a_vt: 3.5e-9, a_beta: 1e-8";  // inside tile_yaml's transistor: {model: ...}
  // 8x8 here (the tables' ngspice sweeps dominate the time); 32x32 in the
  // regression cases t1r_mismatch_32 and t2r_mismatch_32.
  for (const std::string cell : {"1T1R", "2T2R"}) {
    const int rows = 8, cols = cell == "2T2R" ? 4 : 8;
    CAPTURE(cell);
    const TileSpec t =
        tile_of(tile_yaml(rows, cols, cell, transistor, "periphery: {r_driver: 100, r_sense: 50}\n", 0.2));
    REQUIRE(t.delta_vth.size() == static_cast<std::size_t>(rows) * t.phys_cols());
    TransistorTableReport tables;
    transistor_tables(t, &tables);
    NodalReport rep;
    const TileSolution n = solve_nodal(t, {}, &rep);
    const TileSolution s = spice(t);
    const double d = worst_difference(t, n, s);
    MESSAGE(cell, " ", rows, "x", cols, " mismatched: nodal vs spice ", d, " of full scale; ", tables.files.size(),
            " (delvto, mulu0) tables, ", tables.characterised, " characterised in ", tables.seconds, " s");
    CHECK(close(d, 0, 0, 1e-5));
    // The mismatch is really applied: the nominal transistor differs from SPICE's mismatched one.
    TileSpec nominal = t;
    nominal.delta_vth.clear();
    nominal.beta_factor.clear();
    CHECK(worst_difference(t, solve_nodal(nominal), s) > 1e-4);
    // Tables without the mismatch nodes are refused, never read out of range.
    const auto nominal_tables = transistor_tables(nominal);
    NodalOptions wrong;
    wrong.transistor_tables = nominal_tables.get();
    CHECK_THROWS_AS(solve_nodal(t, wrong), std::out_of_range);
  }
}

TEST_CASE("mismatch stencil: 4-point Lagrange weights reproduce cubics; a mix of tables is the mix of their values") {
  for (const double x : {-0.0731, -0.04, 0.0, 0.013, 0.0599}) {
    const LagrangeStencil s = lagrange_stencil(x, 0.02);
    auto cubic = [](double z) { return 1 - 3 * z + 40 * z * z - 700 * z * z * z; };
    double sum = 0, ones = 0;
    for (int a = 0; a < 4; ++a) sum += s.w[a] * cubic((s.k - 1 + a) * 0.02), ones += s.w[a];
    CHECK(close(sum, cubic(x), 1e-12, 1e-14));
    CHECK(close(ones, 1.0, 1e-14, 0));
    CHECK(s.k * 0.02 <= x + 1e-15);
    CHECK(x < (s.k + 1) * 0.02);
  }
  const int n = 9;
  std::vector<double> va(n * n), vb(n * n);
  for (int k = 0; k < n * n; ++k) va[k] = std::sin(0.3 * k), vb[k] = std::cos(0.7 * k);
  const BicubicTable ta(-0.1, 0.05, n, va), tb(-0.1, 0.05, n, vb);
  const BicubicTable* both[] = {&ta, &tb};
  const double w[] = {0.3, -1.7};
  for (const auto& [x, y] : {std::pair{0.013, 0.2}, std::pair{-0.3, 0.11}, std::pair{0.37, 0.5}}) {
    const auto m = BicubicTable::eval_mix(both, w, 2, x, y), a = ta.eval(x, y), b = tb.eval(x, y);
    CHECK(close(m.f, 0.3 * a.f - 1.7 * b.f, 1e-13, 1e-15));
    CHECK(close(m.dx, 0.3 * a.dx - 1.7 * b.dx, 1e-13, 1e-15));
    CHECK(close(m.dy, 0.3 * a.dy - 1.7 * b.dy, 1e-13, 1e-15));
  }
}
