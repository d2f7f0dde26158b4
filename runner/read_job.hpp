#pragma once
// analysis.type: read.  One selected cell is read with the unselected lines
// floating or biased (netlist_gen/read_circuit.hpp), three times: with the
// stored pattern, then with the selected cell set to g_on (LRS) and to g_off
// (HRS), the rest of the pattern unchanged.  Definitions (README, "Read mode"):
//   i_sense    the selected column's output (as I_j in op mode)
//   i_cell     the selected cell's own current, from its node voltages
//   i_sneak    i_array - i_cell: what reaches the sensed line through other
//              cells (i_array: current from the array into the sense node;
//              equals i_sense for a virtual ground)
//   sneak_fraction  i_sneak / i_array
//   read_margin     (i_sense,LRS - i_sense,HRS) / i_sense,LRS
#include <optional>
#include <string>
#include <vector>

#include "analysis/sneak_paths.hpp"
#include "common/reporter.hpp"
#include "config_loader/config.hpp"
#include "netlist_gen/read_circuit.hpp"
#include "nodal/nodal_solver.hpp"
#include "runner/convergence_ladder.hpp"
#include "runner/spice_engine.hpp"
#include "spice_bridge/simulator.hpp"
#include "tile/tile_solution.hpp"
#include "tile/tile_spec.hpp"

namespace xbar {

struct ReadSample {
  double g_selected = 0;  // S at 0 V
  double i_sense = 0, i_array = 0, i_cell = 0, i_sneak = 0, sneak_fraction = 0;
  double i_cell_ideal = 0;  // g_selected * v_read
  // Largest |v_cell| over the unselected cells, and over the half-selected
  // ones (selected row or column) alone, V.
  double max_unselected_v = 0, max_half_selected_v = 0;
  double kcl_residual = 0;  // |i_array - sum of the column's cell currents| / |i_array|
  // rows x phys_cols: node voltages at each cell and its current (device law
  // at v_wl - v_bl; 1T1R: at v_wl - v_mid).
  std::vector<double> v_wl, v_bl, i_cells;
  std::vector<std::string> warnings;  // the simulator's, for this read
  double elapsed_s = 0;
};

// The three reads on the nodal engine (kept beside SPICE's with engine: both).
struct NodalReads {
  ReadSample stored, lrs, hrs;
  double read_margin = 0;
};

struct ReadReport {
  ReadSetup setup;
  std::string engine = "spice";  // the engine of stored, lrs and hrs (SPICE when it ran)
  ReadSample stored, lrs, hrs;
  double read_margin = 0;
  bool margin_ok = false;
  SneakPathReport paths;              // on the stored pattern
  std::optional<double> path_factor;  // paths.total_est / stored.i_sneak; 1R only (empty with transistors)
  TileSpec read_tile;                 // the stored pattern with this read's drives
  std::vector<std::string> netlist;   // of the stored-pattern read (SPICE only)
  // engine: both: the nodal engine's reads, and the largest difference over
  // the three reads of i_sense, i_array, i_cell and i_sneak relative to the
  // full scale of the sensed current (the largest SPICE |i_sense| of the
  // three), and of the read margin.
  std::optional<NodalReads> nodal;
  std::optional<double> spice_vs_nodal;
  std::string ngspice_version;
  // The highest convergence rung any of the three reads needed.
  std::string spice_convergence;
};

// The ReadSetup of a config, checked against the tile (InputError with
// positions otherwise).
ReadSetup read_setup(const Config& config, const TileSpec& tile);

// The stored-pattern read's circuit and command (for `xbar gen` and `xbar check`).
JobCircuit read_job_circuit(const Config& config, const TileSpec& tile);

// Runs the three reads on the config's engine(s): SPICE on `simulator` (or
// on an isolated one made from `limits` when null), the nodal engine within
// `limits`' time.  Throws InputError, SimulationError.
// On a tile with real access transistors, SPICE starts each read from the
// nodal engine's solution of it (cold when the nodal engine fails, which
// `reporter` hears).
ReadReport run_read_job(const Config& config, const TileSpec& tile, Simulator* simulator, const SimLimits& limits,
                        std::vector<std::string>* netlist_out = nullptr, Reporter* reporter = nullptr);

// A read's figures from an engine's solution of the read tile (read_lines();
// one vector), after xbar's KCL check on it.
ReadSample read_sample(const TileSpec& read_tile, const ReadSetup& setup, const TileSolution& solution);

// One read of `tile` on the nodal engine (read_lines() lowers it; `opt`'s
// terminals are set here).  Throws std::invalid_argument for a floating
// group of lines with no DC path, SimulationError.
ReadSample solve_read_nodal(const TileSpec& tile, const ReadSetup& setup, const NodalOptions& opt = {});
// The nodal engine's solution of a lowered read (its line terminals set here).
TileSolution solve_read_nodal(const ReadLines& lowered, const NodalOptions& opt = {});
// The ladder's order for a read: floating lines on access transistors hang
// on the off transistors' leakage alone, where every strict rung fails
// slowly, so their climb starts with the relaxed rung.
RungOrder read_rung_order(const ReadCircuit& rc);

// One read of `rc` on `sim` (exposed for tests), up the convergence ladder
// (runner/spice_engine.hpp: from options.warm_start, from
// options.first_rung, in options.order or else read_rung_order(rc));
// options.rung, when given, is set to the rung that converged.  The result
// passes xbar's KCL check (every row, column and the whole tile; undriven
// lines carry no net current).
ReadSample solve_read(const ReadCircuit& rc, Simulator& sim, const std::vector<std::string>& netlist,
                      SpiceSolveOptions options = {});

}  // namespace xbar
