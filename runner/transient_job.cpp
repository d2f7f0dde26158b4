#include "runner/transient_job.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <memory>
#include <stdexcept>

#include <fmt/format.h>

#include "analysis/tile_analysis.hpp"
#include "common/tolerance.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "nodal/nodal_solver.hpp"
#include "runner/klu_check.hpp"

namespace xbar {

// ---- numerics on piecewise-linear signals --------------------------------

namespace {

// Value of f at t inside the interval [k, k+1] of `time`.
double lerp_in(std::span<const double> time, std::span<const double> f, std::size_t k, double t) {
  const double h = time[k + 1] - time[k];
  if (h <= 0) return f[k + 1];
  return f[k] + (t - time[k]) / h * (f[k + 1] - f[k]);
}

}  // namespace

double sample_at(std::span<const double> time, std::span<const double> f, double t) {
  if (time.empty()) return std::numeric_limits<double>::quiet_NaN();
  if (t <= time.front()) return f.front();
  if (t >= time.back()) return f.back();
  const auto hi = static_cast<std::size_t>(std::upper_bound(time.begin(), time.end(), t) - time.begin());
  return lerp_in(time, f, hi - 1, t);
}

double integrate_product(const std::vector<double>& time, const std::vector<double>& f, const std::vector<double>& g,
                         double a, double b) {
  double sum = 0;
  if (time.size() < 2 || b <= a) return 0;
  // First interval that ends after a.
  auto k = static_cast<std::size_t>(std::upper_bound(time.begin(), time.end(), a) - time.begin());
  k = k == 0 ? 0 : k - 1;
  for (; k + 1 < time.size() && time[k] < b; ++k) {
    const double lo = std::max(time[k], a), hi = std::min(time[k + 1], b);
    if (hi <= lo) continue;
    const double f0 = lerp_in(time, f, k, lo), f1 = lerp_in(time, f, k, hi);
    const double g0 = lerp_in(time, g, k, lo), g1 = lerp_in(time, g, k, hi);
    // Exact integral of the product of two linear functions.
    sum += (hi - lo) / 6.0 * (2 * f0 * g0 + f0 * g1 + f1 * g0 + 2 * f1 * g1);
  }
  return sum;
}

double integrate(const std::vector<double>& time, const std::vector<double>& f, double a, double b) {
  const std::vector<double> one(time.size(), 1.0);
  return integrate_product(time, f, one, a, b);
}

double settling_time(const std::vector<double>& time, const std::vector<double>& f, double a, double b, double band) {
  const double final_value = sample_at(time, f, b);
  const double tol = band * std::fabs(final_value);
  if (tol == 0 || !std::isfinite(tol)) return std::numeric_limits<double>::quiet_NaN();
  auto outside = [&](double v) { return std::fabs(v - final_value) > tol; };
  // Walk back from b to the last point outside the band; the signal enters
  // the band for good between it and the next point.
  auto hi = static_cast<std::size_t>(std::lower_bound(time.begin(), time.end(), b) - time.begin());
  hi = std::min(hi, time.size() - 1);
  for (std::size_t k = hi + 1; k-- > 0;) {
    if (time[k] < a) break;
    if (time[k] > b || !outside(f[k])) continue;
    if (k + 1 >= time.size()) return time[k] - a;
    // Crossing into the band, by linear interpolation.
    const double v0 = f[k], v1 = f[k + 1];
    const double edge = final_value + (v0 > final_value ? tol : -tol);
    const double frac = v1 == v0 ? 1.0 : std::clamp((edge - v0) / (v1 - v0), 0.0, 1.0);
    return time[k] + frac * (time[k + 1] - time[k]) - a;
  }
  return 0.0;  // inside the band at every point of the window
}

// ---- the job ---------------------------------------------------------------

namespace {

double elapsed_seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// The saved vectors of one run, looked up by name, each checked for length.
class TraceSet {
 public:
  explicit TraceSet(const SimResult& r) : r_(r) {
    const auto time = r.vectors.find("time");
    if (!time || time->size() < 2) throw SimulationError("ngspice returned no time points for the transient", r.log);
    time_.assign(time->begin(), time->end());
    for (std::size_t k = 1; k < time_.size(); ++k)
      if (!(time_[k] >= time_[k - 1])) throw SimulationError("ngspice returned time points out of order", r.log);
  }
  const std::vector<double>& time() const { return time_; }
  std::vector<double> get(const SignalSource& s) const {
    if (s.vector.empty()) return std::vector<double>(time_.size(), 0.0);
    const auto values = r_.vectors.find(s.vector);
    if (!values) throw SimulationError(fmt::format("ngspice returned no vector '{}'", s.vector), r_.log);
    if (values->size() != time_.size())
      throw SimulationError(
          fmt::format("ngspice vector '{}' has {} points; time has {}", s.vector, values->size(), time_.size()),
          r_.log);
    std::vector<double> out(values->size());
    for (std::size_t k = 0; k < out.size(); ++k) {
      out[k] = s.scale * (*values)[k];
      if (!std::isfinite(out[k]))
        throw SimulationError(fmt::format("ngspice vector '{}' is not finite at t = {:g} s", s.vector, time_[k]),
                              r_.log);
    }
    return out;
  }

