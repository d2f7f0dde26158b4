#pragma once
// The transient outputs: waveforms.csv (and waveforms.raw, writes.csv), the
// tran blocks of summary.json.  Its columns of columns.csv, figures, files
// and terminal lines are the entry kTranOutputs (report/analysis_outputs.hpp)
// in transient_outputs.cpp.
#include <filesystem>
#include <ostream>
#include <string>

#include <nlohmann/json.hpp>

#include "report/result_set.hpp"
#include "runner/run_job.hpp"
#include "runner/transient_job.hpp"

namespace xbar {

// `time [s]`, then one column per output.waveforms signal, "label [unit]".
void write_waveforms_csv(const TransientResult& t, std::ostream& out);
// ngspice's ASCII raw format (one transient plot), for waveform viewers.
void write_waveforms_raw(const TransientResult& t, const std::string& title, std::ostream& out);

// writes.csv: one line per write train,
// row,col,v,width,count,period,state_before,state_after,g_before,g_after.
void write_writes_csv(const DynamicRun& d, std::ostream& out);

// Stages waveforms.csv (+ waveforms.raw when output.raw, writes.csv after writes).
void write_transient_outputs(const RunResult& r, ResultSetWriter& set);

}  // namespace xbar
