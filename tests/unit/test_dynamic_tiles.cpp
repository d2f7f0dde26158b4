// Dynamic device models in crossbar tiles (analysis tran): the state <->
// conductance maps against ngspice, reads that match a linear tile of the
// same small-signal conductances without moving any state, and V/2 write
// pulse trains that move the selected cell only.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/format.h>

#include "config_loader/loader.hpp"
#include "netlist_gen/dynamic_cells.hpp"
#include "report/run_outputs.hpp"
#include "report/transient_outputs.hpp"
#include "runner/run_job.hpp"
#include "runner/transient_job.hpp"
#include "support/close.hpp"
#include "support/run_helpers.hpp"

using namespace xbar;
using xbar::testing::all_close;
using xbar::testing::close;
using xbar::testing::config_from_yaml;
using xbar::testing::run_in_process;

namespace {

std::string input_error(const std::string& yaml) { return testing::input_error_of(yaml); }

// A 4x4 tran tile of `device`, random weights and inputs, 1-ohm wires.
std::string tile4(const std::string& device, double v_read, const std::string& extra = "") {
  return fmt::format(
      "tile: {{rows: 4, cols: 4}}\ndevice: {}\nweights: {{source: random, seed: 5}}\n"
      "inputs: {{source: random, vectors: 2, v_read: {}}}\nparasitics: {{r_wl: 1, r_bl: 1}}\n"
      "analysis:\n  type: tran\n  tran:\n    window: 100n\n{}",
      device, v_read, extra);
}

// The same tile with linear cells of the conductances `g` (a weights file).
RunResult linear_twin(const std::vector<double>& g, double v_read, const std::string& csv_name) {
  const auto path = std::filesystem::temp_directory_path() / csv_name;
  {
    std::ofstream out(path);
    for (int i = 0; i < 4; ++i)
      out << fmt::format("{:.17g},{:.17g},{:.17g},{:.17g}\n", g[i * 4], g[i * 4 + 1], g[i * 4 + 2], g[i * 4 + 3]);
  }
  const std::string yaml = fmt::format(
      "tile: {{rows: 4, cols: 4}}\nweights: {{source: file, kind: conductance, file: {}}}\n"
      "inputs: {{source: random, vectors: 2, v_read: {}}}\nparasitics: {{r_wl: 1, r_bl: 1}}\n"
      "analysis:\n  type: tran\n  tran:\n    window: 100n\n",
      path.string(), v_read);
  return run_in_process(config_from_yaml(yaml));
}

// The SPICE column currents of every vector and column.
std::vector<double> spice_currents(const RunResult& r) {
  std::vector<double> out;
  for (const auto& c : r.analysis.columns) out.push_back(c.i_spice.value());
  return out;
}

const DynamicRun& dynamic_of(const RunResult& r) {
  REQUIRE(r.transient);
  REQUIRE(r.transient->dynamic);
  return *r.transient->dynamic;
}

struct Case {
  const char* device;
  double v_read;     // small enough that the frozen I-V is linear to `tolerance`
  double tolerance;  // the law's curvature: (V / v0)^2 / 6, plus the solver's 1e-6
};

const Case kYakopcic{"{model: yakopcic, g_on: 100u, g_off: 10u, params: {vp: 0.6, vn: 0.6}}", 0.2, 5e-5};
const Case kVteam{"{model: vteam, g_on: 100u, g_off: 10u, params: {ron: 10k, roff: 1meg}}", 0.2, 5e-6};
const Case kStanford{"{model: stanford_pku, g_on: 1m, g_off: 10u}", 0.01, 5e-4};

}  // namespace

TEST_CASE("state <-> conductance maps invert each other and bound the placeable range") {
  for (const char* name : {"yakopcic", "vteam", "stanford_pku"}) {
    CAPTURE(name);
    const auto m = find_dynamic_model(name, {});
    REQUIRE(m);
    const auto [lo, hi] = m->g_range();
    CHECK(hi > lo);
    for (double f : {0.1, 0.5, 0.9}) {
      const double s = m->state_lo + f * (m->state_hi - m->state_lo);
      CHECK(close(m->state_of_g(m->g_of_state(s)), s, 1e-12, 0));
    }
  }
  CHECK_FALSE(find_dynamic_model("linear", {}));
  // Published defaults: yakopcic G = a1 b x (8.5 mS at x = 1), vteam 1/ron..1/roff,
  // stanford_pku i0/v0 e^(-g/g0) over gmin..gmax.
  CHECK(close(find_dynamic_model("yakopcic", {})->g_of_state(1), 0.17 * 0.05, 1e-12, 0));
  CHECK(close(find_dynamic_model("vteam", {})->g_range().second, 1.0 / 50, 1e-12, 0));
  CHECK(close(find_dynamic_model("stanford_pku", {})->g_range().first, 4e-3 * std::exp(-1.7 / 0.25), 1e-12, 0));
}

TEST_CASE("the C++ small-signal conductance matches a one-cell ngspice transient of each model") {
  // 1x1 tile, 1 mV held: I / V is the conductance at 0 V to (1 mV / v0)^2 / 6.
  for (const char* dev : {"{model: yakopcic, g_on: 100u, g_off: 10u}", "{model: vteam, g_on: 10m, g_off: 2m}",
                          "{model: stanford_pku, g_on: 1m, g_off: 10u}"}) {
    CAPTURE(dev);
    const RunResult r = run_in_process(config_from_yaml(
        fmt::format("tile: {{rows: 1, cols: 1}}\ndevice: {}\nweights: {{source: constant, value: 0.5}}\n"
                    "inputs: {{source: constant, kind: voltage, value: 1m}}\nparasitics: {{r_wl: 0, r_bl: 0}}\n"
                    "analysis:\n  type: tran\n  tran: {{window: 10n}}\n",
                    dev)));
    const double g = r.tile.g[0];
    CHECK(close(*r.analysis.columns[0].i_spice / 1e-3, g, 1e-5, 0));
    CHECK(close(dynamic_of(r).max_read_state_change, 0, 0, 1e-12));
  }
}

