// 1T1R and 2T2R tiles through ngspice: the structure of docs/circuit.md, the
// limits a circuit engineer expects (a very strong switch is a wire, a closed
// gate passes leakage only), signed 2T2R outputs, PDK subcircuits and the
// config errors that name a position.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include <unistd.h>

#include <fmt/format.h>

#include "config_loader/loader.hpp"
#include "netlist_gen/circuit.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "runner/run_job.hpp"
#include "runner/spice_engine.hpp"
#include "support/close.hpp"
#include "support/run_helpers.hpp"

using namespace xbar;
using xbar::testing::all_close;
using xbar::testing::close;

namespace {

Config cfg(const std::string& yaml) { return testing::config_from_yaml(yaml); }
Simulator& simulator() { return testing::shared_simulator(); }
RunResult run(const Config& c) { return testing::run_in_process(c); }

std::string input_error(const std::string& yaml) { return testing::input_error_of(yaml); }

const std::string kTile =
    "tile: {rows: 12, cols: 10, cell: CELL}\n"
    "device: {g_on: 100u, g_off: 5u}\n"
    "weights: {source: random, seed: 3}\n"
    "inputs: {source: random, seed: 4, v_read: 0.2}\n"
    "parasitics: {r_wl: 2, r_bl: 2}\n";

std::string tile(const std::string& cell, const std::string& extra = "") {
  std::string t = kTile;
  t.replace(t.find("CELL"), 4, cell);
  return t + extra;
}

// `yaml` with its `device: {` opening extended by `fields`.
std::string with_device(std::string yaml, const std::string& fields) {
  return yaml.replace(yaml.find("device: {"), 9, "device: {" + fields);
}

double worst_rel(const std::vector<double>& ref, const std::vector<double>& got) {
  double w = 0;
  for (std::size_t j = 0; j < ref.size(); ++j) w = std::max(w, std::fabs(got[j] - ref[j]) / std::fabs(ref[j]));
  return w;
}

}  // namespace

TEST_CASE("1T1R with a very strong transistor matches the 1R tile") {
  const RunResult r1 = run(cfg(tile("1R")));
  // Level 1, W/L = 1e5, Vgs = 1.2 V: Ron = 1 / (kp W/L (Vgs - vto)) = 0.043 ohm
  // in series with cells of >= 10 kOhm, so the relative change is at most
  // g_on * Ron = 4.3e-6 (plus ngspice's junction gmin, 1e-12 S).
  const RunResult rt = run(cfg(tile("1T1R", "transistor: {model: nmos_level1, w: 4.5m, l: 45n, v_gate: 1.2}\n")));
  const double level1 = worst_rel(r1.spice->column_current[0], rt.spice->column_current[0]);
  MESSAGE("1T1R (level 1, W/L 1e5) vs 1R: worst column ", level1);
  CHECK(all_close(rt.spice->column_current[0], r1.spice->column_current[0], 1e-5, 0));
  CHECK(level1 > 0);  // the transistor is there
  // The BSIM4 card at W = 100 um: Ron ~ 3.1 kOhm * 0.09/100 = 2.8 ohm -> ~2.8e-4.
  const RunResult rb = run(cfg(tile("1T1R", "transistor: {model: nmos, w: 100u, l: 45n, v_gate: 1.0}\n")));
  const double bsim = worst_rel(r1.spice->column_current[0], rb.spice->column_current[0]);
  MESSAGE("1T1R (BSIM4, W 100 um) vs 1R: worst column ", bsim);
  CHECK(all_close(rb.spice->column_current[0], r1.spice->column_current[0], 1e-3, 0));
  // The ideal reference is the same: only the circuit differs.
  CHECK(close(rt.analysis.columns[3].i_ideal, r1.analysis.columns[3].i_ideal, 1e-15, 0));
}

TEST_CASE("1T1R at the nominal BSIM4 device loses current to the transistor, and KCL holds per column") {
  const RunResult r1 = run(cfg(tile("1R")));
  const RunResult rt = run(cfg(tile("1T1R", "transistor: {model: nmos, w: 90n, l: 45n, v_gate: 1.0}\n")));
  for (int j = 0; j < 10; ++j) CHECK(rt.spice->column_current[0][j] < r1.spice->column_current[0][j]);
  CHECK(rt.spice->v_mid.size() == 1);
  CHECK(close(rt.analysis.metrics.kcl->worst_column, 0, 0, 1e-6));  // from the device law across WL - M
  CHECK(close(rt.analysis.metrics.kcl->worst_row, 0, 0, 1e-6));
}

