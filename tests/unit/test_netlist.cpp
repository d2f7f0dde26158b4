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
