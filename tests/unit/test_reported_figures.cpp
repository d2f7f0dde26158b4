// What xbar reports means what it says: full-scale and target errors against
// hand-computed values, e_nonlinear in the error split, warnings for
// suspicious data-file values and for simulator warnings, metrics that were
// not computed absent (never 0), ngspice_version in every analysis that ran
// SPICE, and no sneak-path factor where the estimate does not apply.
#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "analysis/error_decomposition.hpp"
#include "analysis/tile_analysis.hpp"
#include "common/tolerance.hpp"
#include "config_loader/data_file.hpp"
#include "config_loader/loader.hpp"
#include "report/run_outputs.hpp"
#include "runner/run_job.hpp"
#include "spice_bridge/simulator.hpp"
#include "support/run_helpers.hpp"

using namespace xbar;
namespace fs = std::filesystem;

namespace {

// The project's tolerance rule: relative, with an absolute floor in the
// quantity's unit.
bool close(double expected, double got, double rel, double abs_floor) {
  return Tolerance{rel, abs_floor}.accepts(expected, got);
}

RunResult run(const std::string& yaml) { return testing::run_in_process(testing::config_from_yaml(yaml)); }

nlohmann::json summary(const RunResult& r) { return nlohmann::json::parse(summary_json(r)); }

struct TempDir {
  fs::path path = fs::temp_directory_path() / fmt::format("xbar_figures_{}", ::getpid());
  TempDir() { fs::create_directories(path); }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  std::string file(const std::string& name, const std::string& text) const {
    std::ofstream(path / name) << text;
    return (path / name).string();
  }
};

// 2x2 1R tile without wires, a known deviation on one column.
TileSpec tile_2x2() {
  TileSpec t;
  t.rows = 2;
  t.cols = 2;
  t.g = {1e-5, 2e-5, 3e-5, 4e-5};
  t.g_intended = {1e-5, 2e-5, 3e-5, 5e-5};  // cell (1,1) placed 20 % low
  t.inputs = {{0.1, 0.2}};
  t.i_full_scale = 2 * 1e-4 * 0.2;  // rows x g_on 100 uS x v_read 0.2 V
  return t;
}

TileSolution solution_of(const TileSpec& t, double col0_factor) {
  TileSolution s;
  s.engine = "spice";
  s.vectors = 1, s.rows = 2, s.phys_cols = 2;
  s.v_wl = {{0.1, 0.1, 0.2, 0.2}};
  s.v_bl = {{0, 0, 0, 0}};
  s.column_current = ideal_phys_currents(t);
  s.column_current[0][0] *= col0_factor;
  s.array_current = s.column_current;
  s.driver_current = {{0.1 * 3e-5, 0.2 * 7e-5}};
  return s;
}

}  // namespace

TEST_CASE("full-scale and target errors of a known deviation, by hand") {
  const TileSpec t = tile_2x2();
  const TileSolution s = solution_of(t, 0.9);  // column 0 10 % low
  const TileAnalysis a = analyze_tile(t, &s, nullptr);
  const double ideal0 = 0.1 * 1e-5 + 0.2 * 3e-5, ideal1 = 0.1 * 2e-5 + 0.2 * 4e-5;
  const double target0 = ideal0, target1 = 0.1 * 2e-5 + 0.2 * 5e-5;
  const double fs = 4e-5;
  REQUIRE(a.columns.size() == 2);
  CHECK(close(target1, a.columns[1].i_target.value(), 1e-12, 1e-20));
  CHECK(close(target0, a.columns[0].i_target.value(), 1e-12, 1e-20));
  // |i - i_ideal| / full scale: column 0 is off by 0.1 ideal0, column 1 by 0.
  CHECK(close(0.1 * ideal0 / fs, a.metrics.max_err_fs.value(), 1e-9, 0));
  CHECK(close(0.05 * ideal0 / fs, a.metrics.mean_err_fs.value(), 1e-9, 0));
  // Against the target: column 0 -10 %, column 1 (ideal1 - target1) / target1.
  const double rel1 = std::fabs(ideal1 - target1) / target1;
  CHECK(close(std::max(0.1, rel1), a.metrics.max_rel_err_target.value(), 1e-9, 0));
  CHECK(close((0.1 + rel1) / 2, a.metrics.mean_rel_err_target.value(), 1e-9, 0));
  const double d0 = 0.1 * ideal0, d1 = ideal1 - target1;
  CHECK(close(std::sqrt((d0 * d0 + d1 * d1) / 2) / target1, a.metrics.nrmse_target.value(), 1e-9, 0));
  // The circuit error is still against the placed conductances.
  CHECK(close(0.1, a.metrics.max_rel_err, 1e-9, 0));
}

