#include "runner/read_job.hpp"

#include "runner/klu_check.hpp"

#include <chrono>
#include <cmath>
#include <functional>
#include <limits>
#include <memory>
#include <span>
#include <stdexcept>

#include <fmt/format.h>

#include "analysis/tile_analysis.hpp"
#include "common/diagnostics.hpp"
#include "common/stop_condition.hpp"
#include "device_tables/transistor_tables.hpp"
#include "runner/convergence_ladder.hpp"
#include "runner/run_job.hpp"
#include "runner/spice_engine.hpp"
#include "tile/cell_current.hpp"

namespace xbar {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

std::span<const double> vector_of(const SimResult& r, const std::string& name) {
  const auto values = r.vectors.find(name);
  if (!values || values->size() != 1)
    throw SimulationError(fmt::format("ngspice returned no single-point vector '{}'", name), r.log);
  if (!std::isfinite((*values)[0]))
    throw SimulationError(fmt::format("ngspice vector '{}' is not finite", name), r.log);
  return *values;
}

double node_voltage(const SimResult& r, const Circuit& c, NodeId n) {
  if (n == kGround) return 0.0;
  return vector_of(r, c.node_names.at(static_cast<std::size_t>(n)))[0];
}

ReadCircuit checked_read_circuit(const Config& config, const TileSpec& tile, const ReadSetup& setup) {
  try {
    return build_read_circuit(tile, setup);
  } catch (const std::runtime_error& e) {
    Diagnostics d;
    d.error(config.where("analysis.read.bias"), e.what());
    throw InputError(std::move(d));
  }
}

// The same tile with the selected cell programmed to `g`.
TileSpec with_selected(const TileSpec& tile, const ReadSetup& s, double g) {
  TileSpec t = tile;
  t.g[static_cast<std::size_t>(s.row) * t.phys_cols() + s.col] = g;
  return t;
}

SneakGraphInput sneak_graph(const TileSpec& t, const ReadSetup& setup, const LineTerminals& lines) {
  SneakGraphInput in;
  in.rows = t.rows;
  in.cols = t.phys_cols();
  in.g = t.g;
  in.sel_row = setup.row;
  in.sel_col = setup.col;
  for (int i = 0; i < t.rows; ++i) in.row_voltage.push_back(lines.row_driven[i] ? t.inputs[0][i] : kNaN);
  for (int j = 0; j < in.cols; ++j)
    in.col_voltage.push_back(j == setup.col ? 0.0 : (lines.col_held[j] ? lines.v_held : kNaN));
  return in;
}

}  // namespace

ReadSetup read_setup(const Config& config, const TileSpec& tile) {
  const auto& r = config.analysis.read;
  Diagnostics d;
  if (tile.cell->differential)
    d.error(config.where("tile.cell"),
            fmt::format("analysis read selects one physical cell: {} uses two per output; use "
                        "a kind with one column per output (1R, 1T1R)",
                        to_string(tile.cell)));
  if (r.row >= tile.rows)
    d.error(config.where("analysis.read.row"), fmt::format("row {} is outside the tile's {} rows", r.row, tile.rows));
  if (r.col >= tile.phys_cols())
    d.error(config.where("analysis.read.col"),
            fmt::format("column {} is outside the tile's {} columns", r.col, tile.phys_cols()));
  if (!d.empty()) throw InputError(std::move(d));
  return ReadSetup{r.row, r.col, r.v_read, r.bias};
}

JobCircuit read_job_circuit(const Config& config, const TileSpec& tile) {
  Circuit c = checked_read_circuit(config, tile, read_setup(config, tile)).circuit;
  std::string command = analysis_command(c);
  return {std::move(c), std::move(command)};
}

