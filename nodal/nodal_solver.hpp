#pragma once
// The native nodal-analysis engine: solves the crossbar tile of docs/circuit.md
// (drivers, word lines, cells, bit lines, sensing) without SPICE.
//
// Method: nodal analysis on the word-line and bit-line node voltages; the TIA
// sense node is a conductance (1 + gain) / r_f to ground; zero resistances merge
// nodes; ideal sources fix nodes.  The linear system (the Newton Jacobian for
// sinh cells) is solved by conjugate gradients on the bit-line Schur complement,
// preconditioned by exact tridiagonal solves along every bit line (GMRES for
// the non-symmetric Jacobian of transistor cells); the word lines are
// eliminated by exact tridiagonal solves.  See nodal/README.md.
#include "common/stop_condition.hpp"
#include "device_tables/transistor_tables.hpp"
#include "tile/line_terminals.hpp"
#include "tile/tile_solution.hpp"
#include "tile/tile_spec.hpp"

namespace xbar {

struct NodalOptions {
  double rel_tol = 1e-12;      // CG: ||residual|| <= rel_tol * ||right-hand side||
  int max_newton = 50;         // Newton steps per input vector (sinh cells)
  int max_linear_iter = 2000;  // CG iterations per linear solve
  // Checked before every input vector, at every CG and Newton step, and at
  // every row of every pass over the tile (the network, the factorisations,
  // the residuals, the mapping back), so a stop lands within one row's work;
  // its SimulationError ends the solve.  Null: none.
  const StopCondition* stop = nullptr;
  // 1T1R/2T2R with a real transistor: its drain-current tables (every gate
  // voltage of the tile, a range covering the inputs).  Null: solve_nodal
  // gets them from transistor_tables() (memo, disk cache or ngspice).
  const TransistorTables* transistor_tables = nullptr;
  // The ngspice that characterises missing tables: null, an isolated child;
  // a sweep worker passes its own (sandboxed, it may start no child).
  Simulator* characterise_with = nullptr;
  // Read mode: per-line terminals replacing the tile's drivers and sensing
  // (undriven word lines, bit lines held at a bias or floating).  Null: op.
  const LineTerminals* terminals = nullptr;
  // False: the solution carries the currents only (v_wl, v_bl and v_mid
  // stay empty), which spares two tile-sized arrays per input vector for
  // callers that read no node voltage (the network's per-image engine).
  bool node_voltages = true;
};

struct NodalReport {
  int newton_iterations = 0;  // summed over input vectors
  int linear_iterations = 0;  // CG iterations, summed over all linear solves
  double final_residual = 0;  // worst vector: ||KCL residual|| / ||KCL residual at start||
};

// Solves every input vector of the tile.  Throws SimulationError when Newton or
// CG does not converge, when `opt.stop` says stop (the message carries the iteration counts), and when
// the transistor characterisation in ngspice fails.  A malformed TileSpec
// (sizes that do not match, negative resistances) throws std::invalid_argument.
TileSolution solve_nodal(const TileSpec& tile, const NodalOptions& opt = {}, NodalReport* report = nullptr);

// The most memory solve_nodal holds for a tile of `rows` x `phys_cols` cells and
// `vectors` input vectors, in bytes: its arrays counted one by one (the tile's
// conductances, the network, the shared factorisation, each thread's solver
// state, the solution), so it is an upper bound by construction (nodal/README.md,
// "Memory").  `linear_cells`: false for sinh-like cells, whose Newton steps
// each hold a Jacobian of their own.  `transistors`: cells with an access
// transistor, which add their inner nodes and the drain-current tables.
// `mismatch`: the Pelgrom-mismatched tables of those transistors (none by default).
struct MismatchTables {
  double tables = 0;       // (delvto, mulu0) nodes over all gate voltages; 0: no mismatch
  double grid_points = 0;  // points per axis of one table
};
double nodal_memory_bytes(int rows, int phys_cols, int vectors, bool linear_cells, bool transistors = false,
                          const MismatchTables& mismatch = {});

// The tables a mismatched tile needs at most: `cells` transistors with
// threshold and current-factor sigmas `sigma_vt` (V) and `sigma_beta`, two
// gate voltages, inputs within +-|v_max| (V).
MismatchTables mismatch_tables_bound(double cells, double sigma_vt, double sigma_beta, double v_max);

}  // namespace xbar
