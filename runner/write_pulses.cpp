// Write pulse trains on dynamic cells (see write_pulses.hpp).
#include "runner/write_pulses.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <span>
#include <stdexcept>

#include <fmt/format.h>

#include "netlist_gen/transient_circuit.hpp"
#include "runner/transient_job.hpp"

namespace xbar {
namespace {

Element& element_named(Circuit& c, const std::string& name) {
  auto it = std::find_if(c.elements.begin(), c.elements.end(), [&](const Element& e) { return e.name == name; });
  if (it == c.elements.end()) throw std::logic_error("source " + name + " is missing");
  return *it;
}

std::size_t at(const TileSpec& tile, int i, int j) { return static_cast<std::size_t>(i) * tile.phys_cols() + j; }

}  // namespace

double write_phase_length(const std::vector<WritePulse>& writes) {
  double t = 0;
  for (const auto& w : writes) t += w.count * w.period;
  return t;
}

std::pair<std::vector<double>, std::vector<double>> write_line_waveform(const std::vector<WritePulse>& writes,
                                                                        const TranSettings& s, bool word_line,
                                                                        int index) {
  std::vector<double> t, v;
  append_pwl_point(t, v, 0.0, 0.0);
  double start = 0;
  for (const auto& w : writes) {
    const bool selected = word_line ? w.row == index : w.col == index;
    // V/2 scheme: selected WL at v, selected BL at 0, every other line at v/2.
    const double level = selected ? (word_line ? w.v : 0.0) : 0.5 * w.v;
    for (int k = 0; k < w.count; ++k) {
      const double t0 = start + k * w.period;
      append_pwl_point(t, v, t0, 0.0);
      append_pwl_point(t, v, t0 + s.rise, level);
      append_pwl_point(t, v, t0 + s.rise + w.width, level);
      append_pwl_point(t, v, t0 + s.rise + w.width + s.fall, 0.0);
    }
    start += w.count * w.period;
  }
  append_pwl_point(t, v, std::max(start, t.back()), 0.0);
  if (t.size() < 2) append_pwl_point(t, v, 1e-12, 0.0);
  return {std::move(t), std::move(v)};
}

void check_writes(const Config& config, bool dynamic_model) {
  const auto& writes = config.analysis.tran.write;
  if (writes.empty()) return;
  Diagnostics d;
  const auto& s = config.analysis.tran;
  if (!dynamic_model)
    d.error(writes.front().pos, fmt::format("writes need a dynamic device.model (yakopcic, vteam, stanford_pku); "
                                            "'{}' has no state to write",
                                            config.device.model));
  if (config.periphery.sense != SenseKind::kVirtualGround)
    d.error(config.where("periphery.sense"),
            "writes drive the bit lines through their sense sources: they need "
            "periphery.sense: virtual_ground");
  for (const auto& w : writes)
    if (w.period < s.rise + w.width + s.fall)
      d.error(w.pos, fmt::format("a pulse with its edges lasts {:g} s, longer than its period ({:g} s)",
                                 s.rise + w.width + s.fall, w.period));
  if (!d.empty()) throw InputError(std::move(d));
}

void make_cells_dynamic(Circuit& c, const TileSpec& tile, const DynamicModel& m, const std::vector<double>& states) {
  place_dynamic_cells(c, m, states, tile.phys_cols());
  std::set<std::string> seen(c.saves.begin(), c.saves.end());
  for (int i = 0; i < tile.rows; ++i)
    for (int j = 0; j < tile.phys_cols(); ++j)
      if (tile.g_at(i, j) > 0 && seen.insert(dynamic_state_node(i, j)).second)
        c.saves.push_back(dynamic_state_node(i, j));
}

Circuit make_write_circuit(const TileSpec& tile, const TranSpec& tran, const DynamicModel& m,
                           const std::vector<double>& states, const std::vector<WritePulse>& writes) {
  TileSpec one = tile;
  one.inputs.assign(1, std::vector<double>(static_cast<std::size_t>(tile.rows), 0.0));
  TranSpec wt = tran;
  wt.waveforms.clear();
  wt.keep_all_voltages = false;
  Circuit c = make_transient_circuit(one, wt);
  c.title += " write";
  for (int i = 0; i < tile.rows; ++i) {
    Element& e = element_named(c, c.map.driver_source.at(static_cast<std::size_t>(i)));
    std::tie(e.pwl_time, e.pwl_value) = write_line_waveform(writes, tran.settings, true, i);
  }
  for (int j = 0; j < tile.phys_cols(); ++j) {
    Element& e = element_named(c, c.map.sense_source.at(static_cast<std::size_t>(j)));
    e.kind = ElementKind::kPwlSource;
    std::tie(e.pwl_time, e.pwl_value) = write_line_waveform(writes, tran.settings, false, j);
  }
  c.saves.clear();
  make_cells_dynamic(c, one, m, states);
  return c;
}

std::vector<double> final_states(const SimResult& r, const TileSpec& tile, const std::vector<double>& fallback) {
  std::vector<double> s = fallback;
  for (int i = 0; i < tile.rows; ++i)
    for (int j = 0; j < tile.phys_cols(); ++j) {
      if (tile.g_at(i, j) <= 0) continue;
      const std::string name = dynamic_state_node(i, j);
      const auto state = r.vectors.find(name);
      if (!state || state->empty())
        throw SimulationError(fmt::format("ngspice returned no state vector '{}'", name), r.log);
      if (!std::isfinite(state->back()))
        throw SimulationError(fmt::format("the state of cell ({}, {}) is not finite", i, j), r.log);
      s[at(tile, i, j)] = state->back();
    }
  return s;
}

void run_write_phase(const Config& config, TileSpec& tile, const TranSpec& tran, const DynamicModel& m, Simulator& sim,
                     DynamicRun& run) {
  run.model = m.info->name;
  run.state_param = m.state_param;
  run.state_unit = m.state_unit;
  run.states_initial = states_from_conductances(m, tile.g);
  run.states_written = run.states_initial;
  const auto& writes = config.analysis.tran.write;
  if (writes.empty()) return;
  const Circuit c = make_write_circuit(tile, tran, m, run.states_initial, writes);
  TileSpec one = tile;
  one.inputs.resize(1);
  require_sound_circuit(c, one, "write circuit");
  double shortest = writes.front().width;
  for (const auto& w : writes) shortest = std::min(shortest, w.width);
  const double step = shortest / 20;  // edges are breakpoints; the flat tops need only this
  run.write_time_s = write_phase_length(writes);
  run.write_command = fmt::format("tran {:.17g} {:.17g} 0 {:.17g} uic", step, run.write_time_s, step);
  run.write_netlist = write_spice_netlist(c);
  const SimResult res = sim.run(run.write_netlist, run.write_command);
  run.write_spice_elapsed_s = res.elapsed_s;
  run.write_warnings = res.warnings;
  const auto time_points = res.vectors.find("time");
  if (!time_points || time_points->size() < 2)
    throw SimulationError("ngspice returned no time points for the write transient", res.log);
  const std::span<const double> time = *time_points;
  run.write_time_points = time.size();
  run.states_written = final_states(res, tile, run.states_initial);

  std::set<std::size_t> selected;
  double start = 0;
  for (const auto& w : writes) {
    WrittenCell wc;
    wc.train = w;
    wc.t_start = start;
    wc.t_end = start + w.count * w.period;
    start = wc.t_end;
    const std::size_t k = at(tile, w.row, w.col);
    selected.insert(k);
    if (tile.g[k] > 0) {
      const std::span<const double> trace = res.vectors.at(dynamic_state_node(w.row, w.col));
      wc.state_before = sample_at(time, trace, wc.t_start);
      wc.state_after = sample_at(time, trace, wc.t_end);
    } else {
      wc.state_before = wc.state_after = run.states_initial[k];  // absent cell: nothing to write
    }
    wc.g_before = tile.g[k] > 0 ? m.g_of_state(wc.state_before) : 0.0;
    wc.g_after = tile.g[k] > 0 ? m.g_of_state(wc.state_after) : 0.0;
    run.writes.push_back(wc);
  }
  for (std::size_t k = 0; k < tile.g.size(); ++k) {
    if (tile.g[k] <= 0) continue;
    if (!selected.count(k))
      run.max_unselected_write_change =
          std::max(run.max_unselected_write_change, std::fabs(run.states_written[k] - run.states_initial[k]));
    tile.g[k] = m.g_of_state(run.states_written[k]);  // the read sees the written array
  }
}

}  // namespace xbar
