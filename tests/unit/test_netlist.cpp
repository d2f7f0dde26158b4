// Netlist generation: tile building, circuit IR, SPICE text, graph checks.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <random>

#include "config_loader/loader.hpp"
#include "models/device_laws.hpp"
#include "netlist_gen/circuit.hpp"
#include "netlist_gen/portable_random.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "support/close.hpp"

using namespace xbar;
using xbar::testing::close;

namespace {

Config cfg(const std::string& yaml, std::vector<std::string> sets = {}) {
  return load_config_text(yaml, "test.yaml", ".", sets);
}

TileSpec small_tile(int R, int C) {
  TileSpec t;
  t.name = "t";
  t.rows = R;
  t.cols = C;
  t.g.assign(static_cast<std::size_t>(R) * C, 0x1p-16);  // exact in binary: R = 65536 ohm
  t.inputs = {std::vector<double>(R, 0.1)};
  t.r_wl = 1;
  t.r_bl = 2;
  t.r_driver = 10;
  t.r_sense = 5;
  return t;
}

bool has_line(const std::vector<std::string>& lines, const std::string& s) {
  return std::find(lines.begin(), lines.end(), s) != lines.end();
}

}  // namespace

TEST_CASE("portable random: the standard's mt19937_64 sequence and our conversions") {
  // The C++ standard fixes the 10000th output of a default-seeded mt19937_64.
  std::mt19937_64 e;
  e.discard(9999);
  CHECK(e() == 9981545732273789042ull);
  PortableRandom r(5489);  // the default seed
  std::mt19937_64 e2(5489);
  CHECK(r.uniform() == static_cast<double>(e2() >> 11) * 0x1.0p-53);
  // Mean 0 and variance 1 within 4 standard errors of a million draws (1/sqrt(N)
  // and sqrt(2/N)): a 1 % error in the spread (2 % in the variance) fails.
  constexpr int kDraws = 1000000;
  double sum = 0, sq = 0;
  PortableRandom n(7);
  for (int k = 0; k < kDraws; ++k) {
    const double x = n.normal();
    sum += x;
    sq += x * x;
  }
  CHECK(close(sum / kDraws, 0.0, 0, 4 / std::sqrt(kDraws)));
  CHECK(close(sq / kDraws, 1.0, 0, 4 * std::sqrt(2.0 / kDraws)));
}

TEST_CASE("element counts and names of a 1R tile with every resistance present") {
  const TileSpec t = small_tile(3, 4);
  const Circuit c = build_tile_circuit(t);
  CHECK(c.count(ElementKind::kCell) == 12);
  // drivers 3 + word lines 3*3 + bit lines 4*2 + sense 4
  CHECK(c.count(ElementKind::kResistor) == 3 + 9 + 8 + 4);
  CHECK(c.count(ElementKind::kVoltageSource) == 3 + 4);
  CHECK(check_circuit_graph(c, t).ok());
  const auto lines = write_spice_netlist(c);
  CHECK(lines.front().rfind("xbar t 3x4 1R", 0) == 0);
  CHECK(lines.back() == ".end");
  CHECK(has_line(lines, "vd0 in0 0 dc 0.10000000000000001"));
  CHECK(has_line(lines, "rw0_1 wl0_0 wl0_1 1"));
  CHECK(has_line(lines, "rc2_3 wl2_3 bl2_3 65536"));
  CHECK(has_line(lines, "rb1_0 bl0_0 bl1_0 2"));
  CHECK(has_line(lines, "rs0 bl2_0 s0 5"));
  CHECK(has_line(lines, "vs0 s0 0 dc 0"));
  CHECK(std::any_of(lines.begin(), lines.end(), [](const std::string& l) { return l.rfind(".options klu", 0) == 0; }));
}

TEST_CASE("zero resistances merge nodes instead of placing 0-ohm elements") {
  TileSpec t = small_tile(3, 4);
  t.r_wl = 0;
  t.r_driver = 0;
  t.r_sense = 0;
  const Circuit c = build_tile_circuit(t);
  for (const auto& e : c.elements)
    if (e.kind == ElementKind::kResistor) CHECK(e.value > 0);
  CHECK(c.count(ElementKind::kResistor) == 8);  // bit lines only
  // Every cell of row 1 hangs from the driver node itself.
  for (int j = 0; j < 4; ++j) CHECK(c.map.wl_at(1, j) == c.map.wl_at(1, 0));
  CHECK(c.node_names[c.map.wl_at(1, 0)] == "in1");
  CHECK(check_circuit_graph(c, t).ok());
}

