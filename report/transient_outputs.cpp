#include "report/transient_outputs.hpp"

#include <algorithm>
#include <cmath>
#include <optional>

#include <fmt/format.h>

#include "report/analysis_outputs.hpp"
#include "report/run_outputs.hpp"

namespace xbar {
namespace {

std::string number_or_empty(double v) { return std::isfinite(v) ? csv_number(v) : std::string(); }

// A raw-file variable name: no blanks, no colons.
std::string raw_name(const WaveformTrace& w) {
  std::string s = w.label;
  std::replace(s.begin(), s.end(), ':', '_');
  return s;
}

}  // namespace

void write_waveforms_csv(const TransientResult& t, std::ostream& out) {
  out << "time [s]";
  for (const auto& w : t.waveforms) out << ',' << w.label << " [" << w.unit << ']';
  out << '\n';
  std::string line;
  for (std::size_t k = 0; k < t.time.size(); ++k) {
    line = csv_number(t.time[k]);
    for (const auto& w : t.waveforms) {
      line += ',';
      line += csv_number(w.values[k]);
    }
    line += '\n';
    out << line;
  }
}

void write_waveforms_raw(const TransientResult& t, const std::string& title, std::ostream& out) {
  out << "Title: " << title << "\nDate: \nPlotname: Transient Analysis\nFlags: real\n";
  out << "No. Variables: " << t.waveforms.size() + 1 << "\nNo. Points: " << t.time.size() << "\nVariables:\n";
  out << "\t0\ttime\ttime\n";
  for (std::size_t n = 0; n < t.waveforms.size(); ++n)
    out << '\t' << n + 1 << '\t' << raw_name(t.waveforms[n]) << '\t'
        << (t.waveforms[n].unit == "A" ? "current" : "voltage") << '\n';
  out << "Values:\n";
  for (std::size_t k = 0; k < t.time.size(); ++k) {
    out << ' ' << k << '\t' << fmt::format("{:.17g}", t.time[k]) << '\n';
    for (const auto& w : t.waveforms) out << '\t' << fmt::format("{:.17g}", w.values[k]) << '\n';
  }
}

namespace {

nlohmann::json dynamic_block(const DynamicRun& d) {
  using nlohmann::json;
  json writes = json::array();
  for (const auto& w : d.writes)
    writes.push_back({{"row", w.train.row},
                      {"col", w.train.col},
                      {"v", w.train.v},
                      {"width_s", w.train.width},
                      {"count", w.train.count},
                      {"period_s", w.train.period},
                      {"t_start", w.t_start},
                      {"t_end", w.t_end},
                      {"state_before", w.state_before},
                      {"state_after", w.state_after},
                      {"g_before", w.g_before},
                      {"g_after", w.g_after}});
  json block = {{"model", d.model},
                {"state", d.state_param},
                {"state_unit", d.state_unit},
                {"max_read_state_change", d.max_read_state_change},
                {"writes", writes}};
  if (!d.writes.empty()) {
    block["max_write_disturb"] = d.max_unselected_write_change;
    block["write_command"] = d.write_command;
    block["write_time_s"] = d.write_time_s;
    block["write_time_points"] = d.write_time_points;
    block["write_spice_elapsed_s"] = d.write_spice_elapsed_s;
  }
  return block;
}

// The "transient" block (and "dynamic" for dynamic cells) of summary.json.
void add_transient_blocks(const TransientResult& t, nlohmann::json& summary) {
  using nlohmann::json;
  json per_vector = json::array();
  for (const auto& v : t.vectors)
    per_vector.push_back({{"t_start", v.t_start},
                          {"t_sample", v.t_sample},
                          {"energy_j", v.energy()},
                          {"energy_drivers_j", v.energy_drivers},
                          {"energy_sense_j", v.energy_sense}});
  const auto& s = t.spec.settings;
  summary["transient"] = {
      {"encoding", s.encoding == TranEncoding::kAmplitude ? "amplitude" : "pulse_width"},
      {"command", t.command},
      {"window_s", s.window},
      {"sample_s", s.sample * s.window},
      {"settle_fraction", s.settle},
      {"time_points", t.time.size()},
      {"spice_elapsed_s", t.spice_elapsed_s},
      {"vectors", per_vector},
  };
  if (s.encoding == TranEncoding::kPulseWidth) {
    summary["transient"]["pulse_amplitude_v"] = t.spec.pulse_amplitude;
    summary["transient"]["pulse_max_s"] = s.pulse_max;
  }
  if (t.dynamic) summary["dynamic"] = dynamic_block(*t.dynamic);
}

using Opt = std::optional<double>;

bool is_tran(const RunResult& r) { return r.transient != nullptr; }
TransientSummary sums(const RunResult& r) { return summarize_transient(*r.transient); }
const DynamicRun* dynamic_of(const RunResult& r) { return r.transient->dynamic.get(); }

constexpr FigureDef kTranFigures[] = {
    {"energy_per_mvm_j", QuantityKind::kEnergy, [](const RunResult& r) { return Opt(sums(r).energy_per_mvm_j); }},
    {"max_energy_per_mvm_j", QuantityKind::kEnergy,
     [](const RunResult& r) { return Opt(sums(r).max_energy_per_mvm_j); }},
    {"max_settle_s", QuantityKind::kTime, [](const RunResult& r) { return Opt(sums(r).max_settle_s); }},
    {"mean_settle_s", QuantityKind::kTime, [](const RunResult& r) { return Opt(sums(r).mean_settle_s); }},
    // Dynamic cells: state changes in the model's state unit (1 or nm),
    // toleranced as ratios.
    {"max_read_state_change", QuantityKind::kError,
     [](const RunResult& r) {
       const DynamicRun* d = dynamic_of(r);
       return d ? Opt(d->max_read_state_change) : Opt();
     }},
    {"max_write_disturb", QuantityKind::kError,
     [](const RunResult& r) {
       const DynamicRun* d = dynamic_of(r);
       return d && !d->writes.empty() ? Opt(d->max_unselected_write_change) : Opt();
     }},
};

constexpr ColumnFigureDef kTranColumnFigures[] = {{"t_settle", QuantityKind::kTime}, {"q", QuantityKind::kCharge}};

void tran_column_values(const RunResult& r, FigureValues& out) {
  for (const auto& c : r.transient->columns) {
    if (std::isfinite(c.t_settle)) out.emplace_back(column_figure_name("t_settle", c.vector, c.col), c.t_settle);
    out.emplace_back(column_figure_name("q", c.vector, c.col), c.charge);
  }
}

constexpr std::string_view kTranFiles[] = {"waveforms.csv", "writes.csv", "waveforms.raw"};

void tran_terminal(const RunResult& r, std::string& out) {
  out += fmt::format("  energy per MVM {:.4e} J  max settling time {:.4e} s\n",
                     figure_value(r, "energy_per_mvm_j").value(), figure_value(r, "max_settle_s").value());
}

}  // namespace

void write_writes_csv(const DynamicRun& d, std::ostream& out) {
  out << "row,col,v,width,count,period,state_before,state_after,g_before,g_after\n";
  for (const auto& w : d.writes)
    out << fmt::format("{},{},{},{},{},{},{},{},{},{}\n", w.train.row, w.train.col, csv_number(w.train.v),
                       csv_number(w.train.width), w.train.count, csv_number(w.train.period), csv_number(w.state_before),
                       csv_number(w.state_after), csv_number(w.g_before), csv_number(w.g_after));
}

void write_transient_outputs(const RunResult& r, ResultSetWriter& set) {
  if (!r.transient) return;
  set.write("waveforms.csv", [&](std::ostream& out) { write_waveforms_csv(*r.transient, out); });
  if (r.transient->dynamic && !r.transient->dynamic->writes.empty())
    set.write("writes.csv", [&](std::ostream& out) { write_writes_csv(*r.transient->dynamic, out); });
  if (r.config.output.raw)
    set.write("waveforms.raw", [&](std::ostream& out) { write_waveforms_raw(*r.transient, r.config.name, out); });
}

namespace {

// Its columns of columns.csv (the group of kTranOutputs).
std::string transient_columns_cells(const RunResult& r, std::size_t k) {
  const TransientResult& t = *r.transient;
  if (k >= t.columns.size()) return ",,,";
  const auto& c = t.columns[k];
  return fmt::format(",{},{},{}", number_or_empty(c.t_settle), csv_number(c.charge), csv_number(c.charge_ideal));
}

}  // namespace

constinit const AnalysisOutputs kTranOutputs{
    .name = "tran",
    .applies = is_tran,
    .figures = kTranFigures,
    .column_figures = kTranColumnFigures,
    .column_values = tran_column_values,
    .columns_csv = {.after = "reverse_cells", .header = ",t_settle,q,q_ideal", .cells = transient_columns_cells},
    .files = kTranFiles,
    .write_files = write_transient_outputs,
    .summary_blocks = [](const RunResult& r, nlohmann::json& summary) { add_transient_blocks(*r.transient, summary); },
    .terminal = tran_terminal,
};

}  // namespace xbar