namespace {

// SPICE's read as a TileSolution of the read tile, as the nodal engine
// returns it: an undriven row delivers no current and a floating column
// takes none; a biased column's array current is its bias source's current;
// the sensed column's is what I_j is in op mode.
TileSolution spice_read_solution(const ReadCircuit& rc, const SimResult& r) {
  const Circuit& c = rc.circuit;
  const TileSpec& t = rc.tile;
  const int R = t.rows, PC = t.phys_cols();
  TileSolution s;
  s.engine = "spice";
  s.allocate(1, R, PC, !c.map.cell_mid.empty());
  for (std::size_t k = 0; k < s.v_wl[0].size(); ++k) {
    s.v_wl[0][k] = node_voltage(r, c, c.map.wl[k]);
    s.v_bl[0][k] = node_voltage(r, c, c.map.bl[k]);
    if (!c.map.cell_mid.empty()) s.v_mid[0][k] = node_voltage(r, c, c.map.cell_mid[k]);
  }
  for (int i = 0; i < R; ++i)
    if (rc.lines.row_driven[i]) s.driver_current[0][i] = -vector_of(r, c.map.driver_source[i] + "#branch")[0];
  for (int j = 0; j < PC; ++j) {
    if (j == rc.setup.col && t.sense == SenseKind::kTia) {
      const double vs = node_voltage(r, c, c.map.sense[j]);
      const double vo = node_voltage(r, c, c.map.tia_out[j]);
      s.column_current[0][j] = -vo / t.tia_r_f;
      s.array_current[0][j] = (vs - vo) / t.tia_r_f;
      continue;
    }
    if (!rc.col_source[j].empty()) s.array_current[0][j] = vector_of(r, rc.col_source[j] + "#branch")[0];
    s.column_current[0][j] = s.array_current[0][j];
  }
  return s;
}

}  // namespace

ReadSample read_sample(const TileSpec& t, const ReadSetup& s, const TileSolution& sol) {
  const int R = t.rows, PC = t.phys_cols();
  const std::size_t n = static_cast<std::size_t>(R) * PC;
  ReadSample out;
  out.elapsed_s = sol.elapsed_s;
  out.warnings = sol.warnings;
  out.g_selected = t.g_at(s.row, s.col);
  out.i_cell_ideal = out.g_selected * s.v_read;
  out.v_wl = sol.v_wl[0];
  out.v_bl = sol.v_bl[0];
  out.i_cells.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    const double v_low = sol.v_mid.empty() ? out.v_bl[k] : sol.v_mid[0][k];
    out.i_cells[k] = cell_current(t, t.g[k], out.v_wl[k], v_low, out.v_bl[k]);
  }
  out.i_sense = sol.column_current[0][s.col];
  out.i_array = sol.array_current[0][s.col];
  const std::size_t sel = static_cast<std::size_t>(s.row) * PC + s.col;
  out.i_cell = out.i_cells[sel];
  out.i_sneak = out.i_array - out.i_cell;
  out.sneak_fraction = out.i_array != 0 ? out.i_sneak / out.i_array : 0.0;
  double column_sum = 0, scale = 0;
  for (int i = 0; i < R; ++i) {
    column_sum += out.i_cells[static_cast<std::size_t>(i) * PC + s.col];
    scale = std::max(scale, std::fabs(out.i_cells[static_cast<std::size_t>(i) * PC + s.col]));
  }
  scale = std::max(scale, std::fabs(out.i_array));
  out.kcl_residual = scale > 0 ? std::fabs(out.i_array - column_sum) / scale : 0.0;
  check_solution(t, sol);
  for (int i = 0; i < R; ++i)
    for (int j = 0; j < PC; ++j) {
      const std::size_t k = static_cast<std::size_t>(i) * PC + j;
      if (k == sel || t.g[k] <= 0) continue;
      const double v = std::fabs(out.v_wl[k] - out.v_bl[k]);
      out.max_unselected_v = std::max(out.max_unselected_v, v);
      if (i == s.row || j == s.col) out.max_half_selected_v = std::max(out.max_half_selected_v, v);
    }
  return out;
}

TileSolution solve_read_nodal(const ReadLines& lowered, const NodalOptions& opt) {
  NodalOptions o = opt;
  o.terminals = &lowered.lines;
  return solve_nodal(lowered.tile, o);
}