 private:
  const SimResult& r_;
  std::vector<double> time_;
};

std::string trace_label(const WaveformSignal& s) {
  const char* kind = waveform_kind_name(s.kind);
  if (s.row >= 0 && s.col >= 0) return fmt::format("{}:r{}c{}", kind, s.row, s.col);
  if (s.row >= 0) return fmt::format("{}:r{}", kind, s.row);
  return fmt::format("{}:c{}", kind, s.col);
}

// `dynamic`: the tile's cells become that model's subcircuits at `states`.
Circuit checked_transient_circuit(const TileSpec& tile, const TranSpec& tran, const DynamicModel* dynamic = nullptr,
                                  const std::vector<double>* states = nullptr) {
  Circuit c = make_transient_circuit(tile, tran);
  if (dynamic) make_cells_dynamic(c, tile, *dynamic, *states);
  // The circuit holds every vector in its driver waveforms: it has the
  // elements of a one-vector tile.
  TileSpec one = tile;
  one.inputs.resize(1);
  require_sound_circuit(c, one, "transient circuit");
  return c;
}

void check_transient_supported(const Config& config) {
  Diagnostics d;
  if (config.simulator.engine == EngineKind::kNodal)
    d.error(config.where("simulator.engine"),
            "analysis 'tran' needs ngspice: use engine spice (or both, for the DC reference)");
  if (!d.empty()) throw InputError(std::move(d));
}

// The current trace of every logical column (2T2R: I+ - I-).
std::vector<std::vector<double>> logical_column_traces(const TileSpec& tile, const Circuit& c, const TraceSet& traces) {
  std::vector<std::vector<double>> logical(tile.cols);
  for (int j = 0; j < tile.cols; ++j) {
    logical[j] = traces.get(column_current_source(c, tile, tile.plus_col(j)));
    if (tile.cell->differential) {
      const std::vector<double> minus = traces.get(column_current_source(c, tile, tile.minus_col(j)));
      for (std::size_t k = 0; k < logical[j].size(); ++k) logical[j][k] -= minus[k];
    }
  }
  return logical;
}

// Per-vector, per-column metrics and energies from the saved traces.
void measure(const TileSpec& tile, const Circuit& c, const TraceSet& traces, TransientResult& tr) {
  const auto& time = traces.time();
  const TranSettings& s = tr.spec.settings;
  const bool pulse = s.encoding == TranEncoding::kPulseWidth;
  const std::vector<std::vector<double>> logical = logical_column_traces(tile, c, traces);
  const auto ideal = ideal_phys_currents(tile);
  const auto sources = energy_sources(c, tile);
  std::vector<std::vector<double>> src_v(sources.size()), src_i(sources.size());
  for (std::size_t n = 0; n < sources.size(); ++n) {
    src_i[n] = traces.get({sources[n].branch, 1.0});
    if (sources[n].voltage_node.empty()) {
      const auto [pt, pv] = driver_waveform(tile, tr.spec, sources[n].row);
      src_v[n].resize(time.size());
      for (std::size_t k = 0; k < time.size(); ++k) src_v[n][k] = pwl_value_at(pt, pv, time[k]);
    } else {
      src_v[n] = traces.get({sources[n].voltage_node, 1.0});
    }
  }
  const double t_int = pulse ? s.pulse_max : s.window;  // ideal charge = I_ideal * t_int (amplitude: held level)
  for (int v = 0; v < tile.vectors(); ++v) {
    TransientVector tv;
    tv.t_start = v * s.window;
    tv.t_end = (v + 1) * s.window;
    tv.t_sample = tr.spec.sample_time(v);
    for (std::size_t n = 0; n < sources.size(); ++n) {
      // A source delivers -v * i (its branch current flows in at +).
      const double e = -integrate_product(time, src_v[n], src_i[n], tv.t_start, tv.t_end);
      (sources[n].row >= 0 ? tv.energy_drivers : tv.energy_sense) += e;
    }
    tr.vectors.push_back(tv);
    const auto ideal_l = logical_outputs(tile, ideal[v]);
    for (int j = 0; j < tile.cols; ++j) {
      TransientColumn col;
      col.vector = v;
      col.col = j;
      col.charge = integrate(time, logical[j], tv.t_start, tv.t_end);
      col.charge_ideal = ideal_l[j] * t_int;
      if (pulse) {
        // The sense stage integrates the column: its running charge settles
        // to the total once the pulses have ended.
        std::vector<double> q(time.size(), 0.0);
        for (std::size_t k = 1; k < time.size(); ++k)
          q[k] = q[k - 1] + 0.5 * (time[k] - time[k - 1]) * (logical[j][k] + logical[j][k - 1]);
        const double q0 = sample_at(time, q, tv.t_start);
        for (double& x : q) x -= q0;
        col.value = col.charge / s.pulse_max;
        col.t_settle = settling_time(time, q, tv.t_start, tv.t_end, s.settle);
      } else {
        col.value = sample_at(time, logical[j], tv.t_sample);
        col.t_settle = settling_time(time, logical[j], tv.t_start, tv.t_sample, s.settle);
      }
      tr.columns.push_back(col);
    }
  }
}

// Columns and error metrics (docs/outputs.md) from the transient values.
void fill_analysis(const TileSpec& tile, const TransientResult& tr, TileAnalysis& a) {
  for (std::size_t n = 0; n < a.columns.size(); ++n) a.columns[n].i_spice = tr.columns[n].value;
  a.primary = "spice";
  score_columns(tile, a);
}

// Node voltages and currents at each vector's sample instant (save_cells).
TileSolution solution_at_samples(const TileSpec& tile, const Circuit& c, const TraceSet& traces,
                                 const TransientResult& tr) {
  const auto& time = traces.time();
  const int V = tile.vectors(), R = tile.rows, PC = tile.phys_cols();
  TileSolution s;
  s.engine = "spice";
  s.allocate(V, R, PC, /*with_mid=*/false);
  auto node_trace = [&](NodeId n) {
    return n == kGround ? std::vector<double>(time.size(), 0.0) : traces.get({c.node_names[n], 1.0});
  };
  for (std::size_t k = 0; k < c.map.wl.size(); ++k) {
    const auto wl = node_trace(c.map.wl[k]), bl = node_trace(c.map.bl[k]);
    for (int v = 0; v < V; ++v) {
      s.v_wl[v][k] = sample_at(time, wl, tr.spec.sample_time(v));
      s.v_bl[v][k] = sample_at(time, bl, tr.spec.sample_time(v));
    }
  }
  for (int j = 0; j < PC; ++j) {
    const auto i = traces.get(column_current_source(c, tile, j));
    for (int v = 0; v < V; ++v)
      s.column_current[v][j] = s.array_current[v][j] = sample_at(time, i, tr.spec.sample_time(v));
  }
  for (int r = 0; r < R; ++r) {
    const auto i = traces.get(driver_current_source(c, r));
    for (int v = 0; v < V; ++v) s.driver_current[v][r] = sample_at(time, i, tr.spec.sample_time(v));
  }
  return s;
}

// The read transient's command; dynamic cells start from their capacitors'
// initial conditions (their states).
std::string read_transient_command(const TileSpec& tile, const TranSpec& tran, bool dynamic) {
  return transient_command(tile, tran) + (dynamic ? " uic" : "");
}

}  // namespace

double step_settle_time(const TileSpec& tile, const std::vector<double>& v_step, const TranSettings& settings,
                        Simulator& sim) {
  TileSpec one = tile;
  one.inputs = {v_step};
  TranSpec spec;
  spec.settings = settings;
  spec.settings.encoding = TranEncoding::kAmplitude;
  const Circuit circuit = checked_transient_circuit(one, spec);
  const SimResult result = sim.run(write_spice_netlist(circuit), transient_command(one, spec));
  const TraceSet traces(result);
  double worst = 0;
  for (const std::vector<double>& i : logical_column_traces(one, circuit, traces)) {
    const double t = settling_time(traces.time(), i, 0.0, spec.sample_time(0), settings.settle);
    if (std::isfinite(t)) worst = std::max(worst, t);
  }
  return worst;
}

JobCircuit transient_job_circuit(const Config& config) {
  check_transient_supported(config);
  const TileSpec tile = build_tile_spec(config);
  const auto dyn = find_dynamic_model(tile.model.name, config.device.params);
  check_writes(config, dyn.has_value());
  const TranSpec tran = make_tran_spec(config, tile);
  const std::string command = read_transient_command(tile, tran, dyn.has_value());
  if (!dyn) return {checked_transient_circuit(tile, tran), command};
  const std::vector<double> states = states_from_conductances(*dyn, tile.g);
  return {checked_transient_circuit(tile, tran, &*dyn, &states), command};
}

void run_transient_job(RunResult& r, RunContext& ctx, std::vector<std::string>* netlist_out) {
  const auto t0 = std::chrono::steady_clock::now();
  check_transient_supported(r.config);
  r.tile = build_tile_spec(r.config);
  add_warnings(r.warnings, r.tile.warnings);
  auto tr = std::make_shared<TransientResult>();
  tr->spec = make_tran_spec(r.config, r.tile);
  const auto dyn = find_dynamic_model(r.tile.model.name, r.config.device.params);
  check_writes(r.config, dyn.has_value());
  std::unique_ptr<Simulator> own;
  Simulator* sim = &job_simulator(ctx.simulator, ctx.limits, static_cast<long long>(r.tile.rows) * r.tile.phys_cols(),
                                  ctx.reporter, own);
  auto dyn_run = std::make_shared<DynamicRun>();
  if (dyn) {
    // The writes first, in their own transient; r.tile.g then holds the
    // written conductances, so the ideal reference is the written array's.
    if (ctx.reporter && !r.config.analysis.tran.write.empty()) {
      ctx.reporter->note(fmt::format("running {} write pulse trains", r.config.analysis.tran.write.size()));
      ctx.reporter->phase(fmt::format("running {} write pulse trains in ngspice", r.config.analysis.tran.write.size()));
    }
    run_write_phase(r.config, r.tile, tr->spec, *dyn, *sim, *dyn_run);
    add_simulator_warnings(r.warnings, dyn_run->write_warnings);
  }
  const Circuit circuit = dyn ? checked_transient_circuit(r.tile, tr->spec, &*dyn, &dyn_run->states_written)
                              : checked_transient_circuit(r.tile, tr->spec);
  r.netlist = write_spice_netlist(circuit);
  if (netlist_out) *netlist_out = r.netlist;
  tr->command = read_transient_command(r.tile, tr->spec, dyn.has_value());
  if (ctx.reporter) {
    ctx.reporter->note(fmt::format("running ngspice: {} ({} lines)", tr->command, r.netlist.size()));
    ctx.reporter->phase(fmt::format("running the transient in ngspice ({} lines)", r.netlist.size()));
  }
  const SimResult sim_result = sim->run(r.netlist, tr->command);
  r.ngspice_version = sim->version();
  add_simulator_warnings(r.warnings, sim_result.warnings);
  tr->spice_elapsed_s = sim_result.elapsed_s;
  const TraceSet traces(sim_result);
  tr->time = traces.time();
  for (const auto& w : tr->spec.waveforms)
    tr->waveforms.push_back({w, trace_label(w), waveform_unit(w.kind), traces.get(signal_source(circuit, r.tile, w))});
  measure(r.tile, circuit, traces, *tr);
  if (dyn) {
    dyn_run->states_read = final_states(sim_result, r.tile, dyn_run->states_written);
    for (std::size_t k = 0; k < r.tile.g.size(); ++k)
      if (r.tile.g[k] > 0)
        dyn_run->max_read_state_change =
            std::max(dyn_run->max_read_state_change, std::fabs(dyn_run->states_read[k] - dyn_run->states_written[k]));
    tr->dynamic = dyn_run;
  }

  TileSolution sampled;
  if (tr->spec.keep_all_voltages) {
    sampled = solution_at_samples(r.tile, circuit, traces, *tr);
    sampled.simulator_version = r.ngspice_version;
    sampled.log = sim_result.log;
    sampled.elapsed_s = sim_result.elapsed_s;
  }
  if (r.config.simulator.engine == EngineKind::kBoth)
    r.nodal = solve_nodal_within_limits(r.tile, ctx.limits, ctx.simulator);  // the settled (DC) reference
  // Ideal columns (and, with every node saved, the IR-drop map at the
  // sample instant), then the transient values as the primary result.
  r.analysis = analyze_tile(r.tile, tr->spec.keep_all_voltages ? &sampled : nullptr, r.nodal ? &*r.nodal : nullptr);
  const Metrics kept = r.analysis.metrics;
  r.analysis.metrics = Metrics{};    // the sampled solution's KCL was not checked: no kcl_residual
  if (tr->spec.keep_all_voltages) {  // the map at the sample instants (else only the nodal DC map, not this run's)
    r.analysis.metrics.max_ir_drop = kept.max_ir_drop;
    r.analysis.metrics.mean_ir_drop = kept.mean_ir_drop;
    r.analysis.metrics.max_ir_drop_v = kept.max_ir_drop_v;
  }
  fill_analysis(r.tile, *tr, r.analysis);
  if (r.nodal) r.analysis.metrics.spice_vs_nodal = spice_vs_nodal(r.analysis.columns).value_or(0.0);
  if (tr->spec.keep_all_voltages) r.spice = std::move(sampled);
  r.transient = std::move(tr);
  r.elapsed_s = elapsed_seconds(t0);
}

TransientSummary summarize_transient(const TransientResult& t) {
  TransientSummary out;
  double e_sum = 0, settle_sum = 0;
  std::size_t settle_n = 0;
  for (const auto& v : t.vectors) {
    e_sum += v.energy();
    out.max_energy_per_mvm_j = std::max(out.max_energy_per_mvm_j, v.energy());
  }
  for (const auto& c : t.columns)
    if (std::isfinite(c.t_settle)) {  // NaN: a column that never carried current
      out.max_settle_s = std::max(out.max_settle_s, c.t_settle);
      settle_sum += c.t_settle;
      ++settle_n;
    }
  out.energy_per_mvm_j = e_sum / static_cast<double>(std::max<std::size_t>(t.vectors.size(), 1));
  out.mean_settle_s = settle_n ? settle_sum / static_cast<double>(settle_n) : 0.0;
  return out;
}

}  // namespace xbar
