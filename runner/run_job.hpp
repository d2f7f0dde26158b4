#pragma once
// One simulation job, end to end: config -> tile -> circuit -> checks ->
// engine(s) -> result checks -> analysis.  Sweeps and the regression suite run
// jobs through this same function.
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "analysis/tile_analysis.hpp"
#include "common/reporter.hpp"
#include "config_loader/config.hpp"
#include "runner/read_job.hpp"
#include "runner/resource_guard.hpp"
#include "spice_bridge/simulator.hpp"
#include "tile/tile_solution.hpp"
#include "tile/tile_spec.hpp"

namespace xbar {

struct TransientResult;
struct TileNoiseResult;

struct RunResult {
  Config config;
  TileSpec tile;
  std::vector<std::string> netlist;  // when SPICE ran (or was generated)
  std::optional<TileSolution> spice, nodal;
  TileAnalysis analysis;
  std::optional<ReadReport> read;                    // analysis.type: read (then `analysis` is empty)
  std::shared_ptr<const TransientResult> transient;  // analysis.type: tran (runner/transient_job.hpp)
  std::shared_ptr<const TileNoiseResult> noise;      // noise.enabled (runner/noise_job.hpp)
  std::string ngspice_version;                       // when SPICE ran
  // When SPICE solved an op or read: the convergence rung that did it
  // (runner/convergence_ladder.hpp: op, gmin, source, relaxed).
  std::string spice_convergence;
  // What the user should know about this result: data-file values that look
  // like unit mistakes, the simulator's warnings (an ignored model parameter,
  // gmin stepping, ...).  Each once, in order.
  std::vector<std::string> warnings;
  double elapsed_s = 0;
};

// Where SPICE jobs run.  The default isolates each job in a child process so a
// crash inside the library becomes an error, not a dead program.
struct RunContext {
  Simulator* simulator = nullptr;  // null: make one per job from `limits`
  // The simulator children's hard memory limit is the default one unless the
  // caller changes it, so every command (run, regress, sweep points, the
  // library) gets it.
  SimLimits limits{.memory_limit_bytes = static_cast<std::size_t>(default_memory_limit_bytes())};
  Reporter* reporter = nullptr;
  // Runs estimated above these limits are refused before they start (every engine).
  ResourcePolicy resources{.max_memory_bytes = default_memory_limit_bytes()};
};

// Appends the lines of `from` that `to` does not hold yet.  Each line names
// its source ("weights.csv:3:5: warning: ..."): simulator lines, which do
// not, get "ngspice: warning: " in front.
void add_warnings(std::vector<std::string>& to, const std::vector<std::string>& from);
void add_simulator_warnings(std::vector<std::string>& to, const std::vector<std::string>& from);

// The nodal engine under `limits`: it stops at the time limit (SimulationError
// "time limit of N s exceeded") or at an interrupt, within one solver step.
// Transistor tables missing from the cache are swept in `sim` when given (the
// job's own simulator, as the SPICE engine would use it: a sweep worker's is
// sandboxed and may start no child), else in an isolated child.
TileSolution solve_nodal_within_limits(const TileSpec& tile, const SimLimits& limits, Simulator* sim = nullptr);

// Refuses, with the config position, what this build cannot simulate yet.
void check_supported(const Config& config);

// transistor.model names the registry's ideal switch (the name is matched as
// ngspice would: case-insensitively).
bool ideal_access_switch(const Config& c);
// The tile's cells hold a real access transistor (a card, not the ideal
// switch): its SPICE runs start from the nodal solution.
bool has_real_transistors(const Config& c);

// Every check `run_job` makes before it simulates (config, data files, circuit
// graph, resource estimate), with the same messages; throws InputError.
void validate_job(const Config& config, const ResourcePolicy& resources);

// The netlist of a config as the SPICE engine loads it (the analysis command
// is sent separately).
std::vector<std::string> generate_netlist(const Config& config);
// The same netlist as a plain `ngspice -b` runs it (for `xbar gen`).
std::vector<std::string> generate_standalone_netlist(const Config& config);

// Throws InputError (bad config or data), SimulationError (simulator failure,
// failed result check).  On SimulationError after a netlist was made,
// `netlist_out` (when given) holds it, for the user to inspect (a finished
// op job's netlist is the result's `netlist` only).
RunResult run_job(const Config& config, RunContext& ctx, std::vector<std::string>* netlist_out = nullptr);

// The op part of run_job() on a tile built earlier (build_tile_spec, perhaps
// with new inputs from tile_inputs()), so many input batches run on one tile
// without drawing or reading its conductances again.  `config` must be the
// one the tile was built from and have passed check_supported() (and the
// resource check, for SPICE); other analyses are refused at analysis.type.
RunResult run_tile_job(const Config& config, TileSpec tile, RunContext& ctx,
                       std::vector<std::string>* netlist_out = nullptr);

}  // namespace xbar