ReadSample solve_read_nodal(const TileSpec& tile, const ReadSetup& setup, const NodalOptions& opt) {
  const ReadLines lowered = read_lines(tile, setup);
  return read_sample(lowered.tile, setup, solve_read_nodal(lowered, opt));
}

RungOrder read_rung_order(const ReadCircuit& rc) {
  return rc.setup.bias == ReadBias::kFloating && rc.tile.access_transistors() ? RungOrder::kRelaxedFirst
                                                                              : RungOrder::kStrictFirst;
}

ReadSample solve_read(const ReadCircuit& rc, Simulator& sim, const std::vector<std::string>& netlist,
                      SpiceSolveOptions options) {
  if (!options.order) options.order = read_rung_order(rc);
  ReadSample out;
  climb_from_start(
      sim, rc.circuit, netlist,
      [&](const SimResult& r) {
        TileSolution sol = spice_read_solution(rc, r);
        sol.elapsed_s = r.elapsed_s;
        sol.warnings = r.warnings;
        out = read_sample(rc.tile, rc.setup, sol);
      },
      options);
  return out;
}

namespace {

double read_margin_of(const ReadSample& lrs, const ReadSample& hrs) {
  return lrs.i_sense != 0 ? (lrs.i_sense - hrs.i_sense) / lrs.i_sense : 0.0;
}

// The three reads on the nodal engine.  One table set serves all three (the
// drives and gates are the same; only the selected cell's device differs).
// `read_tile`: the stored pattern lowered by read_lines(), whose gates and
// inputs the tables cover.  `solutions`, when given, receives the three
// solutions (stored, LRS, HRS): SPICE's starting points.
NodalReads nodal_reads(const Config& config, const TileSpec& tile, const TileSpec& read_tile, const ReadSetup& setup,
                       const SimLimits& limits, std::vector<TileSolution>* solutions = nullptr) {
  const StopCondition stop(limits.time_limit_s);
  NodalOptions opt{.stop = &stop};
  std::shared_ptr<const TransistorTables> tables;
  if (tile.access_transistors()) opt.transistor_tables = (tables = transistor_tables(read_tile)).get();
  auto read = [&](const TileSpec& t) {
    try {
      const ReadLines lowered = read_lines(t, setup);
      TileSolution sol = solve_read_nodal(lowered, opt);
      ReadSample sample = read_sample(lowered.tile, setup, sol);
      if (solutions) solutions->push_back(std::move(sol));
      return sample;
    } catch (const std::invalid_argument& e) {  // a floating group of lines with no DC path
      Diagnostics d;
      d.error(config.where("analysis.read.bias"), e.what());
      throw InputError(std::move(d));
    }
  };
  NodalReads n;
  n.stored = read(tile);
  n.lrs = read(with_selected(tile, setup, config.device.g_on));
  n.hrs = read(with_selected(tile, setup, config.device.g_off));
  n.read_margin = read_margin_of(n.lrs, n.hrs);
  return n;
}

// Largest engine difference of a read's currents, relative to `scale` (the
// full scale of the sensed current: the largest SPICE |i_sense| of the three
// reads).
double read_difference(const ReadSample& spice, const ReadSample& nodal, double scale) {
  double worst = 0;
  for (auto q : {&ReadSample::i_sense, &ReadSample::i_array, &ReadSample::i_cell, &ReadSample::i_sneak})
    worst = std::max(worst, std::fabs(spice.*q - nodal.*q) / scale);
  return worst;
}

}  // namespace

