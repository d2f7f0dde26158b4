// Read mode and sneak currents: hand-solved 2x2 and 3x3 reads in every bias
// scheme (zero wire resistance: small resistor networks with closed forms),
// on both engines,
// sneak growth with array size, the V/2 bound, the sneak-path estimate, and
// the MVM error decomposition.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <type_traits>

#include <fmt/format.h>
#include <Eigen/Dense>

#include "analysis/error_decomposition.hpp"
#include "analysis/sneak_paths.hpp"
#include "config_loader/loader.hpp"
#include "netlist_gen/read_circuit.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "runner/read_job.hpp"
#include "runner/run_job.hpp"
#include "support/close.hpp"

using namespace xbar;
using xbar::testing::close;

namespace {

Simulator& simulator() {
  static std::unique_ptr<Simulator> sim = make_ngspice_simulator();
  return *sim;
}

Config cfg(const std::string& yaml) { return load_config_text(yaml, "test.yaml", ".", {}); }

RunResult run(const Config& c) {
  RunContext ctx;
  ctx.simulator = &simulator();
  return run_job(c, ctx);
}

// A linear 1R tile with the given conductances and no wire resistance.
TileSpec tile_of(int R, int C, std::vector<double> g, double r_line = 0.0) {
  TileSpec t;
  t.name = "t";
  t.rows = R;
  t.cols = C;
  t.g = std::move(g);
  t.inputs = {std::vector<double>(R, 0.0)};
  t.r_wl = t.r_bl = r_line;
  return t;
}

// The engine a hand-solved read runs on (the same cases, both engines).
struct OnSpice {};
struct OnNodal {};

template <class Engine = OnSpice>
ReadSample read(const TileSpec& t, int row, int col, double v, ReadBias bias) {
  if constexpr (std::is_same_v<Engine, OnNodal>) return solve_read_nodal(t, ReadSetup{row, col, v, bias});
  const ReadCircuit rc = build_read_circuit(t, ReadSetup{row, col, v, bias});
  return solve_read(rc, simulator(), write_spice_netlist(rc.circuit));
}

double v_cell(const ReadSample& s, int C, int i, int j) {
  const std::size_t k = static_cast<std::size_t>(i) * C + j;
  return s.v_wl[k] - s.v_bl[k];
}

constexpr double kTol = 1e-9;

}  // namespace

TEST_CASE_TEMPLATE("2x2 read, hand-solved, every bias scheme", Engine, OnSpice, OnNodal) {
  // a = G(0,0) selected, b = G(0,1), c = G(1,0), d = G(1,1).
  const double a = 10e-6, b = 20e-6, c = 30e-6, d = 40e-6, V = 0.3;
  const TileSpec t = tile_of(2, 2, {a, b, c, d});

  SUBCASE("floating: one sneak path b-d-c in series") {
    const ReadSample s = read<Engine>(t, 0, 0, V, ReadBias::kFloating);
    const double sneak = V / (1 / b + 1 / d + 1 / c);
    CHECK(close(s.i_cell, a * V, kTol, 0));
    CHECK(close(s.i_sneak, sneak, kTol, 0));
    CHECK(close(s.i_sense, a * V + sneak, kTol, 0));
    CHECK(close(s.sneak_fraction, sneak / (a * V + sneak), kTol, 0));
    // The floating bit line sits at V - sneak/b, the floating word line at sneak/c.
    CHECK(close(v_cell(s, 2, 0, 1), sneak / b, kTol, 0));
    CHECK(close(v_cell(s, 2, 1, 0), sneak / c, kTol, 0));
  }
  SUBCASE("grounded: the half-selected column cell sees 0 V, the row cell the full V") {
    const ReadSample s = read<Engine>(t, 0, 0, V, ReadBias::kGrounded);
    CHECK(close(s.i_sense, a * V, kTol, 0));
    CHECK(close(s.i_sneak, 0, 0, kTol * a * V));
    CHECK(close(v_cell(s, 2, 0, 1), V, kTol, 0));
    CHECK(close(v_cell(s, 2, 1, 0), 0, 0, kTol * V));
  }
  SUBCASE("half: c conducts at V/2 into the sensed line") {
    const ReadSample s = read<Engine>(t, 0, 0, V, ReadBias::kHalf);
    CHECK(close(s.i_sense, a * V + c * V / 2, kTol, 0));
    CHECK(close(s.i_sneak, c * V / 2, kTol, 0));
    CHECK(close(v_cell(s, 2, 0, 1), V / 2, kTol, 0));
    CHECK(close(v_cell(s, 2, 1, 0), V / 2, kTol, 0));
    CHECK(close(v_cell(s, 2, 1, 1), 0, 0, kTol * V));
    CHECK(close(s.max_half_selected_v, V / 2, kTol, 0));
  }
  SUBCASE("third: every unselected cell sees +-V/3") {
    const ReadSample s = read<Engine>(t, 0, 0, V, ReadBias::kThird);
    CHECK(close(s.i_sense, a * V + c * V / 3, kTol, 0));
    CHECK(close(v_cell(s, 2, 0, 1), V / 3, kTol, 0));
    CHECK(close(v_cell(s, 2, 1, 0), V / 3, kTol, 0));
    CHECK(close(v_cell(s, 2, 1, 1), -V / 3, kTol, 0));
    CHECK(close(s.max_unselected_v, V / 3, kTol, 0));
  }
}

