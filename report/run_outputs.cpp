#include "report/run_outputs.hpp"

#include <algorithm>
#include <future>
#include <iterator>
#include <ostream>
#include <stdexcept>

#include <fmt/compile.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "analysis/error_decomposition.hpp"
#include "config_loader/loader.hpp"
#include "report/analysis_outputs.hpp"
#include "report/cell_selection.hpp"
#include "report/result_set.hpp"
#include "tile/cell_current.hpp"

namespace xbar {

std::string csv_number(double v) { return fmt::format("{}", v); }

namespace {

std::string opt_number(const std::optional<double>& v) { return v ? csv_number(*v) : std::string(); }

}  // namespace

std::string summary_json(const RunResult& r) {
  using nlohmann::json;
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
      {"metrics", json::object()},  // a metric that was not computed is absent, never 0
      {"warnings", r.warnings},
  };
  if (!r.ngspice_version.empty()) j["ngspice_version"] = r.ngspice_version;  // SPICE ran (op, read or tran)
  if (!r.spice_convergence.empty()) j["spice_convergence"] = r.spice_convergence;
  if (r.spice) j["spice_elapsed_s"] = r.spice->elapsed_s;
  if (r.nodal) j["nodal_elapsed_s"] = r.nodal->elapsed_s;
  for (const AnalysisOutputs* e : analysis_outputs_of(r)) {
    put_figures(*e, r, j["metrics"]);
    if (e->summary_blocks) e->summary_blocks(r, j);
  }
  return j.dump(2) + "\n";
}

void write_columns_csv(const RunResult& r, std::ostream& out) {
  const bool adc = r.tile.adc_bits > 0;
  // The error split of analysis/error_decomposition.hpp (1R; empty otherwise).
  const TileSolution* primary = r.spice ? &*r.spice : (r.nodal ? &*r.nodal : nullptr);
  const auto parts = primary ? decompose_column_errors(r.tile, *primary) : std::vector<ColumnErrorParts>{};
  // Each analysis' columns (its entry's group) after the op column it names.
  std::vector<const AnalysisOutputs*> groups;
  for (const AnalysisOutputs* e : analysis_outputs_of(r)) {
    if (!e->columns_csv.cells) continue;
    if (e->columns_csv.after != "reverse_cells" && e->columns_csv.after != "e_nonlinear")
      throw std::logic_error(
          fmt::format("columns.csv has no column '{}' to place {}'s columns after", e->columns_csv.after, e->name));
    groups.push_back(e);
  }
  const auto headers_after = [&](std::string_view col) {
    for (const AnalysisOutputs* e : groups)
      if (e->columns_csv.after == col) out << e->columns_csv.header;
  };
  const auto cells_after = [&](std::string_view col, std::size_t k) {
    for (const AnalysisOutputs* e : groups)
      if (e->columns_csv.after == col) out << e->columns_csv.cells(r, k);
  };
  // New columns go at the end: readers that count columns keep working.
  out << "vector,col,i_ideal,i_spice,i_nodal,rel_err" << (adc ? ",i_adc" : "") << ",e_ir,e_sneak,e_sense,reverse_cells";
  headers_after("reverse_cells");
  out << ",i_target,e_nonlinear";
  headers_after("e_nonlinear");
  out << '\n';
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
    cells_after("reverse_cells", k);
    out << ',' << opt_number(c.i_target) << ',' << (k < parts.size() ? csv_number(parts[k].e_nonlinear) : "");
    cells_after("e_nonlinear", k);
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
        // The format parsed at compile time, written straight into the buffer.
        fmt::format_to(fmt::appender(buf), FMT_COMPILE("{},{},{},{},{},{},{},{}\n"), v, i, j, g, s.v_wl[v][k],
                       s.v_bl[v][k], vc, cell_current(t, g, s.v_wl[v][k], s.v_wl[v][k] - vc, s.v_bl[v][k]));
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
  // The inputs' files on a second thread (the machine has two cores), the
  // results' files here; summary.json only once both are done.
  auto inputs = std::async(std::launch::async, [&] {
    set.write("resolved.yaml", resolved_yaml(r.config));
    if (!r.netlist.empty()) set.write("netlist.cir", netlist_text(r.netlist));
  });
  try {
    for (const AnalysisOutputs* e : analysis_outputs_of(r))
      if (e->write_files) e->write_files(r, set);
  } catch (...) {
    inputs.wait();  // the other thread uses `set` too
    throw;
  }
  inputs.get();  // rethrows its failure
  set.write("summary.json", summary_json(r));
  set.commit();
}

