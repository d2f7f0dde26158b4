#include "report/run_outputs.hpp"

#include <future>
#include <iterator>
#include <ostream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "analysis/error_decomposition.hpp"
#include "config_loader/loader.hpp"
#include "report/cell_selection.hpp"
#include "report/noise_outputs.hpp"
#include "report/read_outputs.hpp"
#include "report/result_set.hpp"
#include "report/transient_outputs.hpp"
#include "tile/cell_current.hpp"

namespace xbar {

std::string csv_number(double v) { return fmt::format("{}", v); }

namespace {

std::string opt_number(const std::optional<double>& v) { return v ? csv_number(*v) : std::string(); }

}  // namespace

std::string summary_json(const RunResult& r) {
  using nlohmann::json;
  const Metrics& m = r.analysis.metrics;
  // A metric that was not computed is absent, never 0.
  json metrics = json::object();
  if (!r.analysis.primary.empty()) {
    metrics["max_rel_err"] = m.max_rel_err;
    metrics["mean_rel_err"] = m.mean_rel_err;
    metrics["nrmse"] = m.nrmse;
  }
  auto put = [&](const char* name, const std::optional<double>& v) {
    if (v) metrics[name] = *v;
  };
  put("max_err_fs", m.max_err_fs);
  put("mean_err_fs", m.mean_err_fs);
  put("max_rel_err_target", m.max_rel_err_target);
  put("mean_rel_err_target", m.mean_rel_err_target);
  put("nrmse_target", m.nrmse_target);
  put("max_ir_drop", m.max_ir_drop);
  put("mean_ir_drop", m.mean_ir_drop);
  put("max_ir_drop_v", m.max_ir_drop_v);
  if (m.kcl) metrics["kcl_residual"] = std::max({m.kcl->worst_global, m.kcl->worst_column, m.kcl->worst_row});
  put("spice_vs_nodal", m.spice_vs_nodal);
  put("adc_max_rel_err", m.adc_max_rel_err);
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
      {"warnings", r.warnings},
  };
  if (!r.ngspice_version.empty()) j["ngspice_version"] = r.ngspice_version;  // SPICE ran (op, read or tran)
  if (!r.spice_convergence.empty()) j["spice_convergence"] = r.spice_convergence;
  if (r.spice) j["spice_elapsed_s"] = r.spice->elapsed_s;
  if (r.nodal) j["nodal_elapsed_s"] = r.nodal->elapsed_s;
  if (r.transient) add_transient_summary(*r.transient, j["metrics"], j);
  if (r.noise) add_noise_summary(r, j["metrics"], j);
  return j.dump(2) + "\n";
}

void write_columns_csv(const RunResult& r, std::ostream& out) {
  const bool adc = r.tile.adc_bits > 0;
  // The error split of analysis/error_decomposition.hpp (1R; empty otherwise).
  const TileSolution* primary = r.spice ? &*r.spice : (r.nodal ? &*r.nodal : nullptr);
  const auto parts = primary ? decompose_column_errors(r.tile, *primary) : std::vector<ColumnErrorParts>{};
  // New columns go at the end: readers that count columns keep working.
  out << "vector,col,i_ideal,i_spice,i_nodal,rel_err" << (adc ? ",i_adc" : "") << ",e_ir,e_sneak,e_sense,reverse_cells"
      << (r.transient ? transient_columns_header() : "") << ",i_target,e_nonlinear"
      << (r.noise ? noise_columns_header() : "") << '\n';
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
    out << ',' << opt_number(c.i_target) << ',' << (k < parts.size() ? csv_number(parts[k].e_nonlinear) : "");
    if (r.noise) out << noise_columns_cells(r, k);
    out << '\n';
  }
}

void write_cells_csv(const RunResult& r, std::ostream& out) {
  const TileSolution& s = r.spice ? *r.spice : *r.nodal;
  const TileSpec& t = r.tile;
  const int PC = t.phys_cols();
  out << "vector,row,col,g,v_wl,v_bl,v_cell,i_cell\n";
  // One line per cell and vector: formatted into a buffer handed to the
  // stream about once per megabyte.
  fmt::memory_buffer buf;
  auto flush = [&] {
    out.write(buf.data(), static_cast<std::streamsize>(buf.size()));
    buf.clear();
  };
  const CellSelection sel = select_cells(r.config.output.cells, t.rows, PC);
  for (int v = 0; v < s.vectors; ++v)
    for (int i : sel.rows) {
      for (int j : sel.cols) {
        const std::size_t k = static_cast<std::size_t>(i) * PC + j;
        const double g = t.g_at(i, j);
        const double vc = s.device_voltage(v, k);
        fmt::format_to(std::back_inserter(buf), "{},{},{},{},{},{},{},{}\n", v, i, j, g, s.v_wl[v][k], s.v_bl[v][k], vc,
                       cell_current(t, g, s.v_wl[v][k], s.v_wl[v][k] - vc, s.v_bl[v][k]));
      }
      if (buf.size() > (1u << 20)) flush();
    }
  flush();
}

namespace {

// The netlist as one block of text: a 256x256 tile is ~200k lines.
std::string netlist_text(const std::vector<std::string>& lines) {
  std::size_t size = 0;
  for (const auto& l : lines) size += l.size() + 1;
  std::string text;
  text.reserve(size);
  for (const auto& l : lines) {
    text += l;
    text += '\n';
  }
  return text;
}

}  // namespace

void write_run_outputs(const RunResult& r, const std::filesystem::path& dir) {
  ResultSetWriter set(dir);
  if (r.read) {
    write_read_outputs(r, set);
  } else {
    // The inputs' files on a second thread (the machine has two cores), the
    // results' files here; summary.json only once both are done.
    auto inputs = std::async(std::launch::async, [&] {
      set.write("resolved.yaml", resolved_yaml(r.config));
      if (!r.netlist.empty()) set.write("netlist.cir", netlist_text(r.netlist));
    });
    try {
      set.write("columns.csv", [&](std::ostream& out) { write_columns_csv(r, out); });
      // Not written (output.cells: none): the commit removes an earlier run's.
      if ((r.spice || r.nodal) && !select_cells(r.config.output.cells, r.tile.rows, r.tile.phys_cols()).empty())
        set.write("cells.csv", [&](std::ostream& out) { write_cells_csv(r, out); });
      write_transient_outputs(r, set);
    } catch (...) {
      inputs.wait();  // the other thread uses `set` too
      throw;
    }
    inputs.get();  // rethrows its failure
    set.write("summary.json", summary_json(r));
  }
  set.commit();
}

}  // namespace xbar
