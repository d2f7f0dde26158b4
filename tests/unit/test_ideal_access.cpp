// transistor.model: ideal -- the access switch with 0 ohm on: a 1T1R/2T2R cell
// is the memory device alone between WL(i,j) and BL(i,j), so the tile is the
// 1R network on phys_cols columns and the nodal engine can cross-check SPICE
// on differential 2T2R arrays.  Here: both engines agree, the ideal tiles are
// exactly their 1R twins, and what the switch does not model is refused.
#include <doctest/doctest.h>

#include <cmath>
#include <string>

#include <fmt/format.h>

#include "common/diagnostics.hpp"
#include "models/registry.hpp"
#include "netlist_gen/circuit.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "nodal/nodal_solver.hpp"
#include "runner/run_job.hpp"
#include "runner/spice_engine.hpp"
#include "support/close.hpp"
#include "support/run_helpers.hpp"

using namespace xbar;
using xbar::testing::close;
using xbar::testing::config_from_yaml;

namespace {

RunResult run(const std::string& yaml) { return testing::run_in_process(config_from_yaml(yaml)); }

std::string input_error(const std::string& yaml) { return testing::input_error_of(yaml); }

// A random tile with wires; `extra` adds or overrides sections.
std::string tile_yaml(int rows, int cols, const std::string& cell, const std::string& extra) {
  return fmt::format(
      "tile: {{rows: {}, cols: {}, cell: {}}}\n"
      "device: {{g_on: 100u, g_off: 2u}}\n"
      "weights: {{source: random, seed: 21}}\n"
      "inputs: {{source: random, seed: 22, vectors: 2, v_read: 0.2}}\n"
      "parasitics: {{r_wl: 2.5, r_bl: 3}}\n"
      "{}",
      rows, cols, cell, extra);
}

const std::string kIdeal = "transistor: {model: ideal}\n";
const std::string kBoth = "simulator: {engine: both}\n";

TileSolution spice(const TileSpec& t) {
  const Circuit c = build_tile_circuit(t);
  return solve_with_spice(t, c, write_spice_netlist(c), testing::shared_simulator());
}

}  // namespace

TEST_CASE("the ideal switch is a transistor model without a card") {
  const ModelInfo* m = find_model("ideal");
  REQUIRE(m != nullptr);
  CHECK(m->kind == ModelKind::kTransistor);
  CHECK(m->params.empty());
  CHECK(m->file.empty());
  const TileSpec t = build_tile_spec(config_from_yaml(tile_yaml(4, 3, "2T2R", kIdeal)));
  CHECK(t.transistor.ideal);
  CHECK_FALSE(t.access_transistors());
  CHECK(t.transistor.model_files.empty());
  const TileSpec real = build_tile_spec(config_from_yaml(tile_yaml(4, 3, "2T2R", "")));
  CHECK_FALSE(real.transistor.ideal);
  CHECK(real.access_transistors());
}

TEST_CASE("an ideal 2T2R tile is built like 1R on 2C columns: no transistor, gate line or junction") {
  std::string yaml = tile_yaml(5, 3, "2T2R", kIdeal);
  yaml.replace(yaml.find("parasitics: {"), 13, "parasitics: {r_gl: 4, ");  // not used by the ideal switch
  const TileSpec t = build_tile_spec(config_from_yaml(yaml));
  const Circuit c = build_tile_circuit(t);
  CHECK(c.count(ElementKind::kMosfet) == 0);
  CHECK(c.count(ElementKind::kCell) == 5u * 6u);
  CHECK(c.map.cell_mid.empty());
  CHECK(c.map.gate_source.empty());
  CHECK(c.includes.empty());
  const CircuitCheckReport r = check_circuit_graph(c, t);
  CHECK_MESSAGE(r.ok(), (r.problems.empty() ? "" : r.problems[0]));
}

TEST_CASE("2T2R with the ideal switch: SPICE and nodal agree to 1e-9 with wires, driver, sense and TIA") {
  const std::string periphery[] = {
      "",
      "periphery: {r_driver: 100, r_sense: 50}\n",
      "periphery: {r_driver: 100, r_sense: 50, sense: tia, tia: {gain: 1e4, r_f: 1k}}\n",
  };
  for (auto [rows, cols] : {std::pair{8, 6}, std::pair{16, 16}})
    for (const auto& p : periphery) {
      CAPTURE(rows);
      CAPTURE(cols);
      CAPTURE(p);
      const RunResult r = run(tile_yaml(rows, cols, "2T2R", kIdeal + kBoth + p));
      REQUIRE(r.spice.has_value());
      REQUIRE(r.nodal.has_value());
      CHECK(r.spice->v_mid.empty());
      REQUIRE(r.analysis.metrics.spice_vs_nodal.has_value());
      MESSAGE(rows, "x", cols, " ", p, " spice_vs_nodal ", *r.analysis.metrics.spice_vs_nodal);
      CHECK(close(*r.analysis.metrics.spice_vs_nodal, 0, 0, 1e-9));
      // The physical columns too, not only I+ - I-.
      for (int v = 0; v < r.tile.vectors(); ++v)
        for (int j = 0; j < r.tile.phys_cols(); ++j) {
          const double s = r.spice->column_current[v][j], n = r.nodal->column_current[v][j];
          CHECK(close(n, s, 1e-9, 0));
        }
      // KCL per column and row ran on the device voltages WL - BL.
      CHECK(close(r.analysis.metrics.kcl->worst_column, 0, 0, 1e-9));
      CHECK(close(r.analysis.metrics.kcl->worst_row, 0, 0, 1e-9));
      // The outputs are signed: the differential pair is really exercised.
      bool negative = false;
      for (const auto& rec : r.analysis.columns) negative = negative || *rec.i_nodal < 0;
      CHECK(negative);
    }
}

