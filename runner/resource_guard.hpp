#pragma once
// Refuses a run that would exhaust the machine, before it starts, for every
// engine and analysis.
//
// SPICE, op: a fit to measured ngspice 46 + KLU runs of 1R tiles (op
// analysis, isolated child, peak RSS of the whole process tree):
//   memory ~ 20 MiB + cells * (7.2 kB + 950 B * min(V-1, 19) + 100 B * max(V-20, 0))
//   time   ~ 1.71e-7 s * cells^1.574 * (1 + 0.3 (V-1))   (unloaded machine)
// where cells = rows x physical columns and V = input vectors.  Cells with an
// access transistor (1T1R, 2T2R) count double for memory and 2.5x for time
// (taken from docs/ngspice.md, not fitted here).  The memory model is
// an upper envelope of the measurements (it over-estimates many-vector runs
// by up to 1.6x); the time model is a least-squares fit and can be off by 2x.
// SPICE, read: three one-vector op jobs, one after another.
// SPICE, tran: the one-vector op circuit plus every saved value of every time
// point (ngspice takes at least stop / step points: the step is its largest),
// 32 B each, and the same again for the write transient of dynamic cells;
// time: one one-vector op solve per time point.
// Nodal: nodal_memory_bytes(), the engine's own arrays counted; no time
// refusal (the engine stops at the time limit instead).
// See runner/RESOURCES.md for the measurements.
#include <cstddef>
#include <string>

#include "config_loader/config.hpp"

namespace xbar {

struct ResourceEstimate {
  double memory_bytes = 0;
  double time_s = 0;    // 0 for the nodal engine
  long long cells = 0;  // rows x physical columns
  int vectors = 0;
  double time_points = 0;  // tran: the time points ngspice takes at least (read and write transients)
  std::string key;         // the config key that makes the run large, for a refusal's position
};

struct ResourcePolicy {
  // A run whose estimated memory exceeds this is refused; 0: no check.
  double max_memory_bytes = 0;
  // A SPICE run estimated to take more than `time_refusal_factor` times this
  // is refused (it would surely be killed at the limit); 0: no check.
  double time_limit_s = 0;
  double time_refusal_factor = 4;
};

// The op estimate for a tile of `rows` x `cols` logical cells of `cell` kind
// and `vectors` input vectors.
ResourceEstimate estimate_spice_resources(int rows, int cols, CellKind cell, int vectors);
// The SPICE estimate for the config's analysis (op, read or tran).
ResourceEstimate estimate_spice_resources(const Config& config);
// The nodal engine's memory for the config's tile and vectors.
ResourceEstimate estimate_nodal_resources(const Config& config);

// The default memory limit: half of the physical memory (or 4 GB when it
// cannot be read).
double default_memory_limit_bytes();
// The memory limit a `--max-memory GB` option means: not given (< 0) the
// default limit, 0 none.  One rule for every command that runs simulations.
double memory_limit_from_option(double max_memory_gb);

// Throws InputError when the estimate of an engine the config runs is above
// the policy's limits, positioned at the key that makes the run large
// (tile.rows, inputs.vectors when vectors dominate, analysis.tran.step when
// time points do).  The message gives the estimate, the limit and how to
// raise it (`--max-memory GB`, `--time-limit S`).
void check_resources(const Config& config, const ResourcePolicy& policy);

}  // namespace xbar
