#pragma once
// Each analysis (`analysis.type`) as one entry: the circuit SPICE solves for
// it, the checks `xbar check` makes, and how it runs.  run_job(),
// validate_job() and the netlist writers look the analysis up here instead of
// switching on its kind, so a new analysis is one entry of the table in
// run_job.cpp, plus one entry for its outputs.
//
// The output side: each analysis (op, read, tran, and noise as an add-on of
// op) is one AnalysisOutputs entry (report/analysis_outputs.hpp), in the file
// of its outputs (report/<analysis>_outputs.cpp) and listed in
// report/analysis_outputs.cpp.  The entry says when it applies to a RunResult
// and holds the table of its figures (name, regression kind, the function
// that reads the value from the RunResult, empty when not computed), its
// per-column regression quantities, its result files, its summary.json
// blocks and its lines of the terminal summary.  summary.json's metrics (and
// with them sweep.csv, samples.csv and the library's metrics), the
// regression quantities and the terminal summary all read that table; none
// of them tests RunResult's optionals.  To add a figure: one line in its
// analysis' table and a row in docs/outputs.md (test_analysis_outputs fails
// until both are there).  To add an analysis: fill its RunResult member here,
// add its entry there.
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