TEST_CASE("absent cells are left out, and a tile of several vectors uses batch sources") {
  TileSpec t = small_tile(2, 2);
  t.g[1] = 0.0;
  t.inputs = {{0.1, 0.2}, {0.3, 0.0}, {0.05, 0.07}};
  const Circuit c = build_tile_circuit(t);
  CHECK(c.count(ElementKind::kCell) == 3);
  CHECK(c.count(ElementKind::kBatchSource) == 2);
  CHECK(analysis_command(c) == "dc vidx 0 2 1");
  CHECK(check_circuit_graph(c, t).ok());
  const auto lines = write_spice_netlist(c);
  CHECK(has_line(lines, "bd1 in1 0 v = pwl(v(idx)"));
  CHECK(has_line(lines, "+, 0, 0.20000000000000001, 1, 0, 2, 0.070000000000000007)"));
}

TEST_CASE("sinh cells become behavioural current sources with the same small-signal conductance") {
  TileSpec t = small_tile(1, 1);
  t.model.name = "sinh";
  t.model.law = sinh_law(0.25);
  const auto lines = write_spice_netlist(build_tile_circuit(t));
  CHECK(has_line(lines, "bc0_0 wl0_0 bl0_0 i = 3.814697265625e-06 * sinh(v(wl0_0, bl0_0) / 0.25)"));
  CHECK(close(t.model.conductance(1e-5, 0.0), 1e-5, 1e-15, 0));
  CHECK(close(t.model.current(1e-5, 0.25), 1e-5 * 0.25 * std::sinh(1.0), 1e-15, 0));
}

TEST_CASE("the graph check finds a floating node and wrong element counts") {
  const TileSpec t = small_tile(2, 2);
  Circuit c = build_tile_circuit(t);
  CHECK(check_circuit_graph(c, t).ok());
  Circuit broken = c;
  const NodeId lost = broken.add_node("lost");
  Element e;
  e.kind = ElementKind::kCapacitor;  // no DC path
  e.name = "cx";
  e.nodes = {lost, kGround};
  e.value = 1e-15;
  broken.elements.push_back(e);
  const auto r = check_circuit_graph(broken, t);
  CHECK_FALSE(r.ok());
  CHECK(std::any_of(r.problems.begin(), r.problems.end(),
                    [](const std::string& p) { return p.find("lost has no DC path") != std::string::npos; }));
  Circuit missing = c;
  missing.elements.erase(std::find_if(missing.elements.begin(), missing.elements.end(),
                                      [](const Element& x) { return x.kind == ElementKind::kCell; }));
  CHECK_FALSE(check_circuit_graph(missing, t).ok());
}

TEST_CASE("the writer refuses unsafe names and options") {
  TileSpec t = small_tile(1, 1);
  Circuit c = build_tile_circuit(t);
  c.elements[0].name = "r1\n.control";
  CHECK_THROWS(write_spice_netlist(c));
  Circuit d = build_tile_circuit(t);
  d.options.emplace_back("gmin", "1e-12\nshell");
  CHECK_THROWS(write_spice_netlist(d));
}

