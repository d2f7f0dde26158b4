#include "report/run_outputs.hpp"

#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "analysis/error_decomposition.hpp"
#include "common/atomic_file.hpp"
#include "config_loader/loader.hpp"
#include "report/read_outputs.hpp"
#include "report/transient_outputs.hpp"

namespace xbar {

std::string csv_number(double v) { return fmt::format("{}", v); }

namespace {

std::string opt_number(const std::optional<double>& v) { return v ? csv_number(*v) : std::string(); }

}  // namespace

std::string summary_json(const RunResult& r) {
  using nlohmann::json;
  const Metrics& m = r.analysis.metrics;
  json metrics = {
      {"max_rel_err", m.max_rel_err},
      {"mean_rel_err", m.mean_rel_err},
      {"nrmse", m.nrmse},
      {"max_ir_drop", m.max_ir_drop},
      {"mean_ir_drop", m.mean_ir_drop},
      {"max_ir_drop_v", m.max_ir_drop_v},
      {"kcl_residual", std::max({m.kcl.worst_global, m.kcl.worst_column, m.kcl.worst_row})},
  };
  if (m.spice_vs_nodal) metrics["spice_vs_nodal"] = *m.spice_vs_nodal;
  if (m.adc_max_rel_err) metrics["adc_max_rel_err"] = *m.adc_max_rel_err;
  if (r.read) {  // a read has no matrix-vector product: its own metrics only
    metrics = json::object();
    add_read_metrics(*r.read, metrics);
  }
  json j = {
      {"name", r.config.name},
      {"rows", r.tile.rows},
      {"cols", r.tile.cols},
      {"cell", to_string(r.tile.cell)},
      {"engine", to_string(r.config.simulator.engine)},
      {"primary_engine", r.analysis.primary},
      {"vectors", r.tile.vectors()},
      {"device_model", r.tile.model.name},
      {"elapsed_s", r.elapsed_s},
      {"metrics", metrics},
  };
  if (r.spice) {
    j["ngspice_version"] = r.ngspice_version;
    j["spice_elapsed_s"] = r.spice->elapsed_s;
  }
  if (r.nodal) j["nodal_elapsed_s"] = r.nodal->elapsed_s;
  if (r.transient) add_transient_summary(*r.transient, j["metrics"], j);
  return j.dump(2) + "\n";
}

void write_columns_csv(const RunResult& r, std::ostream& out) {
  const bool adc = r.tile.adc_bits > 0;
  // The error split of analysis/error_decomposition.hpp (1R; empty otherwise).
  const TileSolution* primary = r.spice ? &*r.spice : (r.nodal ? &*r.nodal : nullptr);
  const auto parts = primary ? decompose_column_errors(r.tile, *primary) : std::vector<ColumnErrorParts>{};
  out << "vector,col,i_ideal,i_spice,i_nodal,rel_err" << (adc ? ",i_adc" : "") << ",e_ir,e_sneak,e_sense,reverse_cells" << (r.transient ? transient_columns_header() : "") << '\n';
  for (std::size_t k = 0; k < r.analysis.columns.size(); ++k) {
    const auto& c = r.analysis.columns[k];
    out << c.vector << ',' << c.col << ',' << csv_number(c.i_ideal) << ',' << opt_number(c.i_spice) << ','
        << opt_number(c.i_nodal) << ',' << opt_number(c.rel_err);
    if (adc) out << ',' << opt_number(c.i_adc);
    if (k < parts.size())
      out << ',' << csv_number(parts[k].e_ir) << ',' << csv_number(parts[k].e_sneak) << ','
          << csv_number(parts[k].e_sense) << ',' << parts[k].reverse_cells;
    else
      out << ",,,,";
    if (r.transient) out << transient_columns_cells(*r.transient, k);
    out << '\n';
  }
}

void write_cells_csv(const RunResult& r, std::ostream& out) {
  const TileSolution& s = r.spice ? *r.spice : *r.nodal;
  const TileSpec& t = r.tile;
  const int PC = t.phys_cols();
  out << "vector,row,col,g,v_wl,v_bl,v_cell,i_cell\n";
  std::string line;
  for (int v = 0; v < s.vectors; ++v)
    for (int i = 0; i < t.rows; ++i)
      for (int j = 0; j < PC; ++j) {
        const std::size_t k = static_cast<std::size_t>(i) * PC + j;
        const double g = t.g_at(i, j);
        const double vc = s.device_voltage(v, k);
        line.clear();
        fmt::format_to(std::back_inserter(line), "{},{},{},{},{},{},{},{}\n", v, i, j, g, s.v_wl[v][k], s.v_bl[v][k], vc,
                       g > 0 ? t.model.current(g, vc) : 0.0);
        out << line;
      }
}

void write_run_outputs(const RunResult& r, const std::filesystem::path& dir) {
  if (r.read) return write_read_outputs(r, dir);
  std::filesystem::create_directories(dir);
  write_file_atomically(dir / "resolved.yaml", resolved_yaml(r.config));
  if (!r.netlist.empty()) {
    write_file_atomically(dir / "netlist.cir", [&](std::ostream& out) {
      for (const auto& line : r.netlist) out << line << '\n';
    });
  }
  write_file_atomically(dir / "columns.csv", [&](std::ostream& out) { write_columns_csv(r, out); });
  if (r.spice || r.nodal)
    write_file_atomically(dir / "cells.csv", [&](std::ostream& out) { write_cells_csv(r, out); });
  write_transient_outputs(r, dir);
  write_file_atomically(dir / "summary.json", summary_json(r));
}

}  // namespace xbar