TEST_CASE("with every gate off the column currents are leakage only") {
  Config c = cfg(tile("1T1R", "transistor: {model: nmos, w: 90n, l: 45n, v_gate: 1.0}\n"));
  TileSpec t = build_tile_spec(c);
  const double on_col0 = run(c).spice->column_current[0][0];
  t.transistor.row_on.assign(t.rows, false);
  const Circuit circuit = build_tile_circuit(t);
  REQUIRE(check_circuit_graph(circuit, t).ok());
  const TileSolution s = solve_with_spice(t, circuit, write_spice_netlist(circuit), simulator());
  // Ioff of the nominal device is 1.43 nA at Vds = 1 V; at <= 0.2 V it is less.
  for (int j = 0; j < t.cols; ++j) {
    CHECK(close(s.column_current[0][j], 0, 0, t.rows * 1.5e-9));
    CHECK(s.column_current[0][j] > 0);  // subthreshold leakage, not an open circuit
  }
  MESSAGE("gate off: column 0 carries ", s.column_current[0][0], " A against ", on_col0, " A with gates on");
  // One row on: that row alone conducts (the other rows add leakage only).
  t.transistor.row_on[5] = true;
  const Circuit one = build_tile_circuit(t);
  const TileSolution s1 = solve_with_spice(t, one, write_spice_netlist(one), simulator());
  for (int j = 0; j < t.cols; ++j) {
    const double alone = t.g_at(5, j) * t.inputs[0][5];
    CHECK(s1.column_current[0][j] < alone * 1.0001 + t.rows * 1.5e-9);
    CHECK(s1.column_current[0][j] > alone * 0.5);
  }
}

TEST_CASE("2T2R output is I+ minus I-, against a signed ideal reference") {
  const RunResult r = run(cfg(tile("2T2R", "transistor: {model: nmos, w: 200n, l: 45n, v_gate: 1.0}\n")));
  REQUIRE(r.spice->phys_cols == 20);
  bool negative_ideal = false;
  for (const auto& rec : r.analysis.columns) {
    const int j = rec.col;
    CHECK(close(*rec.i_spice, r.spice->column_current[0][2 * j] - r.spice->column_current[0][2 * j + 1], 1e-12, 0));
    double ideal = 0;
    for (int i = 0; i < r.tile.rows; ++i)
      ideal += (r.tile.g_at(i, 2 * j) - r.tile.g_at(i, 2 * j + 1)) * r.tile.inputs[0][i];
    CHECK(close(rec.i_ideal, ideal, 1e-12, 0));
    negative_ideal = negative_ideal || rec.i_ideal < 0;
    CHECK((*rec.i_spice < 0) == (rec.i_ideal < 0));
  }
  CHECK(negative_ideal);
}

TEST_CASE("gate-line resistance adds one segment per column and changes nothing at DC") {
  std::string yaml = tile("1T1R", "transistor: {model: nmos, w: 90n, l: 45n, v_gate: 1.0}\n");
  yaml.replace(yaml.find("r_bl: 2}"), 8, "r_bl: 2, r_gl: 5}");
  Config c = cfg(yaml);
  const TileSpec t = build_tile_spec(c);
  const Circuit circuit = build_tile_circuit(t);
  CHECK(check_circuit_graph(circuit, t).ok());
  CHECK(circuit.count(ElementKind::kMosfet) == 120);
  const RunResult with = run(c);
  const RunResult without = run(cfg(tile("1T1R", "transistor: {model: nmos, w: 90n, l: 45n, v_gate: 1.0}\n")));
  // No DC gate current flows, so the gate lines drop nothing.
  CHECK(all_close(with.spice->column_current[0], without.spice->column_current[0], 1e-9, 0));
}