TEST_CASE("the writer refuses a duplicate element name, naming the first one repeated") {
  Circuit c = build_tile_circuit(small_tile(3, 3));
  CHECK_NOTHROW(write_spice_netlist(c));
  auto name_of = [&](ElementKind kind, int row, int col) -> std::string& {
    return std::find_if(c.elements.begin(), c.elements.end(),
                        [&](const Element& e) { return e.kind == kind && e.row == row && e.col == col; })
        ->name;
  };
  // Two repeats: the one met first in element order is reported.
  name_of(ElementKind::kCell, 2, 2) = "rc0_0";
  name_of(ElementKind::kCell, 1, 1) = "rc0_1";
  try {
    write_spice_netlist(c);
    FAIL("a duplicate name was accepted");
  } catch (const std::invalid_argument& e) {
    CHECK(std::string(e.what()) == "duplicate element name 'rc0_1'");
  }
  // Problems are reported in element order: a repeated name before an unsafe
  // one comes first, and an unsafe name before a repeat.
  auto first_problem = [](const Circuit& x) {
    try {
      write_spice_netlist(x);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("none");
  };
  name_of(ElementKind::kCell, 2, 1) = "bad name";
  CHECK(first_problem(c) == "duplicate element name 'rc0_1'");
  name_of(ElementKind::kCell, 0, 0) = "Bad";
  CHECK(first_problem(c) == "unsafe element name 'Bad'");
}

// The whole text of two small netlists, byte for byte as `xbar gen` wrote
// them before the writer was made faster: values that repeat and change
// from line to line, 17 digits, exponents, batch and behavioural sources, a
// TIA, a temperature.  The netlist is part of the interface: any change to
// its characters must show here.
namespace {
std::string netlist_text(const std::string& yaml) {
  const TileSpec t = build_tile_spec(cfg(yaml));
  Circuit c = build_tile_circuit(t);
  const std::string command = analysis_command(c);
  std::string text;
  for (const auto& line : write_standalone_netlist({std::move(c), command})) text += line + '\n';
  return text;
}
}  // namespace

TEST_CASE("the netlist of a small tile, character for character") {
  CHECK(netlist_text(R"(name: golden
tile: {rows: 2, cols: 3, cell: 1R}
device: {model: linear, g_on: 100u, g_off: 1u, variability: {sigma: 0.1, seed: 3}}
weights: {source: random, seed: 1}
inputs: {source: random, seed: 2, vectors: 1, kind: voltage}
parasitics: {r_wl: 1, r_bl: 0.5}
periphery: {r_driver: 10, r_sense: 5, sense: virtual_ground}
)") == R"(xbar golden 2x3 1R
vd0 in0 0 dc 0.90360402619399427
rd0 in0 wl0_0 10
vd1 in1 0 dc 0.8502361395758099
rd1 in1 wl1_0 10
rw0_1 wl0_0 wl0_1 1
rw0_2 wl0_1 wl0_2 1
rw1_1 wl1_0 wl1_1 1
rw1_2 wl1_1 wl1_2 1
rc0_0 wl0_0 bl0_0 67672.057255026943
rc0_1 wl0_1 bl0_1 62278.949501630857
rc0_2 wl0_2 bl0_2 23213.969559084493
rc1_0 wl1_0 bl1_0 298252.79013426538
rc1_1 wl1_1 bl1_1 29989.752815551103
rc1_2 wl1_2 bl1_2 10094.565470478996
rb1_0 bl0_0 bl1_0 0.5
rb1_1 bl0_1 bl1_1 0.5
rb1_2 bl0_2 bl1_2 0.5
rs0 bl1_0 s0 5
vs0 s0 0 dc 0
rs1 bl1_1 s1 5
vs1 s1 0 dc 0
rs2 bl1_2 s2 5
vs2 s2 0 dc 0
.options klu reltol=1e-9 vntol=1e-12 abstol=1e-18
.save bl0_0 bl0_1 bl0_2 bl1_0 bl1_1 bl1_2 s0 s1 s2 vd0#branch vd1#branch vs0#branch vs1#branch vs2#branch wl0_0 wl0_1 wl0_2 wl1_0 wl1_1 wl1_2
.op
.print op i(vs0) i(vs1) i(vs2)
.end
)");
  CHECK(netlist_text(R"(name: golden
tile: {rows: 2, cols: 2, cell: 1S1R}
device: {model: sinh, g_on: 100u, g_off: 1u}
weights: {source: random, seed: 1}
inputs: {source: random, seed: 2, vectors: 2}
parasitics: {r_wl: 1, r_bl: 0}
periphery: {sense: tia}
simulator: {temperature: 85}
)") == R"(xbar golden 2x2 1S1R
vidx idx 0 dc 0
bd0 in0 0 v = pwl(v(idx)
+, 0, 0.18072080523879885, 1, 0.15676409308042963)
bd1 in1 0 v = pwl(v(idx)
+, 0, 0.170047227915162, 1, 0.18506342002308157)
rw0_1 in0 wl0_1 1.2201888445439502
rw1_1 in1 wl1_1 1.2201888445439502
bc0_0 in0 m0_0 i = 4.0351758203686498e-06 * sinh(v(in0, m0_0) / 0.29999999999999999)
bs0_0 m0_0 bl0_0 i = 2.0000000400000007e-12 * sinh(v(m0_0, bl0_0) / 0.054286810296847635)
bc0_1 wl0_1 m0_1 i = 4.1060936173310929e-06 * sinh(v(wl0_1, m0_1) / 0.29999999999999999)
bs0_1 m0_1 bl0_1 i = 2.0000000400000007e-12 * sinh(v(m0_1, bl0_1) / 0.054286810296847635)
bc1_0 in1 m1_0 i = 1.2929025917010314e-05 * sinh(v(in1, m1_0) / 0.29999999999999999)
bs1_0 m1_0 bl0_0 i = 2.0000000400000007e-12 * sinh(v(m1_0, bl0_0) / 0.054286810296847635)
bc1_1 wl1_1 m1_1 i = 8.7232849182924728e-07 * sinh(v(wl1_1, m1_1) / 0.29999999999999999)
bs1_1 m1_1 bl0_1 i = 2.0000000400000007e-12 * sinh(v(m1_1, bl0_1) / 0.054286810296847635)
ea0 o0 0 0 bl0_0 10000
rf0 bl0_0 o0 1000
ea1 o1 0 0 bl0_1 10000
rf1 bl0_1 o1 1000
.options klu reltol=1e-9 vntol=1e-12 abstol=1e-18 temp=85
.save bd0#branch bd1#branch bl0_0 bl0_1 in0 in1 m0_0 m0_1 m1_0 m1_1 o0 o1 wl0_1 wl1_1
.dc vidx 0 1 1
.print dc v(o0) v(o1)
.end
)");
}

TEST_CASE("weights: seeded random is reproducible; quantization and variability") {
  const std::string base = "tile: {rows: 4, cols: 5}\n";
  const TileSpec a = build_tile_spec(cfg(base));
  const TileSpec b = build_tile_spec(cfg(base));
  CHECK(a.g == b.g);
  CHECK(a.inputs == b.inputs);
  const TileSpec other = build_tile_spec(cfg(base + "weights: {seed: 9}\n"));
  CHECK(other.g != a.g);
  for (double g : a.g) CHECK((g >= 1e-6 && g <= 100e-6));
  for (double v : a.inputs[0]) CHECK((v >= 0.0 && v <= 0.2));

  const TileSpec q = build_tile_spec(cfg(base + "device: {levels: 3}\n"));
  for (double g : q.g) {
    const bool on_level = close(g, 1e-6, 1e-12, 0) || close(g, 50.5e-6, 1e-12, 0) || close(g, 100e-6, 1e-12, 0);
    CHECK(on_level);
  }
  const TileSpec v = build_tile_spec(cfg(base + "device: {variability: {sigma: 0.1, seed: 3}}\n"));
  double max_ratio = 0;
  for (std::size_t k = 0; k < a.g.size(); ++k) max_ratio = std::max(max_ratio, std::fabs(std::log(v.g[k] / a.g[k])));
  CHECK(max_ratio > 0.0);
  CHECK(max_ratio < 0.6);  // 6 sigma
}

TEST_CASE("2T2R places signed weights on column pairs") {
  const TileSpec t =
      build_tile_spec(cfg("tile: {rows: 2, cols: 2, cell: 2T2R}\nweights: {source: constant, value: -0.5}\n"));
  CHECK(t.phys_cols() == 4);
  CHECK(close(t.g_at(0, 0), 1e-6, 1e-15, 0));                // G+ at g_off
  CHECK(close(t.g_at(0, 1), 1e-6 + 0.5 * 99e-6, 1e-15, 0));  // G- carries |w|
}

TEST_CASE("inputs: constant and normalized scaling; several vectors") {
  const TileSpec t = build_tile_spec(
      cfg("tile: {rows: 3, cols: 2}\ninputs: {source: constant, value: 0.5, vectors: 4, v_read: 0.3}\n"));
  REQUIRE(t.vectors() == 4);
  for (const auto& vec : t.inputs)
    for (double x : vec) CHECK(close(x, 0.15, 1e-15, 0));
  CHECK_THROWS_AS(build_tile_spec(cfg("inputs: {source: constant, value: 1.5}\n")), InputError);
}
