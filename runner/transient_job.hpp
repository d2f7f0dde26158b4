#pragma once
// analysis.type: tran.  Runs the tile's transient circuit in ngspice and
// turns the saved vectors into per-vector, per-column metrics: the value at
// the sample instant (pulse_width: the integrated column charge), its error
// against the ideal MVM, the settling time, and the energy the sources
// deliver in each vector's window.
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "netlist_gen/transient_circuit.hpp"
#include "runner/run_job.hpp"
#include "runner/write_pulses.hpp"

namespace xbar {

struct WaveformTrace {
  WaveformSignal signal;
  std::string label;           // "i_col:c3", "v_wl:r0c63"
  std::string unit;            // "A" or "V"
  std::vector<double> values;  // one per time point
};

struct TransientColumn {
  int vector = 0, col = 0;  // logical column
  double value = 0;         // amplitude: I_j at the sample instant; pulse_width: q / pulse_max (A)
  double charge = 0;        // integral of I_j over the window (C)
  double charge_ideal = 0;  // I_ideal * the encoding's integration time (C)
  double t_settle = 0;      // s after the window starts; NaN when the final value is 0
};

struct TransientVector {
  double t_start = 0, t_sample = 0, t_end = 0;
  double energy_drivers = 0;  // J delivered by the row drivers in the window
  double energy_sense = 0;    // J delivered by the sense amplifiers (tia)
  double energy() const { return energy_drivers + energy_sense; }
};

struct TransientResult {
  TranSpec spec;
  std::vector<double> time;              // every point ngspice computed
  std::vector<WaveformTrace> waveforms;  // output.waveforms, in order
  std::vector<TransientVector> vectors;
  std::vector<TransientColumn> columns;  // vector-major, then logical column
  std::string command;                   // the ngspice analysis command
  double spice_elapsed_s = 0;
  // Dynamic cell models: states, writes and disturbs (null for static cells).
  std::shared_ptr<const DynamicRun> dynamic;
};

// The per-MVM figures of summary.json: energy per input vector (mean and
// largest) and settling time over the columns that settle (largest, mean).
struct TransientSummary {
  double energy_per_mvm_j = 0, max_energy_per_mvm_j = 0, max_settle_s = 0, mean_settle_s = 0;
};
TransientSummary summarize_transient(const TransientResult& t);

// Pure numerics, exposed for tests --------------------------------------

// Integral over [a, b] of f(t) g(t), both piecewise linear on `time`
// (exact for such signals).
double integrate_product(const std::vector<double>& time, const std::vector<double>& f, const std::vector<double>& g,
                         double a, double b);
// Integral over [a, b] of f (piecewise linear on `time`).
double integrate(const std::vector<double>& time, const std::vector<double>& f, double a, double b);
// Linear interpolation of f at t.
double sample_at(std::span<const double> time, std::span<const double> f, double t);
// Time after `a` from which f stays within band * |final| of `final` up to
// `b` (final = f(b)); 0 when it never leaves; NaN when final is 0.
double settling_time(const std::vector<double>& time, const std::vector<double>& f, double a, double b, double band);

// Settling time of a tile after a step: one window of `settings` (amplitude
// encoding) in which every row ramps from 0 V to `v_step` over the rise time;
// the largest over the logical columns of the time from the window's start
// after which the column current stays within settings.settle of its value
// at the sample instant (NaN columns, which carry no current, are skipped).
// The window must be long enough for the tile to settle before the sample.
double step_settle_time(const TileSpec& tile, const std::vector<double>& v_step, const TranSettings& settings,
                        Simulator& sim);

// Runs a tran job end to end; `r` holds the config on entry and is filled
// (tile, netlist, analysis, transient; spice when save_cells).
void run_transient_job(RunResult& r, RunContext& ctx, std::vector<std::string>* netlist_out);

// The read transient's circuit and command of a tran config, at the weights'
// states (for `xbar gen` and `xbar check`; the writes run separately).
JobCircuit transient_job_circuit(const Config& config);

}  // namespace xbar
