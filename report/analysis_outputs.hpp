#pragma once
// What each analysis contributes to a run's outputs, declared in one entry:
// its figures, its per-column regression quantities, the result files it may
// write, its blocks of summary.json and its lines of the terminal summary.
//
// A figure is one named number of a run.  Its entry is read by every
// consumer: summary.json's `metrics` (and so sweep.csv's and samples.csv's
// columns and the library's `metrics`, read back from summary.json), the
// regression quantities and their kinds (regression/quantities.hpp), and the
// terminal summary, which looks its numbers up by name (figure_value()), so
// it shows nothing summary.json does not hold.  None of them switches on the
// analysis: they loop over analysis_outputs_of(run).  A new analysis, or a
// new figure of one, is one entry (or one line of its table) in the file of
// its outputs (report/<analysis>_outputs.cpp), listed in analysis_outputs.cpp;
// tests/unit/test_analysis_outputs.cpp checks that every consumer has it.
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "report/result_set.hpp"
#include "runner/run_job.hpp"

namespace xbar {

// What a figure measures, so the regression suite knows its default
// tolerance (regression/quantities.hpp): a current (A), an error or other
// ratio, a voltage (V), an agreement between two computations (a bound),
// an energy (J), a time (s), a charge (C).
enum class QuantityKind { kCurrent, kError, kVoltage, kAgreement, kEnergy, kTime, kCharge };

struct FigureDef {
  std::string_view name;  // summary.json metrics key, sweep.csv column, regression quantity
  QuantityKind kind;
  // The figure of run `r` (which the entry applies to); empty when it was
  // not computed (then it is absent from every output, never 0).
  std::optional<double> (*value)(const RunResult& r);
  bool flag = false;  // 0 or 1: an integer in summary.json
};

// A per-column regression quantity `what[vV,cC]` (its column of columns.csv).
struct ColumnFigureDef {
  std::string_view what;
  QuantityKind kind;
};

// "what[vV,cC]": the name of column figure `what` of vector V, logical column C.
std::string column_figure_name(std::string_view what, int vector, int col);

using FigureValues = std::vector<std::pair<std::string, double>>;  // in declaration order

// An analysis' group of columns in columns.csv, beside the op columns every
// run with a product writes: the header and the cells of row k (vector-major,
// logical column), each starting with its comma, placed after op column
// `after` (where the group was added: readers that count columns keep
// working), groups after the same column in entry order.
struct ColumnsCsvGroup {
  std::string_view after;  // "reverse_cells" or "e_nonlinear" (the last column)
  std::string_view header;
  std::string (*cells)(const RunResult& r, std::size_t k) = nullptr;  // null: no group
};

struct AnalysisOutputs {
  std::string_view name;  // "op", "read", "tran", "noise"
  bool (*applies)(const RunResult& r);
  std::span<const FigureDef> figures;
  std::span<const ColumnFigureDef> column_figures;
  // Appends the values of `column_figures`, column record by column record
  // (null: none).
  void (*column_values)(const RunResult& r, FigureValues& out);
  ColumnsCsvGroup columns_csv;
  // The result files it may write besides kRunFiles (each one declared in
  // exactly one entry), and the function that stages them (null: none).
  std::span<const std::string_view> files;
  void (*write_files)(const RunResult& r, ResultSetWriter& set);
  // Adds its blocks to summary.json (null: none); the figures go to
  // `metrics` without it.
  void (*summary_blocks)(const RunResult& r, nlohmann::json& summary);
  // Appends its lines of the terminal summary (null: none).
  void (*terminal)(const RunResult& r, std::string& out);
};

// The files of every run, whatever its analysis (summary.json first).
inline constexpr std::string_view kRunFiles[] = {"summary.json", "resolved.yaml", "netlist.cir"};

// Every entry (op, read, tran, noise), and those that apply to `r`, in that
// order.
std::span<const AnalysisOutputs* const> all_analysis_outputs();
std::vector<const AnalysisOutputs*> analysis_outputs_of(const RunResult& r);

// The figures of `r` that were computed, entry by entry: summary.json's metrics.
FigureValues run_figures(const RunResult& r);
// The figures of `entry` that `r` computed into summary.json's `metrics`
// (a flag as the integer 0 or 1).
void put_figures(const AnalysisOutputs& entry, const RunResult& r, nlohmann::json& metrics);
// The named figure of `r`; std::logic_error when no entry that applies to
// `r` declares it (a bug).
std::optional<double> figure_value(const RunResult& r, std::string_view name);
// The declaration of a figure name in any entry, or null.
const FigureDef* find_figure(std::string_view name);
const ColumnFigureDef* find_column_figure(std::string_view what);

// The summary printed after `xbar run`: what ran, then each entry's lines.
std::string terminal_summary(const RunResult& r);

// The entries, defined beside each analysis' files.
extern const AnalysisOutputs kOpOutputs;     // report/run_outputs.cpp
extern const AnalysisOutputs kReadOutputs;   // report/read_outputs.cpp
extern const AnalysisOutputs kTranOutputs;   // report/transient_outputs.cpp
extern const AnalysisOutputs kNoiseOutputs;  // report/noise_outputs.cpp

}  // namespace xbar