TEST_CASE_TEMPLATE("3x3 read of the middle cell, hand-solved, every bias scheme", Engine, OnSpice, OnNodal) {
  const double V = 0.25;
  const std::vector<double> g = {11e-6, 23e-6, 37e-6, 41e-6, 5e-6, 13e-6, 29e-6, 31e-6, 7e-6};
  const TileSpec t = tile_of(3, 3, g);
  const int s_row = 1, s_col = 1;
  const double g_sel = g[4];
  const double column_others = g[1] + g[7];  // the half-selected cells of the sensed column

  SUBCASE("grounded") {
    const ReadSample s = read<Engine>(t, s_row, s_col, V, ReadBias::kGrounded);
    CHECK(close(s.i_sense, g_sel * V, kTol, 0));
  }
  SUBCASE("half") {
    const ReadSample s = read<Engine>(t, s_row, s_col, V, ReadBias::kHalf);
    CHECK(close(s.i_sense, g_sel * V + column_others * V / 2, kTol, 0));
    CHECK(close(s.max_unselected_v, V / 2, kTol, 0));
  }
  SUBCASE("third") {
    const ReadSample s = read<Engine>(t, s_row, s_col, V, ReadBias::kThird);
    CHECK(close(s.i_sense, g_sel * V + column_others * V / 3, kTol, 0));
    CHECK(close(s.max_unselected_v, V / 3, kTol, 0));
    CHECK(close(v_cell(s, 3, 0, 0), -V / 3, kTol, 0));
  }
  SUBCASE("floating, every unselected cell equal: BLs at 3V/5, WLs at 2V/5") {
    // KCL at a floating bit line: g(V - x) + 2g(y - x) = 0; at a floating word
    // line: g(0 - y) + 2g(x - y) = 0, so x = 3V/5, y = 2V/5 and the two
    // floating word lines deliver 2 g y = 4gV/5 into the sensed line.
    const double gu = 17e-6;
    std::vector<double> uniform(9, gu);
    uniform[4] = g_sel;
    const ReadSample s = read<Engine>(tile_of(3, 3, uniform), s_row, s_col, V, ReadBias::kFloating);
    CHECK(close(s.i_sneak, 4 * gu * V / 5, kTol, 0));
    CHECK(close(s.i_sense, g_sel * V + 4 * gu * V / 5, kTol, 0));
    CHECK(close(s.v_bl[0], 3 * V / 5, kTol, 0));  // BL0, a floating bit line
    CHECK(close(s.v_wl[0], 2 * V / 5, kTol, 0));  // WL0, a floating word line
  }
  SUBCASE("floating, distinct cells: the 4-node nodal system solved by hand") {
    // Unknowns: floating BLs 0 and 2, floating WLs 0 and 2.  KCL at each,
    // with WL1 = V and BL1 = 0 held.
    auto G = [&](int i, int j) { return g[static_cast<std::size_t>(i) * 3 + j]; };
    const int bls[2] = {0, 2}, wls[2] = {0, 2};
    Eigen::Matrix4d A = Eigen::Matrix4d::Zero();
    Eigen::Vector4d rhs = Eigen::Vector4d::Zero();
    for (int p = 0; p < 2; ++p) {  // bit line bls[p]: unknown p
      const int j = bls[p];
      A(p, p) = G(0, j) + G(1, j) + G(2, j);
      rhs(p) = G(1, j) * V;
      for (int q = 0; q < 2; ++q) A(p, 2 + q) = -G(wls[q], j);
    }
    for (int q = 0; q < 2; ++q) {  // word line wls[q]: unknown 2 + q
      const int i = wls[q];
      A(2 + q, 2 + q) = G(i, 0) + G(i, 1) + G(i, 2);
      for (int p = 0; p < 2; ++p) A(2 + q, p) = -G(i, bls[p]);
    }
    const Eigen::Vector4d x = A.fullPivLu().solve(rhs);
    const double sneak = G(0, 1) * x(2) + G(2, 1) * x(3);
    const ReadSample s = read<Engine>(t, s_row, s_col, V, ReadBias::kFloating);
    CHECK(close(s.i_sneak, sneak, kTol, 0));
    CHECK(close(s.i_sense, g_sel * V + sneak, kTol, 0));
    CHECK(close(s.v_bl[0], x(0), kTol, 0));
    CHECK(close(s.v_wl[6], x(3), kTol, 0));
  }
}