TEST_CASE("a small read of a dynamic tile equals the linear tile of its small-signal conductances") {
  for (const Case& c : {kYakopcic, kVteam, kStanford}) {
    CAPTURE(c.device);
    const RunResult dyn = run_in_process(config_from_yaml(tile4(c.device, c.v_read)));
    CHECK(dyn.netlist.size() > 16);
    const RunResult lin = linear_twin(dyn.tile.g, c.v_read, "xbar_dyn_twin.csv");
    CHECK(all_close(spice_currents(dyn), spice_currents(lin), c.tolerance, 0));
    CHECK(close(dynamic_of(dyn).max_read_state_change, 0, 0, 1e-12));
    CHECK(dynamic_of(dyn).writes.empty());
  }
}

TEST_CASE("V/2 write pulse trains move the selected cell only, and the read sees the written array") {
  struct WriteCase {
    Case tile;
    const char* write;  // one train on cell (1, 2)
    int direction;      // sign of the conductance change
  };
  const WriteCase cases[] = {
      // Yakopcic: +1 V SET (x up, G up); half-selected 0.5 V < vp 0.6 V.
      {kYakopcic, "{row: 1, col: 2, v: 1.0, width: 1u, count: 10, period: 2u}", +1},
      // VTEAM: +0.9 V above voff drives x towards roff (G down); 0.45 V < voff.
      {kVteam, "{row: 1, col: 2, v: 0.9, width: 100n, count: 5, period: 200n}", -1},
      // Stanford-PKU RESET at -1.6 V (gap grows, G down); 0.8 V is below the
      // gap-motion field (fmin tox / gamma0 = 1.05 V).
      {kStanford, "{row: 1, col: 2, v: -1.6, width: 10n, count: 3, period: 20n}", -1},
  };
  for (const auto& wc : cases) {
    CAPTURE(wc.tile.device);
    const RunResult r = run_in_process(
        config_from_yaml(tile4(wc.tile.device, wc.tile.v_read, fmt::format("    write: [{}]\n", wc.write))));
    const DynamicRun& d = dynamic_of(r);
    REQUIRE(d.writes.size() == 1);
    const WrittenCell& w = d.writes[0];
    MESSAGE(fmt::format("g {:.4g} -> {:.4g} S, write disturb {:.3g}, read disturb {:.3g}", w.g_before, w.g_after,
                        d.max_unselected_write_change, d.max_read_state_change));
    CHECK(wc.direction * (w.g_after - w.g_before) > 0.2 * w.g_before);  // a real move, the right way
    CHECK(close(r.tile.g[1 * 4 + 2], w.g_after, 1e-12, 0));             // the read's G_ij
    CHECK(close(d.max_unselected_write_change, 0, 0, 1e-9));            // V/2 stays below every threshold
    CHECK(close(d.max_read_state_change, 0, 0, 1e-9));
    // The read of the written array still equals its linear twin.
    const RunResult lin = linear_twin(r.tile.g, wc.tile.v_read, "xbar_dyn_twin_w.csv");
    CHECK(all_close(spice_currents(r), spice_currents(lin), wc.tile.tolerance, 0));
    // Outputs: summary block and writes.csv.
    const nlohmann::json summary = nlohmann::json::parse(summary_json(r));
    CHECK(summary["dynamic"]["writes"].size() == 1);
    CHECK(summary["metrics"].contains("max_write_disturb"));
    std::ostringstream csv;
    write_writes_csv(d, csv);
    CHECK(csv.str().rfind("row,col,v,width,count,period,state_before,state_after,g_before,g_after\n1,2,", 0) == 0);
  }
}

TEST_CASE("dynamic-model config errors name their position") {
  const std::string op = input_error("tile: {rows: 2, cols: 2}\ndevice: {model: yakopcic, g_on: 100u, g_off: 10u}\n");
  CHECK(op.find("test.yaml:2:") != std::string::npos);
  CHECK(op.find("tran") != std::string::npos);
  const std::string range = input_error(tile4("{model: vteam}", 0.2));  // g_on 100u < 1/roff = 1 mS
  CHECK(range.find("test.yaml:2:") != std::string::npos);
  CHECK(range.find("vteam") != std::string::npos);
  const std::string state = input_error(tile4("{model: yakopcic, g_on: 100u, params: {x0: 0.5}}", 0.2));
  CHECK(state.find("x0") != std::string::npos);
  const std::string static_write =
      input_error(tile4("{model: linear}", 0.2, "    write: [{row: 0, col: 0, v: 1, width: 1u}]\n"));
  CHECK(static_write.find("test.yaml:10:") != std::string::npos);
  CHECK(static_write.find("dynamic") != std::string::npos);
  const std::string bad_col =
      input_error(tile4(kVteam.device, 0.2, "    write: [{row: 0, col: 9, v: 1, width: 1u}]\n"));
  CHECK(bad_col.find("test.yaml:10:") != std::string::npos);
  const std::string tight =
      input_error(tile4(kVteam.device, 0.2, "    write: [{row: 0, col: 0, v: 1, width: 1u, period: 1u}]\n"));
  CHECK(tight.find("period") != std::string::npos);
}
