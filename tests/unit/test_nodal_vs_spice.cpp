// The nodal engine against the SPICE engine (embedded ngspice) on the same
// TileSpec: every variant the nodal engine supports, square and rectangular
// tiles up to 32, one vector and a batch (SPICE: a dc sweep of batch sources).
// The unit-sized twin of bench/nodal_vs_spice.
#include <doctest/doctest.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostics.hpp"
#include "models/device_laws.hpp"
#include "netlist_gen/circuit.hpp"
#include "nodal/nodal_solver.hpp"
#include "runner/spice_engine.hpp"
#include "spice_bridge/simulator.hpp"
#include "support/close.hpp"
#include "support/tile_variants.hpp"

using namespace xbar;

namespace {

struct Variant {
  std::string name;
  double absent_fraction = 0;
  std::function<void(TileSpec&)> apply;
};

using testing::use_driver_and_sense;
using testing::use_tia;
using testing::use_zero_wires;

std::vector<Variant> variants() {
  return {
      {"virtual ground", 0.0, [](TileSpec&) {}},
      {"tia", 0.0, use_tia},
      {"r_driver + r_sense", 0.0, use_driver_and_sense},
      {"r_driver + r_sense, tia", 0.0,
       [](TileSpec& t) {
         use_driver_and_sense(t);
         use_tia(t);
       }},
      {"zero wires", 0.0, use_zero_wires},
      {"zero wires, r_driver + r_sense, tia", 0.0,
       [](TileSpec& t) {
         use_zero_wires(t);
         use_driver_and_sense(t);
         use_tia(t);
       }},
      {"absent cells", 0.3, [](TileSpec&) {}},
      {"absent cells, zero wires", 0.3, use_zero_wires},
  };
}

// Inputs in [v_min, 0.3] V.
TileSpec make_tile(int rows, int cols, const Variant& var, bool sinh, int vectors, unsigned seed, double v_min = 0.0) {
  TileSpec t;
  t.name = "t";
  t.rows = rows;
  t.cols = cols;
  t.r_wl = 2.0;
  t.r_bl = 3.0;
  if (sinh) {
    t.model.name = "sinh";
    t.model.law = sinh_law(0.25);
  }
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> g(1e-6, 100e-6), v(v_min, 0.3), u(0.0, 1.0);
  t.g.resize(static_cast<std::size_t>(rows) * cols);
  for (auto& x : t.g) x = u(rng) < var.absent_fraction ? 0.0 : g(rng);
  t.inputs.assign(vectors, std::vector<double>(rows));
  for (auto& vec : t.inputs)
    for (auto& x : vec) x = v(rng);
  var.apply(t);
  return t;
}

// One ngspice session per process (its state is global).
Simulator& simulator() {
  static std::unique_ptr<Simulator> sim = make_ngspice_simulator();
  return *sim;
}

TileSolution spice(const TileSpec& t) {
  const Circuit c = build_tile_circuit(t);
  return solve_with_spice(t, c, write_spice_netlist(c), simulator());
}

double max_abs(const std::vector<double>& v) {
  double m = 0;
  for (double x : v) m = std::max(m, std::abs(x));
  return m;
}

// Every entry within rel of SPICE's; an entry below floor_frac of the largest
// is judged against floor_frac times the largest (a column without cells
// carries only roundoff).
void check_agree(const std::vector<double>& want, const std::vector<double>& got, double rel, double floor_frac,
                 const std::string& what) {
  INFO(what);
  CHECK(xbar::testing::all_close(got, want, rel, rel * floor_frac * max_abs(want)));
}

// Inputs of one sign: no column current is a cancellation, so each is judged
// against itself down to 1e-9 of the largest.  Mixed signs: a column can be the
// difference of much larger currents, and SPICE converges node voltages only to
// reltol (1e-9) of their size, so columns are judged normwise (floor_frac 1:
// against the largest; measured 1.8e-10 of it on a column 1/600 of the largest).
void check_tile(const TileSpec& t, double rel, double floor_frac = 1e-9) {
  const TileSolution s = spice(t);
  const TileSolution n = solve_nodal(t);
  REQUIRE(n.vectors == s.vectors);
  for (int v = 0; v < t.vectors(); ++v) {
    CAPTURE(v);
    check_agree(s.column_current[v], n.column_current[v], rel, floor_frac, "column_current");
    check_agree(s.array_current[v], n.array_current[v], rel, floor_frac, "array_current");
    check_agree(s.driver_current[v], n.driver_current[v], rel, floor_frac, "driver_current");
    // Node voltages normwise: to rel of the largest input.
    const double v_scale = max_abs(t.inputs[v]);
    REQUIRE(xbar::testing::all_close(n.v_wl[v], s.v_wl[v], 0, rel * v_scale));
    REQUIRE(xbar::testing::all_close(n.v_bl[v], s.v_bl[v], 0, rel * v_scale));
  }
}

struct Shape {
  int rows, cols;
};
const Shape kShapes[] = {{1, 1}, {2, 3}, {7, 13}, {16, 16}, {32, 20}, {32, 32}};

}  // namespace