TEST_CASE("floating read: the sneak fraction grows with the array") {
  double last = 0;
  for (int n : {2, 4, 8, 16, 32}) {
    const RunResult r = run(cfg(fmt::format(
        "tile: {{rows: {0}, cols: {0}}}\nweights: {{source: constant, value: 1}}\nparasitics: {{r_wl: 1, r_bl: 1}}\n"
        "analysis: {{type: read, read: {{row: 0, col: 0, bias: floating}}}}\n",
        n)));
    const double f = r.read->stored.sneak_fraction;
    MESSAGE(fmt::format("{0}x{0} floating, all LRS: sneak fraction {1:.4f}, read margin {2:.4f}", n, f,
                        r.read->read_margin));
    CHECK(f > last);
    last = f;
  }
  CHECK(last > 0.9);
}

TEST_CASE("V/2 holds the half-selected cells at V/2, within the wire drop") {
  const double V = 0.2;
  // 16x16 random pattern: exactly V/2 without wires, and within the largest
  // wire drop (how far any line node strays from its held voltage) with them.
  for (double r_line : {0.0, 2.0}) {
    const Config c =
        cfg(fmt::format("tile: {{rows: 16, cols: 16}}\nparasitics: {{r_wl: {0}, r_bl: {0}}}\n"
                        "analysis: {{type: read, read: {{row: 3, col: 12, v_read: {1}, bias: half}}}}\n",
                        r_line, V));
    const RunResult r = run(c);
    const ReadSample& s = r.read->stored;
    double wire_drop = 0;
    for (int i = 0; i < 16; ++i)
      for (int j = 0; j < 16; ++j) {
        const std::size_t k = static_cast<std::size_t>(i) * 16 + j;
        wire_drop = std::max(wire_drop, std::fabs(s.v_wl[k] - (i == 3 ? V : V / 2)));
        wire_drop = std::max(wire_drop, std::fabs(s.v_bl[k] - (j == 12 ? 0 : V / 2)));
      }
    MESSAGE(fmt::format("r_line {}: max half-selected |v| {:.6f} V, wire drop {:.3e} V", r_line, s.max_half_selected_v,
                        wire_drop));
    CHECK(s.max_unselected_v <= V / 2 + 2 * wire_drop + 1e-12);
    if (r_line == 0) {
      CHECK(close(s.max_half_selected_v, V / 2, kTol, 0));
    } else {
      CHECK(wire_drop > 0);
      CHECK(s.max_half_selected_v > V / 2 - 2 * wire_drop);
    }
  }
}

