#include "runner/run_job.hpp"

#include <cctype>
#include <chrono>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

#include "netlist_gen/circuit.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "nodal/nodal_solver.hpp"
#include "runner/klu_check.hpp"
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
  void done(std::string_view phase) {
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

// transistor.model names the registry's ideal switch (the name is matched as
// ngspice would: case-insensitively).
bool ideal_access_switch(const Config& c) {
  std::string m = c.transistor.model;
  for (char& ch : m) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return m == "ideal";
}

// The op job on a built tile: the engine(s) the config names, their result
// checks, then the analysis against the ideal product.
void solve_and_analyze(RunResult& r, RunContext& ctx, std::vector<std::string>* netlist_out, PhaseTimer& timer) {
  const EngineKind engine = r.config.simulator.engine;
  KclReport kcl;  // of the primary engine: SPICE when it ran
  if (engine != EngineKind::kNodal) {
    const Circuit circuit = checked_circuit(r.tile, &timer);
    r.netlist = write_spice_netlist(circuit);
    if (netlist_out) *netlist_out = r.netlist;
    timer.done("write netlist");
    std::unique_ptr<Simulator> own;
    Simulator* sim = &job_simulator(ctx.simulator, ctx.limits, static_cast<long long>(r.tile.rows) * r.tile.phys_cols(),
                                    ctx.reporter, own);
    timer.done("probe KLU");
    if (ctx.reporter) ctx.reporter->note(fmt::format("running ngspice on {} lines", r.netlist.size()));
    r.spice = solve_with_spice(r.tile, circuit, r.netlist, *sim);
    r.ngspice_version = r.spice->simulator_version;
    timer.done(fmt::format("spice engine (ngspice job {:.3f} s, then results mapped)", r.spice->elapsed_s));
    kcl = check_solution(r.tile, *r.spice);
    timer.done("check spice solution");
  }
  if (engine != EngineKind::kSpice) {
    r.nodal = solve_nodal(r.tile);
    const KclReport k = check_solution(r.tile, *r.nodal);
    if (engine == EngineKind::kNodal) kcl = k;
    timer.done("nodal solve and check");
  }
  r.analysis = analyze_tile(r.tile, r.spice ? &*r.spice : nullptr, r.nodal ? &*r.nodal : nullptr);
  r.analysis.metrics.kcl = kcl;
  timer.done("analysis");
}

}  // namespace

void check_supported(const Config& c) {
  Diagnostics d;
  if (c.tile.cell != CellKind::k1R) {
    // Transistor tiles: SPICE only (the nodal engine has no transistor law),
    // except with the ideal switch, whose cells are the device alone; op, and
    // read for 1T1R with a real transistor (the read job switches unselected
    // gates off, which the ideal switch does not model); the tran job assumes
    // 1R cells.
    const bool ideal = ideal_access_switch(c);
    if (c.simulator.engine != EngineKind::kSpice && !ideal)
      d.error(c.where("simulator.engine"),
              fmt::format("engine '{}' cannot solve {} tiles with transistor model '{}' (the nodal engine has no "
                          "access-transistor law); use engine: spice, or transistor.model: ideal",
                          to_string(c.simulator.engine), to_string(c.tile.cell), c.transistor.model));
    const bool read_1t1r = c.analysis.type == AnalysisKind::kRead && c.tile.cell == CellKind::k1T1R;
    if (read_1t1r && ideal)
      d.error(c.where("transistor.model"),
              "analysis read switches the unselected rows' gates off, which the ideal switch (every gate on) does "
              "not model; use a transistor card (nmos, nmos_level1) or a 1R tile");
    if (c.analysis.type != AnalysisKind::kOp && !read_1t1r)
      d.error(c.where("analysis.type"),
              fmt::format("{} tiles support analysis 'op'{} in this build, not '{}'", to_string(c.tile.cell),
                          c.tile.cell == CellKind::k1T1R ? " and 'read'" : "", to_string(c.analysis.type)));
  }
  check_model_files(c, d);
  if (!d.empty()) throw InputError(std::move(d));
}

std::vector<std::string> generate_netlist(const Config& config) {
  check_supported(config);
  if (config.analysis.type == AnalysisKind::kTran) return generate_transient_netlist(config);
  const TileSpec tile = build_tile_spec(config);
  if (config.analysis.type == AnalysisKind::kRead) return read_netlist(config, tile);
  return write_spice_netlist(checked_circuit(tile));
}

RunResult run_job(const Config& config, RunContext& ctx, std::vector<std::string>* netlist_out) {
  const auto t0 = std::chrono::steady_clock::now();
  check_supported(config);
  if (config.simulator.engine != EngineKind::kNodal) check_spice_resources(config, ctx.resources);
  RunResult r;
  r.config = config;
  if (config.analysis.type == AnalysisKind::kTran) {
    run_transient_job(r, ctx, netlist_out);
    return r;
  }
  PhaseTimer timer(ctx.reporter);
  r.tile = build_tile_spec(config);
  timer.done("build tile spec");
  if (config.analysis.type == AnalysisKind::kRead) {
    r.read = run_read_job(config, r.tile, ctx.simulator, ctx.limits, netlist_out);
    r.netlist = r.read->netlist;
    r.ngspice_version = r.read->ngspice_version;
    r.analysis.primary = "spice";
    r.elapsed_s = seconds_since(t0);
    return r;
  }
  solve_and_analyze(r, ctx, netlist_out, timer);
  r.elapsed_s = seconds_since(t0);
  return r;
}

RunResult run_tile_job(const Config& config, TileSpec tile, RunContext& ctx, std::vector<std::string>* netlist_out) {
  const auto t0 = std::chrono::steady_clock::now();
  if (config.analysis.type != AnalysisKind::kOp)
    throw InputError(config.where("analysis.type"),
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