// op, and the product a transient samples: every run that computes the
// matrix-vector product (all but a read).
namespace {

using Opt = std::optional<double>;

const Metrics& metrics_of(const RunResult& r) { return r.analysis.metrics; }
bool has_product(const RunResult& r) { return !r.read; }
// The error figures of the primary engine: absent when no engine's output was scored.
Opt scored(const RunResult& r, double v) { return r.analysis.primary.empty() ? Opt() : Opt(v); }

constexpr FigureDef kOpFigures[] = {
    {"max_rel_err", QuantityKind::kError, [](const RunResult& r) { return scored(r, metrics_of(r).max_rel_err); }},
    {"mean_rel_err", QuantityKind::kError, [](const RunResult& r) { return scored(r, metrics_of(r).mean_rel_err); }},
    {"nrmse", QuantityKind::kError, [](const RunResult& r) { return scored(r, metrics_of(r).nrmse); }},
    {"max_ir_drop", QuantityKind::kError, [](const RunResult& r) { return metrics_of(r).max_ir_drop; }},
    {"mean_ir_drop", QuantityKind::kError, [](const RunResult& r) { return metrics_of(r).mean_ir_drop; }},
    {"max_ir_drop_v", QuantityKind::kVoltage, [](const RunResult& r) { return metrics_of(r).max_ir_drop_v; }},
    {"max_err_fs", QuantityKind::kError, [](const RunResult& r) { return metrics_of(r).max_err_fs; }},
    {"mean_err_fs", QuantityKind::kError, [](const RunResult& r) { return metrics_of(r).mean_err_fs; }},
    {"max_rel_err_target", QuantityKind::kError, [](const RunResult& r) { return metrics_of(r).max_rel_err_target; }},
    {"mean_rel_err_target", QuantityKind::kError, [](const RunResult& r) { return metrics_of(r).mean_rel_err_target; }},
    {"nrmse_target", QuantityKind::kError, [](const RunResult& r) { return metrics_of(r).nrmse_target; }},
    {"spice_vs_nodal", QuantityKind::kAgreement, [](const RunResult& r) { return metrics_of(r).spice_vs_nodal; }},
    {"adc_max_rel_err", QuantityKind::kError, [](const RunResult& r) { return metrics_of(r).adc_max_rel_err; }},
    // A relative residual, a bound like an agreement.
    {"kcl_residual", QuantityKind::kAgreement,
     [](const RunResult& r) {
       const auto& k = metrics_of(r).kcl;
       return k ? Opt(std::max({k->worst_global, k->worst_column, k->worst_row})) : Opt();
     }},
};

constexpr ColumnFigureDef kOpColumnFigures[] = {
    {"i_ideal", QuantityKind::kCurrent}, {"i_spice", QuantityKind::kCurrent},  {"i_nodal", QuantityKind::kCurrent},
    {"rel_err", QuantityKind::kError},   {"i_target", QuantityKind::kCurrent},
};

void op_column_values(const RunResult& r, FigureValues& out) {
  auto put = [&](std::string_view what, const ColumnRecord& c, const Opt& v) {
    if (v) out.emplace_back(column_figure_name(what, c.vector, c.col), *v);
  };
  for (const ColumnRecord& c : r.analysis.columns) {
    put("i_ideal", c, c.i_ideal);
    put("i_spice", c, c.i_spice);
    put("i_nodal", c, c.i_nodal);
    put("rel_err", c, c.rel_err);
    put("i_target", c, c.i_target);
  }
}

constexpr std::string_view kOpFiles[] = {"columns.csv", "cells.csv"};

void write_op_files(const RunResult& r, ResultSetWriter& set) {
  set.write("columns.csv", [&](std::ostream& out) { write_columns_csv(r, out); });
  // Not written (output.cells: none): the commit removes an earlier run's.
  if ((r.spice || r.nodal) && !select_cells(r.config.output.cells, r.tile.rows, r.tile.phys_cols()).empty())
    set.write("cells.csv", [&](std::ostream& out) { write_cells_csv(r, out); });
}

// The few figures a user looks at first; the files hold the rest.
void op_terminal(const RunResult& r, std::string& out) {
  auto shown = [&](std::string_view name) {
    const Opt v = figure_value(r, name);
    return v ? fmt::format("{:.4e}", *v) : "not computed";
  };
  const std::string rel = fmt::format("max_rel_err {}  mean_rel_err {}  nrmse {}  max_ir_drop {}", shown("max_rel_err"),
                                      shown("mean_rel_err"), shown("nrmse"), shown("max_ir_drop"));
  const std::string fs = fmt::format("max_err_fs {}  mean_err_fs {}  (of full scale {:.4e} A)", shown("max_err_fs"),
                                     shown("mean_err_fs"), r.tile.i_full_scale);
  // A signed output (2T2R) crosses 0, where a relative error means nothing:
  // the error over the column's full scale leads there.
  if (r.tile.cell->differential)
    out += fmt::format("  {}\n  {}\n", fs, rel);
  else
    out += fmt::format("  {}\n  {}\n", rel, fs);
  out += fmt::format("  against the intended weights: max_rel_err_target {}  nrmse_target {}\n",
                     shown("max_rel_err_target"), shown("nrmse_target"));
  if (const Opt v = figure_value(r, "spice_vs_nodal")) out += fmt::format("  spice_vs_nodal {:.3e}\n", *v);
}

}  // namespace

constinit const AnalysisOutputs kOpOutputs{
    .name = "op",
    .applies = has_product,
    .figures = kOpFigures,
    .column_figures = kOpColumnFigures,
    .column_values = op_column_values,
    .columns_csv = {},  // columns.csv is op's own file: its columns are the file's fixed ones
    .files = kOpFiles,
    .write_files = write_op_files,
    .summary_blocks = nullptr,
    .terminal = op_terminal,
};

}  // namespace xbar