TEST_CASE("sneak paths: enumeration counts and the estimate against SPICE") {
  SUBCASE("3x3: four 3-cell paths, four more of 5 cells") {
    SneakGraphInput in;
    in.rows = in.cols = 3;
    in.g.assign(9, 1e-5);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    in.row_voltage = {0.2, nan, nan};
    in.col_voltage = {0.0, nan, nan};
    CHECK(find_sneak_paths(in, 3, 10).paths == 4);
    const SneakPathReport five = find_sneak_paths(in, 5, 3);
    CHECK(five.paths == 8);
    CHECK(five.top.size() == 3);
    CHECK(five.top[0].cells.size() == 3);  // the shortest paths carry the most
    CHECK(close(five.top[0].i_est, 0.2 * 1e-5 / 3, 1e-12, 0));
  }
  SUBCASE("2x2 floating: the single path is the whole network (factor 1)") {
    const RunResult r =
        run(cfg("tile: {rows: 2, cols: 2}\nparasitics: {r_wl: 0, r_bl: 0}\n"
                "analysis: {type: read, read: {row: 1, col: 0, v_read: 0.2, bias: floating}}\n"));
    CHECK(r.read->paths.paths == 1);
    CHECK(close(r.read->path_factor.value(), 1.0, kTol, 0));
    CHECK(r.read->paths.top.at(0).text() == "WL1 -(1,1)- BL1 -(0,1)- WL0 -(0,0)- BL0");
  }
  SUBCASE("held lines, no wires: each path is one half-selected cell, exact") {
    const RunResult r =
        run(cfg("tile: {rows: 6, cols: 5}\nparasitics: {r_wl: 0, r_bl: 0}\n"
                "analysis: {type: read, read: {row: 2, col: 3, bias: third}}\n"));
    CHECK(r.read->paths.paths == 5);
    CHECK(close(r.read->path_factor.value(), 1.0, kTol, 0));
  }
  SUBCASE("floating, all LRS: the factor grows with the array (shared cells are counted per path)") {
    // Uniform n x n: the estimate is (n-1)^2 g V / 3; the network's exact sneak
    // conductance is 1 / (2/((n-1) g) + 1/((n-1)^2 g)), so factor = (2n - 1)/3 with no wires.
    for (int n : {2, 3, 4, 8, 16}) {
      const RunResult r = run(cfg(fmt::format(
          "tile: {{rows: {0}, cols: {0}}}\nweights: {{source: constant, value: 1}}\nparasitics: {{r_wl: 0, r_bl: 0}}\n"
          "analysis: {{type: read, read: {{row: 0, col: 0, bias: floating}}}}\n",
          n)));
      const double factor = r.read->path_factor.value();
      MESSAGE(fmt::format("{0}x{0} floating all-LRS: path estimate / SPICE sneak = {1:.4f}", n, factor));
      CHECK(close(factor, (2.0 * n - 1) / 3, 1e-9, 0));
    }
  }
  SUBCASE("floating random pattern with wires: factor stated") {
    for (int n : {4, 8}) {
      const RunResult r =
          run(cfg(fmt::format("tile: {{rows: {0}, cols: {0}}}\nparasitics: {{r_wl: 1, r_bl: 1}}\n"
                              "analysis: {{type: read, read: {{row: 1, col: 2, bias: floating}}}}\n",
                              n)));
      const double factor = r.read->path_factor.value();
      MESSAGE(fmt::format("{0}x{0} floating random: path estimate / SPICE sneak = {1:.4f}", n, factor));
      CHECK(factor >= 1.0);
      CHECK(factor < (2.0 * n - 1) / 3 * 1.5);
    }
  }
}

