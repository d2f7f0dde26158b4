#pragma once
// Refuses a SPICE run that would exhaust the machine, before it starts.
// The estimate is a fit to measured ngspice 46 + KLU runs of 1R tiles (op
// analysis, isolated child, peak RSS of the whole process tree):
//   memory ~ 20 MiB + cells * (7.2 kB + 950 B * min(V-1, 19) + 100 B * max(V-20, 0))
//   time   ~ 1.71e-7 s * cells^1.574 * (1 + 0.3 (V-1))   (unloaded machine)
// where cells = rows x physical columns and V = input vectors.  Cells with an
// access transistor (1T1R, 2T2R) count double for memory and 2.5x for time
// (taken from docs/ngspice.md, not fitted here).  The memory model is
// an upper envelope of the measurements (it over-estimates many-vector runs
// by up to 1.6x); the time model is a least-squares fit and can be off by 2x.
// See runner/RESOURCES.md for the measurements.
#include <cstddef>
#include <string>

#include "config_loader/config.hpp"

namespace xbar {

struct ResourceEstimate {
  double memory_bytes = 0;
  double time_s = 0;
  long long cells = 0;  // rows x physical columns
  int vectors = 0;
};

struct ResourcePolicy {
  // A SPICE run whose estimated memory exceeds this is refused; 0: no check.
  double max_memory_bytes = 0;
  // A SPICE run estimated to take more than `time_refusal_factor` times this
  // is refused (it would surely be killed at the limit); 0: no check.
  double time_limit_s = 0;
  double time_refusal_factor = 4;
};

// The estimate for a tile of `rows` x `cols` logical cells of `cell` kind and
// `vectors` input vectors.
ResourceEstimate estimate_spice_resources(int rows, int cols, CellKind cell, int vectors);
ResourceEstimate estimate_spice_resources(const Config& config);

// The default memory limit: half of the physical memory (or 4 GB when it
// cannot be read).
double default_memory_limit_bytes();

// Throws InputError, positioned at the tile size in the config (or at the
// number of vectors when they dominate), when the estimate is above the
// policy's limits.  The message gives the estimate, the limit and how to raise
// it (`--max-memory GB`, `--time-limit S`).
void check_spice_resources(const Config& config, const ResourcePolicy& policy);

}  // namespace xbar
