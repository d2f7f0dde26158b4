#pragma once
// Ideal matrix-vector product, per-column error, result checks (KCL) and the
// summary metrics of docs/outputs.md.  Works on TileSolutions, so it never
// depends on which engine produced them.
#include <optional>
#include <string>
#include <vector>

#include "tile/tile_solution.hpp"
#include "tile/tile_spec.hpp"

namespace xbar {

// I_ideal[v][pj] = sum_i G_ij V_i, with the placed conductances and the driver
// source voltages (docs/circuit.md).
std::vector<std::vector<double>> ideal_phys_currents(const TileSpec& t);
// I_target[v][pj] = sum_i G_intended,ij V_i: the product the weights ask for
// (no quantization, variability, drift or writes).  Empty when the tile has
// no intended conductances.
std::vector<std::vector<double>> target_phys_currents(const TileSpec& t);
// Logical outputs from physical column values: the same for 1R/1T1R, I+ - I-
// for 2T2R.
std::vector<double> logical_outputs(const TileSpec& t, const std::vector<double>& phys);

// KCL and sanity checks on an engine's result: every value finite; the sum of
// driver currents equals the sum of currents into the sense nodes; per column
// (1R), the cell currents computed from the node voltages add up to the
// column current.  Throws SimulationError naming the worst violation.
struct KclReport {
  double worst_global = 0;  // |sum drivers - sum columns| / sum |columns|, worst vector
  double worst_column = 0;  // per-column residual relative to the column's largest current
  double worst_row = 0;     // per-row residual relative to the driver current
};
KclReport check_solution(const TileSpec& t, const TileSolution& s, double rel_tol = 1e-6);

struct ColumnRecord {
  int vector = 0, col = 0;
  double i_ideal = 0;
  std::optional<double> i_target;  // the intended product (target_phys_currents)
  std::optional<double> i_spice, i_nodal;
  std::optional<double> rel_err;  // of the primary engine; empty where i_ideal is 0
  std::optional<double> i_adc;    // ADC-quantized primary current (periphery.adc.bits > 0)
};

// A metric that was not computed is empty, never 0.
struct Metrics {
  double max_rel_err = 0;   // max |rel_err|
  double mean_rel_err = 0;  // mean |rel_err|
  double nrmse = 0;         // RMS(i_sim - i_ideal) / max|i_ideal| per vector, worst vector
  // |i_sim - i_ideal| / TileSpec::i_full_scale, worst and mean over columns
  // and vectors: meaningful for signed outputs, where rel_err blows up near 0.
  std::optional<double> max_err_fs, mean_err_fs;
  // Against the intended product i_target: max and mean |i_sim - i_target| /
  // |i_target| (columns whose target is 0 left out), and RMS(i_sim -
  // i_target) / max|i_target| per vector, worst vector.
  std::optional<double> max_rel_err_target, mean_rel_err_target, nrmse_target;
  std::optional<double> spice_vs_nodal;   // worst |i_spice - i_nodal| / |i_spice| (floored)
  std::optional<double> max_ir_drop;      // max over cells of |V_i - v_cell| / max_k |V_k| (per vector)
  std::optional<double> mean_ir_drop;     // mean of the same over present cells and vectors
  std::optional<double> max_ir_drop_v;    // max over cells of |V_i - v_cell| in volts
  std::optional<double> adc_max_rel_err;  // of the ADC output against the ideal
  std::optional<KclReport> kcl;           // of the primary engine, when its node solution was checked
};

struct TileAnalysis {
  std::string primary;                // "spice" or "nodal"
  std::vector<ColumnRecord> columns;  // vector-major, then logical column
  Metrics metrics;
};

TileAnalysis analyze_tile(const TileSpec& t, const TileSolution* spice, const TileSolution* nodal);

// The metric spice_vs_nodal of any analysis: the largest |i_spice - i_nodal|
// / |i_spice| over the records holding both, the denominator floored at 1e-9
// of the vector's largest |i_spice| so a near-zero column does not dominate;
// empty when no record holds both.
std::optional<double> spice_vs_nodal(const std::vector<ColumnRecord>& columns);

// Scores the primary engine's output of every column record (i_spice, or
// i_nodal when `a.primary` is "nodal") against i_ideal and i_target: sets
// rel_err and i_adc per record and the error metrics (rel, nrmse, full-scale,
// target, ADC).  Records without a primary output are skipped.
void score_columns(const TileSpec& t, TileAnalysis& a);

// ADC model: a uniform mid-tread quantizer of `bits` over [-full_scale,
// full_scale]; the tile's ADC uses the column full scale TileSpec::i_full_scale.
double adc_quantize(double i, double full_scale, int bits);

}  // namespace xbar
