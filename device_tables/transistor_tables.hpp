#pragma once
// The access transistor of a 1T1R/2T2R tile as ngspice computes it: its drain
// current over the drain and source voltages the tile can reach, one table per
// gate voltage the tile uses (bulk at ground, so the body effect is in the
// source axis).  Built by DC sweeps of the exact card (the bundled one or the
// user's transistor.include), W, L and simulator options in an isolated,
// sandboxed ngspice, cached on disk, interpolated by bicubic splines on
// either side of v_d = v_s (drain_current_table.hpp).
#include <array>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "device_tables/drain_current_table.hpp"
#include "tile/tile_spec.hpp"

namespace xbar {

class Simulator;

// Pelgrom mismatch (TileSpec::delta_vth, beta_factor) is characterised, not
// modelled: the card is swept at the nodes delvto = k_vt kMismatchVtStep,
// mulu0 = 1 + k_mu kMismatchMuStep around the draws, and a cell's current is
// the 4 x 4-point Lagrange mix of the 16 nodes around it (CellTransistors).
// BSIM4 moves more than the gate overdrive with delvto (mobility and
// series-resistance terms) and more than the current with mulu0 (velocity
// saturation), so a gate shift or a current scale alone errs by ~1e-2
// (measured, device_tables/README.md).
inline constexpr double kMismatchVtStep = 0.02;  // V
inline constexpr double kMismatchMuStep = 0.05;

struct TransistorTables {
  // Drain current I_d(v_d, v_s) (A, into the drain) at gate voltage v_gate[k]:
  // the nominal transistor (a tile without mismatch).
  std::vector<double> v_gate;
  std::vector<std::shared_ptr<const DrainCurrentTable>> drain_current;
  // A tile with mismatch: the tables at the nodes it needs, keyed by
  // {index into v_gate, k_vt, k_mu}; drain_current is then empty.
  std::map<std::array<int, 3>, std::shared_ptr<const DrainCurrentTable>> node;
  const DrainCurrentTable& at_gate(double vg) const;  // throws std::out_of_range for an untabulated gate
  const DrainCurrentTable& at_node(int gate, int k_vt, int k_mu) const;  // throws std::out_of_range
  std::size_t gate_index(double vg) const;                               // throws std::out_of_range
};

// The nodes of a cell's 4 x 4 mismatch stencil (Lagrange weights w_vt along
// delvto, w_mu along mulu0) that carry weight: f(a, b, w_vt[a] w_mu[b]) for
// the node (k_vt - 1 + a, k_mu - 1 + b).  A node of weight 0 (a draw on a
// node needs no neighbours; a_beta = 0 puts every draw on mulu0 = 1) is
// neither characterised nor read: the one rule for both.
template <class F>
void for_each_weighted_node(const std::array<double, 4>& w_vt, const std::array<double, 4>& w_mu, F&& f) {
  for (int a = 0; a < 4; ++a)
    for (int b = 0; b < 4; ++b)
      if (const double w = w_vt[a] * w_mu[b]; w != 0) f(a, b, w);
}

// The transistor of every cell of a tile as the nodal engine evaluates it:
// the row's table, or with mismatch the fixed mix of the 16 characterised
// nodes around the cell's (delta_vth, beta_factor).  The mix is a sum of C2
// splines with constant weights, so it is as smooth as they are and its
// derivatives are exact.
class CellTransistors {
 public:
  CellTransistors(const TileSpec& tile, const TransistorTables& tables);
  DrainCurrentTable::Value eval(std::size_t cell, double vd, double vs) const {
    if (stencil_.empty()) return row_table_[cell / cols_]->eval(vd, vs);
    const Stencil& s = stencil_[cell];
    const DrainCurrentTable* t[16];
    double w[16];
    int n = 0;
    for_each_weighted_node(s.w_vt, s.w_mu, [&](int a, int b, double wab) {
      t[n] = s.first[a * s.stride + b];
      w[n++] = wab;
    });
    return DrainCurrentTable::eval_mix(t, w, n, vd, vs);
  }

 private:
  struct Stencil {
    const DrainCurrentTable* const* first;  // the node (k_vt - 1, k_mu - 1) in its gate's node grid
    std::size_t stride;                     // nodes per k_vt in that grid
    std::array<double, 4> w_vt, w_mu;       // Lagrange weights along each axis
  };
  std::size_t cols_;
  std::vector<const DrainCurrentTable*> row_table_;          // per row (no mismatch)
  std::vector<std::vector<const DrainCurrentTable*>> grid_;  // per gate: its nodes, dense in (k_vt, k_mu)
  std::vector<Stencil> stencil_;                             // per cell (mismatch)
};

// The node below x on a grid of step h, and the weights of the 4-point
// Lagrange interpolation at x from nodes k - 1 .. k + 2.
struct LagrangeStencil {
  int k;
  std::array<double, 4> w;
};
LagrangeStencil lagrange_stencil(double x, double h);

struct TransistorTableReport {
  bool cache_hit = false;          // every table read from the memo or the cache
  std::vector<std::string> files;  // the cache file of each table
  int characterised = 0;           // tables swept in ngspice by this call
  double seconds = 0;              // wall time to obtain the tables
};

// The table grid: step (V) and the rounding of the voltage range.
inline constexpr double kTableStep = 1.0 / 256;
inline constexpr int kTableFormatVersion = 3;  // 3: one square grid, the splines continued beyond it

// Where tables are cached: $XBAR_CACHE_DIR, else $XDG_CACHE_HOME/xbar, else
// $HOME/.cache/xbar.  Empty when none of them is set.
std::filesystem::path transistor_cache_dir();

// The drain-current tables of the tile's transistor (tile.access_transistors()
// must be true): from the in-process memo, the disk cache (validated; a
// corrupt or mismatched file is rebuilt), or ngspice.  The voltage range covers
// 0 V and every input voltage.  With mismatch, the nodes every cell's stencil
// needs, the missing ones swept together in one sweep per gate voltage.  A
// sweep goes in two pieces: one after the other in `sim` when given (a sweep
// worker's own, already sandboxed ngspice, which may start no process), else
// in two isolated children, one after the other.
// Throws SimulationError when ngspice fails.
std::shared_ptr<const TransistorTables> transistor_tables(const TileSpec& tile, TransistorTableReport* report = nullptr,
                                                          Simulator* sim = nullptr);

// The gate voltages the tile's transistors see, in row order (v_gate, or 0 V
// for a row switched off).
std::vector<double> tile_gate_voltages(const TileSpec& tile);

}  // namespace xbar

namespace xbar {
// Forgets the tables held in this process (tests: the next call reads the disk cache).
void clear_transistor_table_memo();
}  // namespace xbar
