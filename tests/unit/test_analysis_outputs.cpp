// Every figure an analysis reports reaches every consumer: summary.json's
// metrics, the sweep's and the library's metrics (read back from
// summary.json), the regression quantities with their kinds, the terminal
// summary and docs/outputs.md; and a run writes only result files its
// analyses declare.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "regression/quantities.hpp"
#include "report/analysis_outputs.hpp"
#include "report/result_set.hpp"
#include "report/run_outputs.hpp"
#include "support/close.hpp"
#include "support/run_helpers.hpp"
#include "support/temp_folder.hpp"
#include "sweep/point_record.hpp"

using namespace xbar;
namespace fs = std::filesystem;

namespace {

struct Run {
  std::string what;
  std::string yaml;
};

// One small run of each analysis and add-on, each figure family present.
const std::vector<Run> kRuns = {
    {"op, both engines, ADC, noise with its ngspice check",
     "tile: {rows: 3, cols: 3}\nparasitics: {r_wl: 1, r_bl: 1}\nsimulator: {engine: both}\n"
     "periphery: {adc: {bits: 6}}\nnoise: {enabled: true, spice_check: true}\n"},
    {"read",
     "tile: {rows: 4, cols: 4}\nweights: {source: constant, value: 1}\n"
     "analysis: {type: read, read: {row: 1, col: 2, bias: half}}\n"},
    {"read on both engines",
     "tile: {rows: 4, cols: 4}\nparasitics: {r_wl: 1, r_bl: 1}\n"
     "analysis: {type: read, read: {row: 1, col: 2, bias: floating}}\nsimulator: {engine: both}\n"},
    {"tran with cells",
     "tile: {rows: 3, cols: 3}\nanalysis: {type: tran, tran: {window: 20n, step: 1n, save_cells: true}}\n"},
    {"tran of a dynamic tile with a write",
     "tile: {rows: 2, cols: 2}\ndevice: {model: yakopcic, g_on: 100u, g_off: 10u, params: {vp: 0.6, vn: 0.6}}\n"
     "analysis:\n  type: tran\n  tran:\n    window: 100n\n"
     "    write: [{row: 0, col: 1, v: 1.0, width: 1u, count: 2, period: 2u}]\n"},
};

ColumnRecord record(int vector, int col, double i_spice, std::optional<double> i_nodal) {
  ColumnRecord r;
  r.vector = vector;
  r.col = col;
  r.i_spice = i_spice;
  r.i_nodal = i_nodal;
  return r;
}

std::string names_text(const std::set<std::string>& names) {
  std::string text;
  for (const auto& n : names) text += " " + n;
  return text;
}

std::set<std::string> scalar_names(const regression::Observed& observed) {
  std::set<std::string> out;
  for (const auto& [name, value] : observed)
    if (name.find('[') == std::string::npos) out.insert(name);
  return out;
}

}  // namespace

TEST_CASE("each run's figures are the same set in summary.json, the sweep's metrics and the regression quantities") {
  std::set<std::string> seen, seen_columns;  // over all runs
  for (const Run& run : kRuns) {
    CAPTURE(run.what);
    const RunResult r = testing::run_in_process(testing::config_from_yaml(run.yaml));
    const std::string summary = summary_json(r);
    const nlohmann::json metrics = nlohmann::json::parse(summary).at("metrics");
    std::set<std::string> in_summary;
    for (const auto& [name, value] : metrics.items()) {
      CAPTURE(name);
      CHECK(value.is_number());  // a figure is a number, nothing else
      in_summary.insert(name);
    }
    std::set<std::string> in_sweep;
    for (const auto& [name, value] : metrics_of_summary(summary)) in_sweep.insert(name);
    const regression::Observed observed = regression::observe(r);
    CHECK(names_text(in_sweep) == names_text(in_summary));
    CHECK(names_text(scalar_names(observed)) == names_text(in_summary));
    seen.insert(in_summary.begin(), in_summary.end());
    for (const auto& [name, value] : observed) {
      CAPTURE(name);
      CHECK(regression::quantity_kind(name).has_value());
      if (const auto b = name.find('['); b != std::string::npos) seen_columns.insert(name.substr(0, b));
      // The regression suite sees the value summary.json holds, bit for bit.
      if (metrics.contains(name)) CHECK(metrics.at(name).get<double>() == value);
    }
  }
  // The runs above show every declared figure, so the checks cover them all.
  std::set<std::string> declared, declared_columns;
  for (const AnalysisOutputs* part : all_analysis_outputs()) {
    for (const FigureDef& f : part->figures) declared.insert(std::string(f.name));
    for (const ColumnFigureDef& c : part->column_figures) declared_columns.insert(std::string(c.what));
  }
  CHECK(names_text(seen) == names_text(declared));
  CHECK(names_text(seen_columns) == names_text(declared_columns));
}

