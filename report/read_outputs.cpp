#include "report/read_outputs.hpp"

#include <fmt/format.h>

#include "config_loader/loader.hpp"
#include "report/cell_selection.hpp"
#include "report/run_outputs.hpp"

namespace xbar {
namespace {

using nlohmann::json;

json sample_json(const ReadSample& s) {
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
      {"spice_elapsed_s", s.elapsed_s},
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

void add_read_metrics(const ReadReport& r, json& m) {
  m["i_sense"] = r.stored.i_sense;
  m["i_cell"] = r.stored.i_cell;
  m["i_sneak"] = r.stored.i_sneak;
  m["sneak_fraction"] = r.stored.sneak_fraction;
  m["i_sense_lrs"] = r.lrs.i_sense;
  m["i_sense_hrs"] = r.hrs.i_sense;
  m["sneak_fraction_lrs"] = r.lrs.sneak_fraction;
  m["read_margin"] = r.read_margin;
  m["margin_ok"] = r.margin_ok ? 1 : 0;
  m["max_half_selected_v"] = r.stored.max_half_selected_v;
  m["sneak_path_est"] = r.paths.total_est;
  if (r.path_factor) m["sneak_path_factor"] = *r.path_factor;
  m["kcl_residual"] = std::max({r.stored.kcl_residual, r.lrs.kcl_residual, r.hrs.kcl_residual});
}

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
      {"stored", sample_json(r.stored)},
      {"lrs", sample_json(r.lrs)},
      {"hrs", sample_json(r.hrs)},
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

void write_read_outputs(const RunResult& r, ResultSetWriter& set) {
  set.write("resolved.yaml", resolved_yaml(r.config));
  set.write("netlist.cir", [&](std::ostream& out) {
    for (const auto& line : r.netlist) out << line << '\n';
  });
  const TileSpec& t = r.read->read_tile;
  if (!select_cells(r.config.output.cells, t.rows, t.phys_cols()).empty())
    set.write("cells.csv", [&](std::ostream& out) { write_read_cells_csv(*r.read, r.config.output.cells, out); });
  set.write("read.json", read_json(r));
  set.write("summary.json", summary_json(r));
}

}  // namespace xbar
