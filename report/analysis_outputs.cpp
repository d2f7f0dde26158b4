#include "report/analysis_outputs.hpp"

#include <array>
#include <stdexcept>

#include <fmt/format.h>

namespace xbar {

namespace {

// op first: its lines lead the terminal summary; tran and noise add to it.
constexpr std::array<const AnalysisOutputs*, 4> kEntries = {&kOpOutputs, &kReadOutputs, &kTranOutputs, &kNoiseOutputs};

}  // namespace

std::string column_figure_name(std::string_view what, int vector, int col) {
  return fmt::format("{}[v{},c{}]", what, vector, col);
}

std::span<const AnalysisOutputs* const> all_analysis_outputs() { return kEntries; }

std::vector<const AnalysisOutputs*> analysis_outputs_of(const RunResult& r) {
  std::vector<const AnalysisOutputs*> out;
  for (const AnalysisOutputs* e : kEntries)
    if (e->applies(r)) out.push_back(e);
  return out;
}

FigureValues run_figures(const RunResult& r) {
  FigureValues out;
  for (const AnalysisOutputs* e : analysis_outputs_of(r))
    for (const FigureDef& f : e->figures)
      if (const auto v = f.value(r)) out.emplace_back(f.name, *v);
  return out;
}

void put_figures(const AnalysisOutputs& entry, const RunResult& r, nlohmann::json& metrics) {
  for (const FigureDef& f : entry.figures)
    if (const auto v = f.value(r))
      metrics[std::string(f.name)] = f.flag ? nlohmann::json(*v != 0 ? 1 : 0) : nlohmann::json(*v);
}

std::optional<double> figure_value(const RunResult& r, std::string_view name) {
  for (const AnalysisOutputs* e : analysis_outputs_of(r))
    for (const FigureDef& f : e->figures)
      if (f.name == name) return f.value(r);
  throw std::logic_error(fmt::format("'{}' is not a figure of this run's analyses", name));
}

const FigureDef* find_figure(std::string_view name) {
  for (const AnalysisOutputs* e : kEntries)
    for (const FigureDef& f : e->figures)
      if (f.name == name) return &f;
  return nullptr;
}

const ColumnFigureDef* find_column_figure(std::string_view what) {
  for (const AnalysisOutputs* e : kEntries)
    for (const ColumnFigureDef& c : e->column_figures)
      if (c.what == what) return &c;
  return nullptr;
}

std::string terminal_summary(const RunResult& r) {
  const Config& c = r.config;
  std::string out = fmt::format("{}: {}x{} {} {} via {}, {} vector(s), {:.3f} s\n", c.name, r.tile.rows, r.tile.cols,
                                to_string(r.tile.cell), to_string(c.analysis.type), to_string(c.simulator.engine),
                                r.tile.vectors(), r.elapsed_s);
  for (const AnalysisOutputs* e : analysis_outputs_of(r))
    if (e->terminal) e->terminal(r, out);
  return out;
}

}  // namespace xbar