TEST_CASE("every declared figure has its regression kind and is documented; the terminal shows declared figures") {
  const std::string docs = testing::file_text(fs::path(XBAR_SOURCE_DIR) / "docs" / "outputs.md");
  std::set<std::string> names;
  for (const AnalysisOutputs* part : all_analysis_outputs()) {
    CAPTURE(part->name);
    for (const FigureDef& f : part->figures) {
      CAPTURE(f.name);
      CHECK(regression::quantity_kind(f.name) == f.kind);
      CHECK(docs.find(fmt::format("`{}`", f.name)) != std::string::npos);
      names.insert(std::string(f.name));
    }
    for (const ColumnFigureDef& c : part->column_figures) {
      CAPTURE(c.what);
      CHECK(regression::quantity_kind(regression::column_quantity(c.what, 3, 14)) == c.kind);
      CHECK(docs.find(fmt::format("`{}`", c.what)) != std::string::npos);
    }
  }
  // A figure name is one figure: the same name in two analyses (kcl_residual
  // of op and read) has one kind.
  for (const std::string& name : names) {
    std::set<QuantityKind> kinds;
    for (const AnalysisOutputs* part : all_analysis_outputs())
      for (const FigureDef& f : part->figures)
        if (f.name == name) kinds.insert(f.kind);
    CAPTURE(name);
    CHECK(kinds.size() == 1);
  }
  for (const Run& run : kRuns) {
    CAPTURE(run.what);
    const RunResult r = testing::run_in_process(testing::config_from_yaml(run.yaml));
    // figure_value() refuses a name the run's analyses do not declare, so
    // the terminal cannot show a number summary.json does not hold.
    std::string text;
    CHECK_NOTHROW(text = terminal_summary(r));
    CHECK(text.find(r.config.name) == 0);
    CHECK_THROWS_AS(figure_value(r, "no_such_figure"), std::logic_error);
  }
}

TEST_CASE("a run writes only the result files its analyses declare, and every one of them is a result file") {
  std::set<std::string> all;
  for (std::string_view name : result_file_names()) all.insert(std::string(name));
  for (const AnalysisOutputs* part : all_analysis_outputs())
    for (std::string_view f : part->files) {
      CAPTURE(f);
      CHECK(all.count(std::string(f)) == 1);
    }
  for (const Run& run : kRuns) {
    CAPTURE(run.what);
    const RunResult r = testing::run_in_process(testing::config_from_yaml(run.yaml));
    const fs::path dir = testing::fresh_folder("xbar_test_analysis_outputs");
    write_run_outputs(r, dir);
    std::set<std::string> declared(std::begin(kRunFiles), std::end(kRunFiles));
    for (const AnalysisOutputs* part : analysis_outputs_of(r)) declared.insert(part->files.begin(), part->files.end());
    for (const auto& entry : fs::directory_iterator(dir)) {
      const std::string name = entry.path().filename().string();
      CAPTURE(name);
      CHECK(declared.count(name) == 1);
    }
    fs::remove_all(dir);
  }
}

TEST_CASE("spice_vs_nodal is one definition: floored at 1e-9 of the vector's largest column, op and tran alike") {
  std::vector<ColumnRecord> records = {
      record(0, 0, 1e-3, 1e-3), record(0, 1, 1e-15, 2e-15),  // near zero: the floor 1e-12 A applies
      record(1, 0, 2e-6, 2.001e-6),                          // 5e-4
  };
  const auto worst = spice_vs_nodal(records);
  REQUIRE(worst.has_value());
  CHECK(testing::close(*worst, 1e-3, 1e-9, 0));  // 1e-15 / 1e-12 (1 without the floor)
  records[1].i_nodal.reset();
  CHECK(testing::close(*spice_vs_nodal(records), 5e-4, 1e-9, 0));
  CHECK_FALSE(spice_vs_nodal({record(0, 0, 1e-3, std::nullopt)}).has_value());
  // A tran with both engines reports the same definition as op.
  const RunResult r = testing::run_in_process(testing::config_from_yaml(
      "tile: {rows: 3, cols: 3}\nsimulator: {engine: both}\nanalysis: {type: tran, tran: {window: 20n, step: 1n}}\n"));
  REQUIRE(r.analysis.metrics.spice_vs_nodal.has_value());
  CHECK(*r.analysis.metrics.spice_vs_nodal == *spice_vs_nodal(r.analysis.columns));
}

TEST_CASE("columns.csv: each analysis' column group under its header, every row as wide as the header") {
  for (const Run& run : kRuns) {
    CAPTURE(run.what);
    const RunResult r = testing::run_in_process(testing::config_from_yaml(run.yaml));
    if (r.analysis.columns.empty()) continue;  // read: no columns.csv
    std::ostringstream out;
    write_columns_csv(r, out);
    std::istringstream lines(out.str());
    std::string header, line;
    REQUIRE(std::getline(lines, header));
    for (const AnalysisOutputs* e : analysis_outputs_of(r)) {
      if (!e->columns_csv.cells) continue;
      CAPTURE(e->name);
      // Right after the op column the entry names.
      CHECK(header.find(std::string(e->columns_csv.after) + std::string(e->columns_csv.header)) != std::string::npos);
    }
    int rows = 0;
    while (std::getline(lines, line)) {
      ++rows;
      CAPTURE(line);
      CHECK(std::count(line.begin(), line.end(), ',') == std::count(header.begin(), header.end(), ','));
    }
    CHECK(rows == static_cast<int>(r.analysis.columns.size()));
  }
}