TEST_CASE("an ideal 2T2R tile is exactly the 1R tile on 2C physical columns with the same conductances") {
  const TileSpec t2 = build_tile_spec(
      config_from_yaml(tile_yaml(7, 4, "2T2R", kIdeal + "periphery: {r_driver: 20, r_sense: 10, sense: tia}\n")));
  TileSpec t1 = t2;
  t1.cell = cell_kind("1R");
  t1.cols = t2.phys_cols();
  t1.transistor = TransistorSpec{};
  REQUIRE(t1.g == t2.g);
  const TileSolution s2 = spice(t2), s1 = spice(t1);
  const TileSolution n2 = solve_nodal(t2), n1 = solve_nodal(t1);
  for (int v = 0; v < t2.vectors(); ++v) {
    CHECK(s2.column_current[v] == s1.column_current[v]);
    CHECK(s2.v_wl[v] == s1.v_wl[v]);
    CHECK(s2.v_bl[v] == s1.v_bl[v]);
    CHECK(n2.column_current[v] == n1.column_current[v]);
    CHECK(n2.v_bl[v] == n1.v_bl[v]);
  }
}

TEST_CASE("an ideal 1T1R tile equals the 1R tile to 1e-12") {
  // One vector: a plain op.  (A batch is a dc sweep of behavioural sources,
  // where ngspice's Newton stops at reltol 1e-9: measured 3e-9 from the exact
  // solution on one column of this tile, for the 1R tile just the same.)
  auto one_vector = [](std::string y) { return y.replace(y.find("vectors: 2"), 10, "vectors: 1"); };
  const std::string extra = "periphery: {r_driver: 50, r_sense: 20}\n" + kBoth;
  const RunResult r1 = run(one_vector(tile_yaml(12, 9, "1R", extra)));
  const RunResult rt = run(one_vector(tile_yaml(12, 9, "1T1R", extra + kIdeal)));
  REQUIRE(rt.tile.g == r1.tile.g);
  REQUIRE(rt.analysis.columns.size() == r1.analysis.columns.size());
  for (std::size_t k = 0; k < rt.analysis.columns.size(); ++k) {
    const ColumnRecord &a = rt.analysis.columns[k], &b = r1.analysis.columns[k];
    CHECK(close(*a.i_spice, *b.i_spice, 1e-12, 0));
    CHECK(close(*a.i_nodal, *b.i_nodal, 1e-12, 0));
    CHECK(a.i_ideal == b.i_ideal);
  }
  CHECK(close(*rt.analysis.metrics.spice_vs_nodal, 0, 0, 1e-9));
}

TEST_CASE("engine nodal runs an ideal transistor tile alone") {
  const RunResult r = run(tile_yaml(6, 5, "2T2R", kIdeal + "simulator: {engine: nodal}\n"));
  CHECK_FALSE(r.spice.has_value());
  REQUIRE(r.nodal.has_value());
  CHECK(r.analysis.primary == "nodal");
  CHECK(r.analysis.columns.size() == 2u * 5u);
}

TEST_CASE("what the ideal switch does not model is refused") {
  // Read switches unselected gates off: refused at transistor.model.
  const std::string read = input_error(tile_yaml(4, 3, "1T1R", kIdeal + "analysis: {type: read}\n"));
  CHECK(read.find("test.yaml:6:") != std::string::npos);
  CHECK(read.find("read") != std::string::npos);
  // An ideal tile with gates switched off (row_on) is not silently solved as on.
  TileSpec ideal = build_tile_spec(config_from_yaml(tile_yaml(3, 2, "2T2R", kIdeal)));
  ideal.transistor.row_on = {true, false, true};
  CHECK_THROWS_AS(solve_nodal(ideal), std::invalid_argument);
  CHECK_THROWS_AS(build_tile_circuit(ideal), std::invalid_argument);
}