TEST_CASE("linear cells: nodal equals SPICE to 1e-9 for every variant and shape") {
  unsigned seed = 11;
  for (const Variant& var : variants())
    for (const Shape& sh : kShapes) {
      CAPTURE(var.name);
      CAPTURE(sh.rows);
      CAPTURE(sh.cols);
      check_tile(make_tile(sh.rows, sh.cols, var, false, 1, seed++), 1e-9);
    }
}

TEST_CASE("sinh cells (v0 0.25, V <= 0.3): nodal equals SPICE to 1e-7 for every variant and shape") {
  unsigned seed = 101;
  for (const Variant& var : variants())
    for (const Shape& sh : kShapes) {
      CAPTURE(var.name);
      CAPTURE(sh.rows);
      CAPTURE(sh.cols);
      check_tile(make_tile(sh.rows, sh.cols, var, true, 1, seed++), 1e-7);
    }
}

// A law no registry entry has, I = g V (1 + (V / vc)^2), built here as data
// the way a law form in models/device_laws.cpp is: if a new static law needs
// no more than its form, both engines solve it with nothing else changed.
DeviceLaw cubic_law(double vc) {
  DeviceLaw law;
  law.params = {vc};
  law.eval = [](const DeviceLaw::Params& p, double g, double v) {
    const double r = v / p[0];
    return DeviceLaw::Point{g * v * (1 + r * r), g * (1 + 3 * r * r)};
  };
  law.spice_current = [](const DeviceLaw::Params& p, double g, std::string_view v, std::string& out) {
    const std::string vc = fmt::format("{:.17g}", p[0]);
    out += fmt::format("{:.17g} * {} * (1 + ({} / {}) * ({} / {}))", g, v, v, vc, v, vc);
  };
  return law;
}

TEST_CASE("a law built outside the registry (cubic I-V) runs through both engines to 1e-6, 1R and 1S1R") {
  unsigned seed = 301;
  for (const char* kind : {"1R", "1S1R"})
    for (const Variant& var : {variants()[0], variants()[3], variants()[6]})
      for (const Shape& sh : {Shape{7, 13}, Shape{16, 16}}) {
        CAPTURE(kind);
        CAPTURE(var.name);
        CAPTURE(sh.rows);
        TileSpec t = make_tile(sh.rows, sh.cols, var, false, 2, seed++);
        t.cell = cell_kind(kind);
        t.selector.law = sinh_law(0.05);  // I = 1e-6 A sinh(V / 0.05 V): about 10 kohm near 0.3 V
        t.selector.g = 1e-6 / 0.05;
        TileSpec lin = t;
        t.model.name = "cubic";
        t.model.law = cubic_law(0.2);  // V up to 0.3: I up to 3.25 g V
        const auto lines = write_spice_netlist(build_tile_circuit(t));
        const bool cubic_source = std::any_of(lines.begin(), lines.end(), [](const std::string& l) {
          return l.rfind("bc", 0) == 0 && l.find(" * (1 + (v(") != std::string::npos;
        });
        CHECK(cubic_source);
        check_tile(t, 1e-6);
        // The law is what the engines solved: the linear tile differs by far more.
        const TileSolution n = solve_nodal(t), l = solve_nodal(lin);
        CHECK_FALSE(xbar::testing::all_close(n.column_current[0], l.column_current[0], 0.05, 0));
      }
}

TEST_CASE("a batch of mixed-sign vectors (SPICE dc sweep) agrees vector by vector") {
  for (bool sinh : {false, true}) {
    CAPTURE(sinh);
    const Variant var = variants()[3];  // r_driver + r_sense, tia
    check_tile(make_tile(12, 9, var, sinh, 5, sinh ? 7 : 8, -0.3), sinh ? 1e-7 : 1e-9, 1.0);
  }
}

TEST_CASE("the agreement check can fail: a changed cell shows in its column") {
  const Variant var = variants()[0];
  TileSpec t = make_tile(8, 8, var, false, 1, 3);
  const TileSolution s = spice(t);
  t.g[static_cast<std::size_t>(4) * 8 + 5] *= 1.001;
  const TileSolution n = solve_nodal(t);
  const double d = std::abs(n.column_current[0][5] - s.column_current[0][5]) / std::abs(s.column_current[0][5]);
  CHECK(d > 1e-6);
}

TEST_CASE("a transistor tile whose card ngspice cannot find fails as a simulation error naming the model") {
  for (CellKind kind : {cell_kind("1T1R"), cell_kind("2T2R")}) {
    TileSpec t = make_tile(2, 2, variants()[0], false, 1, 5);
    t.cell = kind;
    t.g.assign(static_cast<std::size_t>(t.rows) * t.phys_cols(), 10e-6);
    t.transistor.model = "no_such_card";  // and no model file
    try {
      solve_nodal(t);
      FAIL("transistor tile without a card solved");
    } catch (const SimulationError& e) {
      const std::string msg = e.what();
      CHECK_MESSAGE(msg.find("no_such_card") != std::string::npos, msg);
    }
  }
}
