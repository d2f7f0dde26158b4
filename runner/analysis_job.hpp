#pragma once
// Each analysis (`analysis.type`) as one entry: the circuit SPICE solves for
// it, the checks `xbar check` makes, and how it runs.  run_job(),
// validate_job() and the netlist writers look the analysis up here instead of
// switching on its kind, so a new analysis is one entry of the table in
// run_job.cpp (and its result files in report/).
#include <string>
#include <vector>

#include "config_loader/config.hpp"
#include "netlist_gen/circuit.hpp"

namespace xbar {

struct RunResult;
struct RunContext;

struct AnalysisJob {
  AnalysisKind kind;
  // The circuit and analysis command SPICE solves (`xbar gen`); InputError
  // for what the analysis refuses.
  JobCircuit (*circuit)(const Config& config);
  // Every refusal run() would make, short of simulating (`xbar check`);
  // null: building `circuit` makes them all.
  void (*validate)(const Config& config);
  // Runs the analysis: `r` holds the checked config on entry; `netlist_out`
  // (when given) receives the netlist before SPICE runs it.
  void (*run)(RunResult& r, RunContext& ctx, std::vector<std::string>* netlist_out);
};

// The entry of `kind` (std::logic_error for a kind without one: a bug).
const AnalysisJob& analysis_job(AnalysisKind kind);

}  // namespace xbar