TEST_CASE("the graph check knows transistor terminals") {
  const TileSpec t = build_tile_spec(cfg(tile("1T1R", "transistor: {model: nmos, w: 90n, l: 45n}\n")));
  Circuit c = build_tile_circuit(t);
  REQUIRE(check_circuit_graph(c, t).ok());
  for (auto& e : c.elements)
    if (e.kind == ElementKind::kMosfet) {
      e.nodes[3] = e.nodes[2];  // bulk tied to the source instead of ground
      break;
    }
  CHECK(!check_circuit_graph(c, t).ok());
  Circuit c2 = build_tile_circuit(t);
  for (auto& e : c2.elements)
    if (e.kind == ElementKind::kVoltageSource && e.name == "vg3") e.kind = ElementKind::kCapacitor;  // gate line cut
  const auto report = check_circuit_graph(c2, t);
  REQUIRE(!report.ok());
  CHECK(report.problems[0].find("g3_0") != std::string::npos);
}

TEST_CASE("a PDK that wraps its transistor in a subcircuit is instanced with X") {
  const std::string dir = fmt::format("/tmp/xbar_pdk_{}", static_cast<long>(::getpid()));
  std::filesystem::create_directories(dir + "/inner");
  {
    std::ofstream(dir + "/inner/core.lib") << "* core card\n.model core_n nmos level=1 vto=0.4 kp=2.9e-4 "
                                              "lambda=0.05 gamma=0.4 phi=0.8\n";
    std::ofstream(dir + "/pdk.lib") << "* toy PDK\n.include \"inner/core.lib\"\n.subckt My_NFet d g s b w=1u l=1u\n"
                                       "m0 d g s b core_n w={w} l={l}\n.ends\n";
  }
  const std::string extra =
      fmt::format("transistor: {{model: My_NFet, w: 90n, l: 45n, v_gate: 1.0, include: [{}]}}\n", dir + "/pdk.lib");
  const RunResult x = run(cfg(tile("1T1R", extra)));
  const RunResult m = run(cfg(tile("1T1R", "transistor: {model: nmos_level1, w: 90n, l: 45n, v_gate: 1.0}\n")));
  bool has_x = false;
  for (const auto& line : x.netlist) has_x = has_x || line.rfind("xt0_0 ", 0) == 0;
  CHECK(has_x);
  CHECK(all_close(x.spice->column_current[0], m.spice->column_current[0], 1e-9, 0));
  std::filesystem::remove_all(dir);
}

TEST_CASE("config errors name their position") {
  const std::string missing_model = input_error(tile("1T1R", "transistor:\n  model: nmos_lvl1\n"));
  CHECK(missing_model.find("test.yaml:7:") != std::string::npos);
  CHECK(missing_model.find("nmos_level1") != std::string::npos);  // did you mean
  const std::string missing_file = input_error(tile("1T1R", "transistor:\n  include: [/nonexistent/pdk.lib]\n"));
  CHECK(missing_file.find("test.yaml:7:") != std::string::npos);
  const std::string bad_param = input_error(with_device(tile("1T1R"), "params: {nu2: 1}, "));
  CHECK(bad_param.find("test.yaml:2:") != std::string::npos);
  CHECK(bad_param.find("nu2") != std::string::npos);
  const std::string tran = input_error(tile("1T1R", "analysis:\n  type: tran\n"));
  CHECK(tran.find("test.yaml:7:") != std::string::npos);
  CHECK(tran.find("'op'") != std::string::npos);
  const std::string dynamic_op = input_error(with_device(tile("1R"), "model: vteam, "));
  CHECK(dynamic_op.find("test.yaml:2:") != std::string::npos);
  CHECK(dynamic_op.find("dynamic subcircuit") != std::string::npos);
}

TEST_CASE("PCM drift scales the placed conductances by (t_read / t0)^-nu") {
  const std::string base = "tile: {rows: 2, cols: 2}\nweights: {source: constant, value: 1}\n";
  const TileSpec fresh = build_tile_spec(cfg(base + "device: {model: pcm, g_on: 25u, params: {t_read: 20}}\n"));
  const TileSpec aged =
      build_tile_spec(cfg(base + "device: {model: pcm, g_on: 25u, params: {t_read: 2e6, nu: 0.1}}\n"));
  CHECK(close(fresh.g[0], 25e-6, 1e-12, 0));
  CHECK(close(aged.g[0], 25e-6 * std::pow(1e5, -0.1), 1e-12, 0));
  CHECK(close(aged.model.drift_factor, 1 / std::sqrt(10.0), 1e-12, 0));  // (1e5)^-0.1
}