TEST_CASE("the ADC quantizes over the column full scale") {
  TileSpec t = tile_2x2();
  t.adc_bits = 3;  // codes -3..3, lsb I_fs / 3
  const TileSolution s = solution_of(t, 0.9);
  const TileAnalysis a = analyze_tile(t, &s, nullptr);
  const double lsb = t.i_full_scale / 3;
  // Column 0 carries 0.9 x 7e-6 A = 0.47 lsb -> code 0; column 1 1e-5 A = 0.75 lsb -> code 1.
  CHECK(a.columns[0].i_adc.value() == 0.0);
  CHECK(close(lsb, a.columns[1].i_adc.value(), 1e-12, 0));
  CHECK(close(1.0, a.metrics.adc_max_rel_err.value(), 1e-12, 0));  // column 0 reads 0: -100 %
}

TEST_CASE("without intended conductances or a full scale, those metrics are absent, never 0") {
  TileSpec t = tile_2x2();
  t.g_intended.clear();
  t.i_full_scale = 0;
  const TileSolution s = solution_of(t, 0.9);
  const TileAnalysis a = analyze_tile(t, &s, nullptr);
  CHECK_FALSE(a.columns[0].i_target.has_value());
  CHECK_FALSE(a.metrics.max_err_fs.has_value());
  CHECK_FALSE(a.metrics.max_rel_err_target.has_value());
  CHECK_FALSE(a.metrics.nrmse_target.has_value());
  CHECK_FALSE(a.metrics.kcl.has_value());  // analyze_tile does not check KCL
}

TEST_CASE("2T2R: the full scale is per logical column, and i_target is w (g_on - g_off) V") {
  TempDir dir;
  const std::string w = dir.file("w.csv", "0.5,-1\n-0.25,0\n1,0.75\n");
  const RunResult r = run(fmt::format(
      "tile: {{rows: 3, cols: 2, cell: 2T2R}}\ntransistor: {{model: ideal}}\n"
      "weights: {{source: file, file: {}}}\ninputs: {{source: constant, value: 1, v_read: 0.2}}\n"
      "device: {{g_on: 100u, g_off: 1u, levels: 3, variability: {{sigma: 0.2}}}}\nsimulator: {{engine: nodal}}\n",
      w));
  const double span = 99e-6, v = 0.2;
  CHECK(close(3 * span * v, r.tile.i_full_scale, 1e-12, 0));
  REQUIRE(r.analysis.columns.size() == 2);
  CHECK(close((0.5 - 0.25 + 1) * span * v, r.analysis.columns[0].i_target.value(), 1e-12, 1e-20));
  CHECK(close((-1 + 0 + 0.75) * span * v, r.analysis.columns[1].i_target.value(), 1e-12, 1e-20));
  // Quantization (3 levels) and variability move the placed conductances: the
  // circuit's ideal is not the target, and the target error shows it.
  CHECK(std::fabs(r.analysis.columns[0].i_ideal - *r.analysis.columns[0].i_target) > 1e-3 * 3 * span * v);
  CHECK(*r.analysis.metrics.max_rel_err_target > r.analysis.metrics.max_rel_err);
  const auto j = summary(r);
  for (const char* m : {"max_err_fs", "mean_err_fs", "max_rel_err_target", "mean_rel_err_target", "nrmse_target"})
    CHECK_MESSAGE(j["metrics"].contains(m), m);
  CHECK(j["warnings"].is_array());
  CHECK(j["warnings"].empty());
}

TEST_CASE("columns.csv: i_target and e_nonlinear come after the existing columns") {
  const RunResult r =
      run("tile: {rows: 4, cols: 3}\ndevice: {model: sinh, params: {v0: 0.1}}\n"
          "inputs: {source: constant, value: 1, v_read: 0.3}\nsimulator: {engine: nodal}\n");
  std::ostringstream out;
  write_columns_csv(r, out);
  const std::string text = out.str();
  const std::string header = text.substr(0, text.find('\n'));
  CHECK(header == "vector,col,i_ideal,i_spice,i_nodal,rel_err,e_ir,e_sneak,e_sense,reverse_cells,i_target,e_nonlinear");
}