TEST_CASE("read margin from the LRS and HRS reads (2x2 floating, closed form), both engines") {
  const double V = 0.2, g_on = 100e-6, g_off = 1e-6;
  for (const std::string engine : {"spice", "nodal"}) {
    CAPTURE(engine);
    const RunResult r =
        run(cfg("tile: {rows: 2, cols: 2}\nweights: {source: constant, value: 1}\nparasitics: {r_wl: 0, r_bl: 0}\n"
                "analysis: {type: read, read: {row: 0, col: 0, v_read: 0.2, bias: floating, margin_target: 0.7}}\n"
                "simulator: {engine: " +
                engine + "}\n"));
    CHECK(r.read->engine == engine);
    const double sneak = g_on * V / 3;
    const double lrs = g_on * V + sneak, hrs = g_off * V + sneak;
    CHECK(close(r.read->lrs.i_sense, lrs, kTol, 0));
    CHECK(close(r.read->hrs.i_sense, hrs, kTol, 0));
    CHECK(close(r.read->read_margin, (lrs - hrs) / lrs, kTol, 0));
    CHECK(r.read->margin_ok);  // 0.7425 >= 0.7
  }
}

TEST_CASE("a floating line with no cell is refused") {
  // Row 2 has no cell and no wire resistance joins it to anything.
  const TileSpec t = tile_of(3, 3, {1e-5, 1e-5, 1e-5, 1e-5, 1e-5, 1e-5, 0, 0, 0});
  CHECK_THROWS_WITH_AS(build_read_circuit(t, ReadSetup{0, 0, 0.2, ReadBias::kFloating}),
                       doctest::Contains("no DC path"), std::runtime_error);
  CHECK_NOTHROW(build_read_circuit(t, ReadSetup{0, 0, 0.2, ReadBias::kHalf}));
  CHECK_THROWS_AS(build_read_circuit(t, ReadSetup{3, 0, 0.2, ReadBias::kHalf}), std::invalid_argument);
}

TEST_CASE("read with TIA sensing and driver/sense resistances keeps KCL") {
  const RunResult r =
      run(cfg("tile: {rows: 6, cols: 6}\nparasitics: {r_wl: 1, r_bl: 1}\n"
              "periphery: {r_driver: 50, r_sense: 20, sense: tia, tia: {gain: 1000, r_f: 1k}}\n"
              "analysis: {type: read, read: {row: 5, col: 0, bias: floating}}\n"));
  const ReadSample& s = r.read->stored;
  CHECK(close(s.kcl_residual, 0, 0, 1e-9));
  // Finite gain: the output falls short of the array current by about 1/gain.
  CHECK(s.i_sense < s.i_array);
  CHECK(s.i_sense > s.i_array * (1 - 2e-3));
}

