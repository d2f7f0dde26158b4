#include "runner/run_job.hpp"

#include <algorithm>
#include <chrono>
#include <functional>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

#include "common/ascii_case.hpp"
#include "common/stop_condition.hpp"
#include "models/registry.hpp"
#include "netlist_gen/circuit.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "nodal/nodal_solver.hpp"
#include "runner/analysis_job.hpp"
#include "runner/klu_check.hpp"
#include "runner/noise_job.hpp"
#include "runner/spice_engine.hpp"
#include "runner/transient_job.hpp"

namespace xbar {
namespace {

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// Tells the user (in -v mode) how long each phase of a job took.
class PhaseTimer {
 public:
  explicit PhaseTimer(Reporter* reporter) : reporter_(reporter) {}
  // A phase boundary is also where an interrupt takes effect in this process
  // (the engines stop within their own steps).
  void done(std::string_view phase) {
    throw_if_interrupted();
    const auto now = std::chrono::steady_clock::now();
    if (reporter_)
      reporter_->note(fmt::format("{}: {:.3f} s", phase, std::chrono::duration<double>(now - last_).count()));
    last_ = now;
  }

 private:
  Reporter* reporter_;
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

Circuit checked_circuit(const TileSpec& tile, PhaseTimer* timer = nullptr) {
  Circuit c = build_tile_circuit(tile);
  if (timer) timer->done("build circuit");
  require_sound_circuit(c, tile, "circuit");
  if (timer) timer->done("check circuit graph");
  return c;
}

// "'op'", "'op' and 'read'", "'op', 'read' and 'tran'".
std::string quoted_list(const std::vector<std::string_view>& names) {
  std::string out;
  for (std::size_t k = 0; k < names.size(); ++k) {
    if (k > 0) out += k + 1 == names.size() ? " and " : ", ";
    out += fmt::format("'{}'", names[k]);
  }
  return out;
}

// The nodal solution a transistor tile's SPICE op starts from: Newton then
// needs half the iterations (8 to 4 at 64x64 and 128x128 1T1R, BSIM4), and
// ends where it ends from its own start (docs/ngspice.md).  With `engine:
// both` it is the nodal result too (`keep`), and its failure the job's.
std::optional<TileSolution> nodal_warm_start(RunResult& r, RunContext& ctx, bool keep, PhaseTimer& timer) {
  if (ctx.reporter) ctx.reporter->phase("solving with the nodal engine (SPICE's start)");
  const std::function<TileSolution()> solve = [&] {
    TileSolution s = solve_nodal_within_limits(r.tile, ctx.limits, ctx.simulator);
    timer.done("nodal solve (SPICE's start)");
    return s;
  };
  if (keep) return r.nodal = solve();
  return nodal_start_or_cold(solve, [&](const std::exception& e) {
    if (ctx.reporter) ctx.reporter->note(fmt::format("SPICE starts cold: the nodal engine failed: {}", e.what()));
  });
}

// The op job on a built tile: the engine(s) the config names, their result
// checks, then the analysis against the ideal product.
void solve_and_analyze_tile(RunResult& r, RunContext& ctx, PhaseTimer& timer) {
  auto phase = [&](std::string_view what) {
    if (ctx.reporter) ctx.reporter->phase(what);
  };
  const EngineKind engine = r.config.simulator.engine;
  std::optional<KclReport> kcl;            // of the primary engine: SPICE when it ran
  std::optional<TileSolution> warm_start;  // SPICE's start on a transistor tile
  // The SPICE engine's simulator, when this job makes one: kept to the end, so
  // that its child's exit (it unmaps the job's memory, ~30 ms at 256x256)
  // runs beside the analysis instead of ahead of it.
  std::unique_ptr<Simulator> own_spice;
  if (engine != EngineKind::kNodal && has_real_transistors(r.config))
    warm_start = nodal_warm_start(r, ctx, engine == EngineKind::kBoth, timer);
  if (engine != EngineKind::kNodal) {
    phase("building and checking the circuit");
    const Circuit circuit = checked_circuit(r.tile, &timer);
    r.netlist = write_spice_netlist(circuit);
    timer.done("write netlist");
    Simulator* sim = &job_simulator(ctx.simulator, ctx.limits, ctx.reporter, own_spice);
    if (ctx.reporter) ctx.reporter->note(fmt::format("running ngspice on {} lines", r.netlist.size()));
    phase(fmt::format("running ngspice on {} lines", r.netlist.size()));
    r.spice = solve_with_spice(r.tile, circuit, r.netlist, *sim,
                               {.warm_start = warm_start ? &*warm_start : nullptr, .rung = &r.spice_convergence});
    r.ngspice_version = r.spice->simulator_version;
    add_simulator_warnings(r.warnings, r.spice->warnings);
    timer.done(fmt::format("spice engine (ngspice job {:.3f} s, then results mapped)", r.spice->elapsed_s));
    // After the run, whose log answers it: no probe child of its own.
    warn_once_without_klu(*sim, static_cast<long long>(r.tile.rows) * r.tile.phys_cols(), ctx.reporter);
    kcl = check_solution(r.tile, *r.spice);
    timer.done("check spice solution");
  }
  if (engine != EngineKind::kSpice) {
    phase("solving with the nodal engine");
    if (!r.nodal) r.nodal = solve_nodal_within_limits(r.tile, ctx.limits, ctx.simulator);
    const KclReport k = check_solution(r.tile, *r.nodal);
    if (engine == EngineKind::kNodal) kcl = k;
    timer.done("nodal solve and check");
  }
  phase("comparing with the ideal product");
  r.analysis = analyze_tile(r.tile, r.spice ? &*r.spice : nullptr, r.nodal ? &*r.nodal : nullptr);
  r.analysis.metrics.kcl = kcl;
  timer.done("analysis");
  if (r.config.noise.enabled) {
    phase("computing the output noise");
    std::unique_ptr<Simulator> own;
    // ngspice serves the check and a transistor tile's small-signal values.
    Simulator* sim = r.config.noise.spice_check || r.tile.access_transistors()
                         ? &job_simulator(ctx.simulator, ctx.limits,
                                          static_cast<long long>(r.tile.rows) * r.tile.phys_cols(), ctx.reporter, own)
                         : nullptr;
    r.noise = std::make_shared<const TileNoiseResult>(run_noise(r.config, r.tile, r.spice ? *r.spice : *r.nodal, sim));
    add_warnings(r.warnings, noise_band_warnings(r.tile, r.noise->options));
    timer.done("noise");
  }
}

// solve_and_analyze_tile; a failed job leaves its netlist in `netlist_out`.
// Moved there on the way out, not copied before ngspice starts (a 256x256
// tile has ~200k lines): a finished job's netlist is r.netlist.
void solve_and_analyze(RunResult& r, RunContext& ctx, std::vector<std::string>* netlist_out, PhaseTimer& timer) {
  try {
    solve_and_analyze_tile(r, ctx, timer);
  } catch (...) {
    if (netlist_out) *netlist_out = std::move(r.netlist);
    throw;
  }
}

}  // namespace

void add_warnings(std::vector<std::string>& to, const std::vector<std::string>& from) {
  for (const auto& w : from)
    if (std::find(to.begin(), to.end(), w) == to.end()) to.push_back(w);
}

void add_simulator_warnings(std::vector<std::string>& to, const std::vector<std::string>& from) {
  std::vector<std::string> named;
  for (const auto& w : from) {
    const bool says_warning = ascii_lower(std::string_view(w).substr(0, 7)) == "warning";
    named.push_back((says_warning ? "ngspice: " : "ngspice: warning: ") + w);
  }
  add_warnings(to, named);
}

TileSolution solve_nodal_within_limits(const TileSpec& tile, const SimLimits& limits, Simulator* sim) {
  // The memory was checked against the limit before the run
  // (check_resources counts the engine's arrays); time and interrupts stop it
  // at its next step.
  const StopCondition stop(limits.time_limit_s);
  return solve_nodal(tile, NodalOptions{.stop = &stop, .characterise_with = sim});
}

bool has_real_transistors(const Config& c) {
  return c.tile.cell.info().has(CellPart::kAccessTransistor) && !ideal_access_switch(c);
}

bool ideal_access_switch(const Config& c) {
  const ModelInfo* m = find_model(ascii_lower(c.transistor.model));
  return m != nullptr && m->ideal_switch();
}

void check_supported(const Config& c) {
  Diagnostics d;
  // What each kind supports is its registry entry's (tile/cells/): its
  // analyses, on either engine (the nodal engine takes a real transistor from
  // ngspice's drain-current tables; the ideal switch is 0 ohm).
  const CellKindInfo& kind = c.tile.cell.info();
  const bool transistor = kind.has(CellPart::kAccessTransistor);
  const bool ideal = ideal_access_switch(c);
  const bool read = c.analysis.type == AnalysisKind::kRead;
  if (transistor && read && ideal && kind.suits("read"))
    d.error(c.where("transistor.model"),
            "analysis read switches the unselected rows' gates off, which the ideal switch (every gate on) does "
            "not model; use a transistor card (nmos, nmos_level1) or a 1R tile");
  if (!kind.suits(to_string(c.analysis.type)))
    d.error(c.where("analysis.type"), fmt::format("{} tiles support analysis {} in this build, not '{}'", kind.name,
                                                  quoted_list(kind.analyses), to_string(c.analysis.type)));
  check_noise_supported(c, d);
  check_model_files(c, d);
  if (!d.empty()) throw InputError(std::move(d));
}

namespace {

// ---- op: the matrix-vector product on the built tile -------------------------

JobCircuit op_circuit(const Config& config) {
  Circuit c = checked_circuit(build_tile_spec(config));
  std::string command = analysis_command(c);
  return {std::move(c), std::move(command)};
}

void validate_op(const Config& config) {
  if (config.simulator.engine == EngineKind::kNodal)
    build_tile_spec(config);  // the nodal engine builds no SPICE circuit
  else
    op_circuit(config);
}

void build_tile(RunResult& r, RunContext& ctx, PhaseTimer& timer) {
  if (ctx.reporter) ctx.reporter->phase("building the tile");
  r.tile = build_tile_spec(r.config);
  add_warnings(r.warnings, r.tile.warnings);
  timer.done("build tile spec");
}

// Builds the tile, then the engine(s) and the analysis.
void run_op(RunResult& r, RunContext& ctx, std::vector<std::string>* netlist_out) {
  PhaseTimer timer(ctx.reporter);
  build_tile(r, ctx, timer);
  solve_and_analyze(r, ctx, netlist_out, timer);
}

// ---- read: one cell's read margin and sneak currents -------------------------

JobCircuit read_circuit(const Config& config) { return read_job_circuit(config, build_tile_spec(config)); }

void run_read(RunResult& r, RunContext& ctx, std::vector<std::string>* netlist_out) {
  PhaseTimer timer(ctx.reporter);
  build_tile(r, ctx, timer);
  if (ctx.reporter)
    ctx.reporter->phase(r.config.simulator.engine == EngineKind::kNodal ? "running the three reads on the nodal engine"
                                                                        : "running the three reads");
  r.read = run_read_job(r.config, r.tile, ctx.simulator, ctx.limits, netlist_out, ctx.reporter);
  r.netlist = r.read->netlist;
  r.ngspice_version = r.read->ngspice_version;
  r.spice_convergence = r.read->spice_convergence;
  for (const ReadSample* s : {&r.read->stored, &r.read->lrs, &r.read->hrs})
    add_simulator_warnings(r.warnings, s->warnings);
  r.analysis.primary = r.read->engine;
  r.analysis.metrics.spice_vs_nodal = r.read->spice_vs_nodal;
}

// ---- the table ---------------------------------------------------------------

const AnalysisJob kAnalyses[] = {
    {AnalysisKind::kOp, op_circuit, validate_op, run_op},
    {AnalysisKind::kRead, read_circuit, nullptr, run_read},
    {AnalysisKind::kTran, transient_job_circuit, nullptr, run_transient_job},
};

// The circuit SPICE solves for a config, and its analysis command.
JobCircuit job_circuit(const Config& config) {
  check_supported(config);
  return analysis_job(config.analysis.type).circuit(config);
}

}  // namespace

const AnalysisJob& analysis_job(AnalysisKind kind) {
  for (const AnalysisJob& a : kAnalyses)
    if (a.kind == kind) return a;
  throw std::logic_error(fmt::format("analysis '{}' has no entry in the analysis table", to_string(kind)));
}

std::vector<std::string> generate_netlist(const Config& config) {
  return write_spice_netlist(job_circuit(config).circuit);
}

std::vector<std::string> generate_standalone_netlist(const Config& config) {
  return write_standalone_netlist(job_circuit(config));
}

namespace {

// The checks run_job makes before it builds anything.
void check_job_inputs(const Config& config, const ResourcePolicy& resources) {
  check_supported(config);
  check_resources(config, resources);  // every engine and analysis
}

}  // namespace

void validate_job(const Config& config, const ResourcePolicy& resources) {
  check_job_inputs(config, resources);
  // The same builders run_job uses, so every refusal has the same words and
  // position; nothing is simulated.
  const AnalysisJob& analysis = analysis_job(config.analysis.type);
  if (analysis.validate)
    analysis.validate(config);
  else
    analysis.circuit(config);
}

RunResult run_job(const Config& config, RunContext& ctx, std::vector<std::string>* netlist_out) {
  const auto t0 = std::chrono::steady_clock::now();
  check_job_inputs(config, ctx.resources);
  RunResult r;
  r.config = config;
  analysis_job(config.analysis.type).run(r, ctx, netlist_out);
  r.elapsed_s = seconds_since(t0);
  return r;
}

RunResult run_tile_job(const Config& config, TileSpec tile, RunContext& ctx, std::vector<std::string>* netlist_out) {
  const auto t0 = std::chrono::steady_clock::now();
  if (config.analysis.type != AnalysisKind::kOp)
    throw InputError(
        config.where("analysis.type"),
        fmt::format("a built tile runs new inputs with analysis 'op', not '{}'", to_string(config.analysis.type)));
  RunResult r;
  r.config = config;
  r.tile = std::move(tile);
  PhaseTimer timer(ctx.reporter);
  solve_and_analyze(r, ctx, netlist_out, timer);
  r.elapsed_s = seconds_since(t0);
  return r;
}

}  // namespace xbar