TEST_CASE("e_nonlinear: a single sinh cell without wires is all nonlinearity (closed form)") {
  const RunResult r =
      run("tile: {rows: 1, cols: 1}\ndevice: {model: sinh, params: {v0: 0.1}, g_on: 100u}\n"
          "weights: {source: constant, value: 1}\ninputs: {source: constant, value: 1, v_read: 0.3}\n"
          "parasitics: {r_wl: 0, r_bl: 0}\nsimulator: {engine: nodal}\n");
  const auto parts = decompose_column_errors(r.tile, *r.nodal);
  REQUIRE(parts.size() == 1);
  const double g = 100e-6, v = 0.3, v0 = 0.1;
  const double expected = g * v0 * std::sinh(v / v0) - g * v;  // the device law minus G V at the same V
  CHECK(close(expected, parts[0].e_nonlinear, 1e-12, 1e-18));
  CHECK(close(expected, parts[0].error, 1e-12, 1e-18));
  CHECK(std::fabs(parts[0].e_ir) <= 1e-18);
  CHECK(std::fabs(parts[0].e_sneak) <= 1e-18);
}

TEST_CASE("e_nonlinear: with wires and idle rows the four parts add up to the error; 0 for linear cells") {
  TempDir dir;
  std::string x;
  for (int v = 0; v < 2; ++v)
    for (int i = 0; i < 10; ++i) x += std::string(i % 2 == v ? "0" : "1") + (i + 1 < 10 ? "," : "\n");
  const std::string base = fmt::format(
      "tile: {{rows: 10, cols: 8}}\ninputs: {{source: file, file: {}, v_read: 0.4}}\n"
      "parasitics: {{r_wl: 30, r_bl: 30}}\n",
      dir.file("x.csv", x));
  for (const bool sinh : {true, false}) {
    CAPTURE(sinh);
    const RunResult r = run(base + (sinh ? "device: {model: sinh, params: {v0: 0.15}}\n" : ""));
    const auto parts = decompose_column_errors(r.tile, *r.spice);
    REQUIRE(parts.size() == 16);
    double scale = 0, nonlinear = 0;
    for (const auto& c : r.analysis.columns) scale = std::max(scale, std::fabs(c.i_ideal));
    for (const auto& p : parts) {
      // Exact up to the solution's KCL residual.
      CHECK(close(p.error, p.e_ir + p.e_sneak + p.e_nonlinear + p.e_sense, 1e-9, 1e-9 * scale));
      nonlinear = std::max(nonlinear, std::fabs(p.e_nonlinear));
    }
    if (sinh) {
      CHECK(nonlinear > 1e-3 * scale);  // sinh at up to 0.4 V / 0.15 V: well above G V
    } else {
      CHECK(nonlinear == 0.0);  // i_cell is G v_cell exactly
    }
  }
}

TEST_CASE("weights files: a conductance above 1 S, a resistance below 1 ohm and an upper-case M are warned about") {
  auto read = [](const std::string& text, CsvReadOptions o) {
    Diagnostics d;
    NumericTable t = parse_numeric_csv(text, "w.csv", o, d);
    CHECK(d.empty());  // warnings, not errors: the values are read
    return t;
  };
  CsvReadOptions siemens;
  siemens.warn_max = 1.0;
  siemens.warn_unit = "S";
  NumericTable t = read("100u,0.3\n1.5,2\n", siemens);
  REQUIRE(t.warnings.size() == 2);
  CHECK(t.warnings[0].starts_with("w.csv:2:1: warning: '1.5' S is above 1 S"));
  CHECK(t.warnings[1].starts_with("w.csv:2:5: warning: '2' S is above 1 S"));
  CHECK(close(1.5, t.rows[1][0], 0, 0));

  CsvReadOptions ohm;
  ohm.warn_min = 1.0;
  ohm.warn_unit = "ohm";
  t = read("10k, 0.5\n", ohm);
  REQUIRE(t.warnings.size() == 1);
  CHECK(t.warnings[0].starts_with("w.csv:1:6: warning: '0.5' ohm is below 1 ohm"));

  t = read("1M,2.2meg,3m\n", CsvReadOptions{});  // only the upper-case M alone: meg and m are what they say
  REQUIRE(t.warnings.size() == 1);
  CHECK(t.warnings[0] ==
        "w.csv:1:1: warning: '1M' is read as 0.001 (SPICE reads the suffix M as milli, in either case; write meg for "
        "mega)");

  CsvReadOptions capped = siemens;
  capped.max_warnings = 2;
  t = read("2,3,4,5\n", capped);
  REQUIRE(t.warnings.size() == 3);
  CHECK(t.warnings[2] == "w.csv: warning: 2 more values like the above");
}