TEST_CASE("MVM error decomposition: e_ir + e_sneak + e_sense adds up to the error") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / fmt::format("xbar_sneak_{}", ::getpid());
  fs::create_directories(dir);
  {
    // Half the rows idle (input 0): with wire resistance their cells conduct
    // backwards, from the raised bit lines into the idle word lines.
    std::ofstream x(dir / "x.csv");
    for (int v = 0; v < 2; ++v)
      for (int i = 0; i < 12; ++i) x << (i % 2 == v ? "0" : "0.8") << (i + 1 < 12 ? "," : "\n");
  }
  const std::string base =
      fmt::format("tile: {{rows: 12, cols: 10}}\ninputs: {{source: file, file: {}}}\n", (dir / "x.csv").string());
  for (const std::string extra :
       {"parasitics: {r_wl: 20, r_bl: 20}\n",
        "parasitics: {r_wl: 20, r_bl: 20}\nperiphery: {sense: tia, tia: {gain: 500, r_f: 1k}}\n",
        "parasitics: {r_wl: 0, r_bl: 0}\n"}) {
    CAPTURE(extra);
    const RunResult r = run(cfg(base + extra));
    const auto parts = decompose_column_errors(r.tile, *r.spice);
    REQUIRE(parts.size() == 20);
    double scale = 0, sneak = 0;
    int reverse = 0;
    for (const auto& c : r.analysis.columns) scale = std::max(scale, std::fabs(c.i_ideal));
    for (std::size_t k = 0; k < parts.size(); ++k) {
      const auto& p = parts[k];
      const auto& col = r.analysis.columns[k];
      CHECK(close(p.error, *col.i_spice - col.i_ideal, 0, 1e-12 * scale));
      CHECK(close(p.e_ir + p.e_sneak + p.e_sense, p.error, 0, 1e-9 * scale));
      sneak += p.e_sneak;
      reverse += p.reverse_cells;
    }
    const bool wires = extra.find("r_wl: 20") != std::string::npos;
    const bool tia = extra.find("tia") != std::string::npos;
    if (wires) {
      CHECK(reverse > 0);
      CHECK(sneak < 0);  // in total, current leaves the bit lines through the idle drivers
      MESSAGE(fmt::format("{} reverse cells; total e_sneak {:.3e} A, largest ideal column {:.3e} A", reverse, sneak,
                          scale));
    } else {
      CHECK(close(sneak, 0, 0, 1e-12 * scale));  // no wires: every idle cell sees exactly 0 V
      for (const auto& p : parts) CHECK(close(p.e_ir, 0, 0, 1e-9 * scale));
    }
    for (const auto& p : parts) CHECK((std::fabs(p.e_sense) > 1e-6 * scale) == tia);
  }
  fs::remove_all(dir);
}

TEST_CASE("1T1R with unselected gates off: the sneak current collapses") {
  // The same all-LRS pattern read as 1R and as 1T1R.  The transistors of the
  // unselected rows are off, so every sneak path (each crosses a cell of an
  // unselected row) is cut.
  const std::string base =
      "tile: {rows: 8, cols: 8, cell: CELL}\nweights: {source: constant, value: 1}\nparasitics: {r_wl: 1, r_bl: 1}\n"
      "transistor: {v_gate: 1.2}\n";
  auto spec = [&](const char* cell) {
    std::string y = base;
    y.replace(y.find("CELL"), 4, cell);
    return build_tile_spec(cfg(y));
  };
  const TileSpec one_r = spec("1R"), one_t = spec("1T1R");
  for (ReadBias bias : {ReadBias::kHalf, ReadBias::kFloating}) {
    CAPTURE(to_string(bias));
    const ReadCircuit rc = build_read_circuit(one_t, ReadSetup{2, 5, 0.2, bias});
    REQUIRE(rc.circuit.count(ElementKind::kMosfet) == 64u);  // one access transistor per cell
    // Floating lines hang on the off transistors' leakage alone: no single
    // ngspice op converges at the requested tolerances; the convergence
    // ladder's relaxed rung does, checked by KCL (test_convergence_ladder).
    const ReadSample r1 = read(one_r, 2, 5, 0.2, bias);
    const ReadSample rt = solve_read(rc, simulator(), write_spice_netlist(rc.circuit));
    MESSAGE(
        fmt::format("8x8 all-LRS {}: 1R sneak {:.4e} A ({:.3f} of the sensed current), 1T1R sneak {:.4e} A, "
                    "ratio {:.3e}",
                    to_string(bias), r1.i_sneak, r1.sneak_fraction, rt.i_sneak, rt.i_sneak / r1.i_sneak));
    CHECK(r1.i_sneak > 0);
    CHECK(close(rt.i_sneak, 0, 0, 1e-3 * r1.i_sneak));
    CHECK(rt.i_cell > 0.1 * r1.i_cell);  // the selected cell still reads
  }
}
