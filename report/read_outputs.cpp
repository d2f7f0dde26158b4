#include "report/read_outputs.hpp"

#include <algorithm>
#include <optional>

#include <fmt/format.h>

#include "config_loader/loader.hpp"
#include "report/analysis_outputs.hpp"
#include "report/cell_selection.hpp"
#include "report/run_outputs.hpp"

namespace xbar {
namespace {

using nlohmann::json;

// `engine`: whose read it is (its time is `spice_elapsed_s` or `nodal_elapsed_s`).
json sample_json(const ReadSample& s, const std::string& engine) {
  return {
      {"g_selected", s.g_selected},
      {"i_sense", s.i_sense},
      {"i_array", s.i_array},
      {"i_cell", s.i_cell},
      {"i_cell_ideal", s.i_cell_ideal},
      {"i_sneak", s.i_sneak},
      {"sneak_fraction", s.sneak_fraction},
      {"max_half_selected_v", s.max_half_selected_v},
      {"max_unselected_v", s.max_unselected_v},
      {"kcl_residual", s.kcl_residual},
      {engine + "_elapsed_s", s.elapsed_s},
  };
}

json path_json(const SneakPath& p) {
  json cells = json::array();
  for (const auto& [i, j] : p.cells) cells.push_back({i, j});
  return {{"path", p.text()}, {"cells", cells}, {"g_series", p.g_series}, {"v_start", p.v_start}, {"i_est", p.i_est}};
}

const char* role(const ReadSetup& s, int i, int j) {
  if (i == s.row && j == s.col) return "selected";
  if (i == s.row) return "half_row";
  if (j == s.col) return "half_col";
  return "unselected";
}

}  // namespace

std::string read_json(const RunResult& run) {
  const ReadReport& r = *run.read;
  json top = json::array();
  for (const auto& p : r.paths.top) top.push_back(path_json(p));
  json j = {
      {"name", run.config.name},
      {"rows", run.tile.rows},
      {"cols", run.tile.cols},
      {"cell", to_string(run.tile.cell)},
      {"selected", {{"row", r.setup.row}, {"col", r.setup.col}}},
      {"v_read", r.setup.v_read},
      {"bias", to_string(r.setup.bias)},
      {"v_unselected_wl", r.setup.bias == ReadBias::kFloating ? json(nullptr) : json(unselected_wl_voltage(r.setup))},
      {"v_unselected_bl", r.setup.bias == ReadBias::kFloating ? json(nullptr) : json(unselected_bl_voltage(r.setup))},
      {"stored", sample_json(r.stored, r.engine)},
      {"lrs", sample_json(r.lrs, r.engine)},
      {"hrs", sample_json(r.hrs, r.engine)},
      {"engine", r.engine},
      {"read_margin", r.read_margin},
      {"margin_target", run.config.analysis.read.margin_target},
      {"margin_ok", r.margin_ok},
      {"sneak_paths",
       {{"max_cells", r.paths.max_cells},
        {"paths", r.paths.paths},
        {"truncated", r.paths.truncated},
        {"total_est", r.paths.total_est},
        {"spice_i_sneak", r.stored.i_sneak},
        {"factor", r.path_factor ? json(*r.path_factor) : json(nullptr)},
        {"top", top}}},
  };
  if (r.nodal) {
    j["nodal"] = {{"stored", sample_json(r.nodal->stored, "nodal")},
                  {"lrs", sample_json(r.nodal->lrs, "nodal")},
                  {"hrs", sample_json(r.nodal->hrs, "nodal")},
                  {"read_margin", r.nodal->read_margin}};
    j["spice_vs_nodal"] = *r.spice_vs_nodal;
  }
  return j.dump(2) + "\n";
}

void write_read_cells_csv(const ReadReport& r, CellsOutput cells_mode, std::ostream& out) {
  const TileSpec& t = r.read_tile;
  const int PC = t.phys_cols();
  const ReadSample& s = r.stored;
  out << "vector,row,col,g,v_wl,v_bl,v_cell,i_cell,role\n";
  std::string line;
  const CellSelection sel = select_cells(cells_mode, t.rows, PC, r.setup.row, r.setup.col);
  for (int i : sel.rows)
    for (int j : sel.cols) {
      const std::size_t k = static_cast<std::size_t>(i) * PC + j;
      line.clear();
      fmt::format_to(std::back_inserter(line), "0,{},{},{},{},{},{},{},{}\n", i, j, t.g[k], s.v_wl[k], s.v_bl[k],
                     s.v_wl[k] - s.v_bl[k], s.i_cells[k], role(r.setup, i, j));
      out << line;
    }
}

namespace {

using Opt = std::optional<double>;

bool is_read(const RunResult& r) { return r.read.has_value(); }
const ReadReport& read_of(const RunResult& r) { return *r.read; }

// A read has no matrix-vector product: these are all its figures.
constexpr FigureDef kReadFigures[] = {
    {"i_sense", QuantityKind::kCurrent, [](const RunResult& r) { return Opt(read_of(r).stored.i_sense); }},
    {"i_cell", QuantityKind::kCurrent, [](const RunResult& r) { return Opt(read_of(r).stored.i_cell); }},
    {"i_sneak", QuantityKind::kCurrent, [](const RunResult& r) { return Opt(read_of(r).stored.i_sneak); }},
    {"sneak_fraction", QuantityKind::kError, [](const RunResult& r) { return Opt(read_of(r).stored.sneak_fraction); }},
    {"i_sense_lrs", QuantityKind::kCurrent, [](const RunResult& r) { return Opt(read_of(r).lrs.i_sense); }},
    {"i_sense_hrs", QuantityKind::kCurrent, [](const RunResult& r) { return Opt(read_of(r).hrs.i_sense); }},
    {"sneak_fraction_lrs", QuantityKind::kError, [](const RunResult& r) { return Opt(read_of(r).lrs.sneak_fraction); }},
    {"read_margin", QuantityKind::kError, [](const RunResult& r) { return Opt(read_of(r).read_margin); }},
    {"margin_ok", QuantityKind::kError, [](const RunResult& r) { return Opt(read_of(r).margin_ok ? 1.0 : 0.0); }, true},
    {"max_half_selected_v", QuantityKind::kVoltage,
     [](const RunResult& r) { return Opt(read_of(r).stored.max_half_selected_v); }},
    {"sneak_path_est", QuantityKind::kCurrent, [](const RunResult& r) { return Opt(read_of(r).paths.total_est); }},
    {"sneak_path_factor", QuantityKind::kError, [](const RunResult& r) { return read_of(r).path_factor; }},
    // engine: both: the engines' largest difference (runner/read_job.hpp) and
    // the nodal engine's read margin.
    {"spice_vs_nodal", QuantityKind::kAgreement, [](const RunResult& r) { return read_of(r).spice_vs_nodal; }},
    {"read_margin_nodal", QuantityKind::kError,
     [](const RunResult& r) { return read_of(r).nodal ? Opt(read_of(r).nodal->read_margin) : Opt(); }},
    // A relative residual, a bound like an agreement (as op's).
    {"kcl_residual", QuantityKind::kAgreement,
     [](const RunResult& r) {
       const ReadReport& x = read_of(r);
       return Opt(std::max({x.stored.kcl_residual, x.lrs.kcl_residual, x.hrs.kcl_residual}));
     }},
};

constexpr std::string_view kReadFiles[] = {"read.json", "cells.csv"};

void write_read_files(const RunResult& r, ResultSetWriter& set) {
  const TileSpec& t = r.read->read_tile;
  if (!select_cells(r.config.output.cells, t.rows, t.phys_cols()).empty())
    set.write("cells.csv", [&](std::ostream& out) { write_read_cells_csv(*r.read, r.config.output.cells, out); });
  set.write("read.json", read_json(r));
}

void read_terminal(const RunResult& r, std::string& out) {
  auto v = [&](std::string_view name) { return figure_value(r, name).value(); };
  out += fmt::format("  i_sense {:.4e} A  i_cell {:.4e} A  i_sneak {:.4e} A  sneak_fraction {:.4f}\n", v("i_sense"),
                     v("i_cell"), v("i_sneak"), v("sneak_fraction"));
  const Opt factor = figure_value(r, "sneak_path_factor");
  out += fmt::format("  read_margin {:.4f}{}\n", v("read_margin"),
                     factor ? fmt::format("  path estimate / {} sneak {:.3g}",
                                          read_of(r).engine == "spice" ? "SPICE" : "nodal", *factor)
                            : "");
  if (const Opt d = figure_value(r, "spice_vs_nodal")) out += fmt::format("  spice_vs_nodal {:.3e}\n", *d);
}

}  // namespace

constinit const AnalysisOutputs kReadOutputs{
    .name = "read",
    .applies = is_read,
    .figures = kReadFigures,
    .column_figures = {},
    .column_values = nullptr,
    .columns_csv = {},
    .files = kReadFiles,
    .write_files = write_read_files,
    .summary_blocks = nullptr,
    .terminal = read_terminal,
};

}  // namespace xbar
