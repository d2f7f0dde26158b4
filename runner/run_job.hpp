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
#include "tile/tile_solution.hpp"
#include "tile/tile_spec.hpp"
#include "runner/resource_guard.hpp"
#include "runner/read_job.hpp"
#include "spice_bridge/simulator.hpp"

namespace xbar {

struct TransientResult;

struct RunResult {
  Config config;
  TileSpec tile;
  std::vector<std::string> netlist;  // when SPICE ran (or was generated)
  std::optional<TileSolution> spice, nodal;
  TileAnalysis analysis;
  std::optional<ReadReport> read;   // analysis.type: read (then `analysis` is empty)
  std::shared_ptr<const TransientResult> transient;  // analysis.type: tran (runner/transient_job.hpp)
  std::string ngspice_version;
  double elapsed_s = 0;
};

// Where SPICE jobs run.  The default isolates each job in a child process so a
// crash inside the library becomes an error, not a dead program.
struct RunContext {
  Simulator* simulator = nullptr;  // null: make one per job from `limits`
  SimLimits limits;
  Reporter* reporter = nullptr;
  // SPICE runs estimated above these limits are refused before they start.
  ResourcePolicy resources{.max_memory_bytes = default_memory_limit_bytes()};
};

// Refuses, with the config position, what this build cannot simulate yet.
void check_supported(const Config& config);

// The netlist of a config (for `xbar gen` and for the SPICE engine).
std::vector<std::string> generate_netlist(const Config& config);

// Throws InputError (bad config or data), SimulationError (simulator failure,
// failed result check).  On SimulationError after a netlist was made,
// `netlist_out` (when given) holds it, for the user to inspect.
RunResult run_job(const Config& config, RunContext& ctx, std::vector<std::string>* netlist_out = nullptr);

// The op part of run_job() on a tile built earlier (build_tile_spec, perhaps
// with new inputs from tile_inputs()), so many input batches run on one tile
// without drawing or reading its conductances again.  `config` must be the
// one the tile was built from and have passed check_supported() (and the
// resource check, for SPICE); other analyses are refused at analysis.type.
RunResult run_tile_job(const Config& config, TileSpec tile, RunContext& ctx,
                       std::vector<std::string>* netlist_out = nullptr);

}  // namespace xbar