TEST_CASE("a weights file in the wrong unit runs, and the warning is in summary.json and names the position") {
  TempDir dir;
  const std::string w = dir.file("g.csv", "3,100u\n50u,1M\n");
  const RunResult r =
      run(fmt::format("tile: {{rows: 2, cols: 2}}\nweights: {{source: file, file: {}, kind: "
                      "conductance}}\nsimulator: {{engine: nodal}}\n",
                      w));
  REQUIRE(r.warnings.size() == 2);
  CHECK(r.warnings[0] == w + ":1:1: warning: '3' S is above 1 S; is the file in the wrong unit?");
  CHECK(r.warnings[1].starts_with(w + ":2:5: warning: '1M' is read as 0.001"));
  const auto j = summary(r);
  CHECK(j["warnings"] == nlohmann::json(r.warnings));
  CHECK_FALSE(j.contains("ngspice_version"));  // SPICE did not run
}

TEST_CASE("ngspice warnings reach the result: a card with a BSIM3 name on BSIM4") {
  TempDir dir;
  const std::string card = dir.file("bad.lib", ".model badn nmos level=54 version=4.8 vth0=0.33 js=1e-4\n");
  const RunResult r =
      run(fmt::format("tile: {{rows: 2, cols: 2, cell: 1T1R}}\n"
                      "transistor: {{model: badn, include: [{}]}}\n",
                      card));
  bool named = false;
  for (const auto& w : r.warnings)
    named = named || (w.starts_with("ngspice: ") && w.find("unrecognized parameter (js)") != std::string::npos);
  CHECK_MESSAGE(named, "warnings: " << nlohmann::json(r.warnings).dump());
  CHECK(summary(r)["warnings"] == nlohmann::json(r.warnings));
}

TEST_CASE("the bundled BSIM4 card runs a 1T1R tile with no warning, and the summary says which ngspice") {
  const RunResult r = run("tile: {rows: 4, cols: 4, cell: 1T1R}\n");
  CHECK(r.warnings.empty());
  const auto j = summary(r);
  CHECK(j["warnings"].empty());
  CHECK(j["ngspice_version"].get<std::string>().starts_with("ngspice"));
  CHECK(j["metrics"].contains("kcl_residual"));
}

TEST_CASE("transient: ngspice_version present; no kcl_residual and no IR drop unless computed") {
  for (const bool cells : {false, true}) {
    CAPTURE(cells);
    const RunResult r = run(fmt::format(
        "tile: {{rows: 3, cols: 3}}\nanalysis: {{type: tran, tran: {{window: 20n, step: 1n, save_cells: {}}}}}\n",
        cells));
    const auto j = summary(r);
    CHECK(j["ngspice_version"].get<std::string>().starts_with("ngspice"));
    CHECK_FALSE(j["metrics"].contains("kcl_residual"));  // the transient's node solution is not KCL-checked
    CHECK(j["metrics"].contains("max_ir_drop") == cells);
    CHECK(j["metrics"].contains("max_err_fs"));
    CHECK(j["metrics"].contains("nrmse_target"));
  }
}

TEST_CASE("read: ngspice_version present; the sneak-path factor only for 1R") {
  const std::string base =
      "tile: {rows: 4, cols: 4, cell: CELL}\nweights: {source: constant, value: 1}\n"
      "analysis: {type: read, read: {row: 1, col: 2, bias: half}}\n";
  for (const std::string cell : {"1R", "1T1R"}) {
    CAPTURE(cell);
    std::string y = base;
    y.replace(y.find("CELL"), 4, cell);
    const RunResult r = run(y);
    const auto j = summary(r);
    CHECK(j["ngspice_version"].get<std::string>().starts_with("ngspice"));
    CHECK(j["warnings"].is_array());
    CHECK(j["metrics"].contains("sneak_path_factor") == (cell == "1R"));
    CHECK(r.read->path_factor.has_value() == (cell == "1R"));
  }
}