ReadReport run_read_job(const Config& config, const TileSpec& tile, Simulator* simulator, const SimLimits& limits,
                        std::vector<std::string>* netlist_out, Reporter* reporter) {
  ReadReport rep;
  rep.setup = read_setup(config, tile);
  const EngineKind engine = config.simulator.engine;
  const ReadLines lowered = read_lines(tile, rep.setup);  // the stored-pattern read's lines, once
  // SPICE's reads of a transistor tile start from the nodal engine's, as
  // the op does (runner/spice_engine.hpp): with `engine: both` those are
  // the nodal result too, and their failure the job's.
  std::vector<TileSolution> starts;
  std::vector<TileSolution>* keep_starts =
      engine != EngineKind::kNodal && has_real_transistors(config) ? &starts : nullptr;
  if (engine != EngineKind::kSpice) {
    rep.nodal = nodal_reads(config, tile, lowered.tile, rep.setup, limits, keep_starts);
  } else if (keep_starts) {
    const std::function<NodalReads()> solve = [&] {
      return nodal_reads(config, tile, lowered.tile, rep.setup, limits, keep_starts);
    };
    if (!nodal_start_or_cold(solve, [&](const std::exception& e) {
          if (reporter) reporter->note(fmt::format("SPICE reads start cold: the nodal engine failed: {}", e.what()));
        }))
      starts.clear();
  }
  auto start = [&](std::size_t k) { return k < starts.size() ? &starts[k] : nullptr; };
  rep.read_tile = lowered.tile;
  if (engine == EngineKind::kNodal) {
    rep.engine = "nodal";
    rep.stored = rep.nodal->stored;
    rep.lrs = rep.nodal->lrs;
    rep.hrs = rep.nodal->hrs;
    rep.nodal.reset();
  } else {
    std::unique_ptr<Simulator> own;
    simulator = &job_simulator(simulator, limits, static_cast<long long>(tile.rows) * tile.phys_cols(), nullptr, own);
    const ReadCircuit stored = checked_read_circuit(config, tile, rep.setup);
    rep.netlist = write_spice_netlist(stored.circuit);
    if (netlist_out) *netlist_out = rep.netlist;
    rep.stored = solve_read(stored, *simulator, rep.netlist, {.warm_start = start(0), .rung = &rep.spice_convergence});
    rep.ngspice_version = simulator->version();
    // The LRS and HRS reads differ from the stored one in one conductance:
    // their climb starts at the rung that solved it.
    auto read_with = [&](double g, const TileSolution* warm_start) {
      const ReadCircuit rc = checked_read_circuit(config, with_selected(tile, rep.setup, g), rep.setup);
      std::string rung;
      ReadSample sample = solve_read(rc, *simulator, write_spice_netlist(rc.circuit),
                                     {.warm_start = warm_start, .rung = &rung, .first_rung = rep.spice_convergence});
      rep.spice_convergence = later_rung(rep.spice_convergence, rung);
      return sample;
    };
    rep.lrs = read_with(config.device.g_on, start(1));
    rep.hrs = read_with(config.device.g_off, start(2));
  }
  rep.read_margin = read_margin_of(rep.lrs, rep.hrs);
  rep.margin_ok = rep.read_margin >= config.analysis.read.margin_target;
  if (rep.nodal) {
    const double scale =
        std::max({std::fabs(rep.stored.i_sense), std::fabs(rep.lrs.i_sense), std::fabs(rep.hrs.i_sense), 1e-30});
    rep.spice_vs_nodal = std::max(
        {read_difference(rep.stored, rep.nodal->stored, scale), read_difference(rep.lrs, rep.nodal->lrs, scale),
         read_difference(rep.hrs, rep.nodal->hrs, scale), std::fabs(rep.read_margin - rep.nodal->read_margin)});
  }
  rep.paths = find_sneak_paths(sneak_graph(lowered.tile, rep.setup, lowered.lines), config.analysis.read.max_path_cells,
                               config.analysis.read.top_paths);
  // Below this the sneak current is numerical noise (e.g. grounded lines
  // with no wire resistance), and a ratio would mean nothing.  The
  // estimate counts device conductances only: with access transistors the
  // unselected cells' gates are off and carry transistor leakage, which no
  // path estimate models, so the ratio is left out there, as for any cell
  // with a second part (a selector's law is not in the estimate either).
  const double noise = 1e-12 * std::max(std::fabs(rep.stored.i_array), 1e-30);
  if (!tile.inner_node() && std::fabs(rep.stored.i_sneak) > noise)
    rep.path_factor = rep.paths.total_est / rep.stored.i_sneak;
  return rep;
}

}  // namespace xbar
