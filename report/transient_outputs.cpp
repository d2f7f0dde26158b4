#include "report/transient_outputs.hpp"

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "common/atomic_file.hpp"
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
    out << '\t' << n + 1 << '\t' << raw_name(t.waveforms[n]) << '\t' << (t.waveforms[n].unit == "A" ? "current" : "voltage")
        << '\n';
  out << "Values:\n";
  for (std::size_t k = 0; k < t.time.size(); ++k) {
    out << ' ' << k << '\t' << fmt::format("{:.17g}", t.time[k]) << '\n';
    for (const auto& w : t.waveforms) out << '\t' << fmt::format("{:.17g}", w.values[k]) << '\n';
  }
}

void add_transient_summary(const TransientResult& t, nlohmann::json& metrics, nlohmann::json& summary) {
  using nlohmann::json;
  double e_sum = 0, e_max = 0, settle_max = 0, settle_sum = 0;
  std::size_t settle_n = 0;
  json per_vector = json::array();
  for (const auto& v : t.vectors) {
    e_sum += v.energy();
    e_max = std::max(e_max, v.energy());
    per_vector.push_back({{"t_start", v.t_start}, {"t_sample", v.t_sample}, {"energy_j", v.energy()},
                          {"energy_drivers_j", v.energy_drivers}, {"energy_sense_j", v.energy_sense}});
  }
  for (const auto& c : t.columns)
    if (std::isfinite(c.t_settle)) {
      settle_max = std::max(settle_max, c.t_settle);
      settle_sum += c.t_settle;
      ++settle_n;
    }
  const double n = static_cast<double>(std::max<std::size_t>(t.vectors.size(), 1));
  metrics["energy_per_mvm_j"] = e_sum / n;
  metrics["max_energy_per_mvm_j"] = e_max;
  metrics["max_settle_s"] = settle_max;
  metrics["mean_settle_s"] = settle_n ? settle_sum / static_cast<double>(settle_n) : 0.0;
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
}

std::string transient_columns_header() { return ",t_settle,q,q_ideal"; }

std::string transient_columns_cells(const TransientResult& t, std::size_t k) {
  if (k >= t.columns.size()) return ",,,";
  const auto& c = t.columns[k];
  return fmt::format(",{},{},{}", number_or_empty(c.t_settle), csv_number(c.charge), csv_number(c.charge_ideal));
}

void write_transient_outputs(const RunResult& r, const std::filesystem::path& dir) {
  if (!r.transient) return;
  std::filesystem::create_directories(dir);
  write_file_atomically(dir / "waveforms.csv", [&](std::ostream& out) { write_waveforms_csv(*r.transient, out); });
  if (r.config.output.raw)
    write_file_atomically(dir / "waveforms.raw",
                          [&](std::ostream& out) { write_waveforms_raw(*r.transient, r.config.name, out); });
}

}  // namespace xbar
