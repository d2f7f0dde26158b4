// Op circuit -> transient circuit (see transient_circuit.hpp).
#include "netlist_gen/transient_circuit.hpp"

#include <algorithm>
#include <cmath>
#include <set>
#include <stdexcept>

#include <fmt/format.h>

namespace xbar {
namespace {

double largest_input(const TileSpec& tile) {
  double m = 0;
  for (const auto& vec : tile.inputs)
    for (double x : vec) m = std::max(m, std::fabs(x));
  return m;
}

const Element* element_named(const Circuit& c, const std::string& name) {
  for (const auto& e : c.elements)
    if (e.name == name) return &e;
  return nullptr;
}

const std::string& node_name(const Circuit& c, NodeId n) { return c.node_names.at(static_cast<std::size_t>(n)); }

SignalSource node_source(const Circuit& c, NodeId n) {
  return n == kGround ? SignalSource{"", 0.0} : SignalSource{node_name(c, n), 1.0};
}

}  // namespace

TranSpec make_tran_spec(const Config& config, const TileSpec& tile) {
  TranSpec t;
  t.settings = config.analysis.tran;
  t.waveforms = config.output.waveforms;
  t.keep_all_voltages = t.settings.save_cells;
  const TranSettings& s = t.settings;
  Diagnostics d;
  const double sample_dt = s.sample * s.window;
  if (s.encoding == TranEncoding::kAmplitude) {
    if (std::max(s.rise, s.fall) >= sample_dt)
      d.error(config.where(s.rise >= s.fall ? "analysis.tran.rise" : "analysis.tran.fall"),
              fmt::format("a driver edge of {:g} s does not end before the sample instant ({:g} s into the window)",
                          std::max(s.rise, s.fall), sample_dt));
  } else {
    t.pulse_amplitude =
        config.inputs.kind == InputKind::kNormalized ? std::fabs(config.inputs.v_read) : largest_input(tile);
    if (t.pulse_amplitude == 0) t.pulse_amplitude = 1.0;  // every input is 0: no pulse at all
    const double longest = s.pulse_max + 0.5 * (s.rise + s.fall);
    if (longest > s.window)
      d.error(config.where("analysis.tran.pulse_max"),
              fmt::format("a full-scale pulse with its edges lasts {:g} s, longer than the window ({:g} s)", longest,
                          s.window));
    if (config.inputs.kind == InputKind::kVoltage && largest_input(tile) > t.pulse_amplitude * (1 + 1e-12))
      d.error(config.where("inputs.kind"), "pulse_width inputs cannot exceed the pulse amplitude");
  }
  if (s.step > s.window)
    d.error(config.where("analysis.tran.step"),
            fmt::format("the time step ({:g} s) is longer than the window ({:g} s)", s.step, s.window));
  if (!d.empty()) throw InputError(std::move(d));
  return t;
}

std::pair<std::vector<double>, std::vector<double>> driver_waveform(const TileSpec& tile, const TranSpec& tran,
                                                                    int row) {
  const TranSettings& s = tran.settings;
  std::vector<double> t, v;
  append_pwl_point(t, v, 0.0, 0.0);
  double previous = 0.0;
  for (int k = 0; k < tile.vectors(); ++k) {
    const double t0 = k * s.window;
    const double x = tile.inputs[static_cast<std::size_t>(k)][static_cast<std::size_t>(row)];
    if (s.encoding == TranEncoding::kAmplitude) {
      append_pwl_point(t, v, t0, previous);
      append_pwl_point(t, v, t0 + (x >= previous ? s.rise : s.fall), x);
      previous = x;
      continue;
    }
    const double a = x >= 0 ? tran.pulse_amplitude : -tran.pulse_amplitude;
    const double width = std::fabs(x) / tran.pulse_amplitude * s.pulse_max;  // area / amplitude
    if (width == 0.0) continue;
    const double edges = 0.5 * (s.rise + s.fall);
    append_pwl_point(t, v, t0, 0.0);
    if (width >= edges) {
      const double flat = width - edges;
      append_pwl_point(t, v, t0 + s.rise, a);
      append_pwl_point(t, v, t0 + s.rise + flat, a);
      append_pwl_point(t, v, t0 + s.rise + flat + s.fall, 0.0);
    } else {
      append_pwl_point(t, v, t0 + s.rise, a * width / edges);  // same area, lower peak
      append_pwl_point(t, v, t0 + s.rise + s.fall, 0.0);
    }
  }
  append_pwl_point(t, v, tran.stop_time(tile.vectors()), v.back());
  return {std::move(t), std::move(v)};
}

double pwl_value_at(const std::vector<double>& t, const std::vector<double>& v, double time) {
  if (time <= t.front()) return v.front();
  if (time >= t.back()) return v.back();
  const auto hi = static_cast<std::size_t>(std::upper_bound(t.begin(), t.end(), time) - t.begin());
  const std::size_t lo = hi - 1;
  const double f = (time - t[lo]) / (t[hi] - t[lo]);
  return v[lo] + f * (v[hi] - v[lo]);
}

SignalSource column_current_source(const Circuit& c, const TileSpec& tile, int phys_col) {
  if (tile.sense == SenseKind::kVirtualGround)
    return {c.map.sense_source.at(static_cast<std::size_t>(phys_col)) + "#branch", 1.0};
  // I_j = -V_out,j / r_f (docs/circuit.md).
  return {node_name(c, c.map.tia_out.at(static_cast<std::size_t>(phys_col))), -1.0 / tile.tia_r_f};
}

SignalSource driver_current_source(const Circuit& c, int row) {
  // A source's branch current flows from its + node through it.
  return {c.map.driver_source.at(static_cast<std::size_t>(row)) + "#branch", -1.0};
}

SignalSource signal_source(const Circuit& c, const TileSpec& tile, const WaveformSignal& s) {
  switch (s.kind) {
    case WaveformKind::kColumnCurrent: return column_current_source(c, tile, s.col);
    case WaveformKind::kDriverCurrent: return driver_current_source(c, s.row);
    case WaveformKind::kWordLine: return node_source(c, c.map.wl_at(s.row, s.col));
    case WaveformKind::kBitLine: return node_source(c, c.map.bl_at(s.row, s.col));
    case WaveformKind::kSenseNode: return node_source(c, c.map.sense.at(static_cast<std::size_t>(s.col)));
  }
  throw std::invalid_argument("unknown waveform kind");
}

std::vector<EnergySource> energy_sources(const Circuit& c, const TileSpec& tile) {
  std::vector<EnergySource> out;
  for (int i = 0; i < tile.rows; ++i) {
    const std::string& name = c.map.driver_source[static_cast<std::size_t>(i)];
    out.push_back({name, "", name + "#branch", i, -1});
  }
  // Virtual-ground sources sit at 0 V and deliver no energy; an amplifier's
  // output does.
  if (tile.sense == SenseKind::kTia)
    for (int j = 0; j < tile.phys_cols(); ++j) {
      const std::string name = fmt::format("ea{}", j);
      if (element_named(c, name) == nullptr) throw std::logic_error("TIA amplifier " + name + " is missing");
      out.push_back({name, node_name(c, c.map.tia_out[static_cast<std::size_t>(j)]), name + "#branch", -1, j});
    }
  return out;
}

Circuit make_transient_circuit(const TileSpec& tile, const TranSpec& tran) {
  if (tile.inputs.empty()) throw std::invalid_argument("tile has no input vectors");
  // The op circuit of one vector has a plain source per driver; every vector
  // then lives in that source's waveform.
  TileSpec one = tile;
  one.inputs.resize(1);
  Circuit c = build_tile_circuit(one);
  c.vectors = tile.vectors();
  c.title += " tran";
  for (int i = 0; i < tile.rows; ++i) {
    const std::string& name = c.map.driver_source[static_cast<std::size_t>(i)];
    auto it = std::find_if(c.elements.begin(), c.elements.end(), [&](const Element& e) { return e.name == name; });
    if (it == c.elements.end() || it->kind != ElementKind::kVoltageSource)
      throw std::logic_error("driver source " + name + " is missing");
    it->kind = ElementKind::kPwlSource;
    std::tie(it->pwl_time, it->pwl_value) = driver_waveform(tile, tran, i);
  }
  // The op circuit's tolerances (reltol 1e-9) also drive the transient's
  // truncation-error step control, doubling the time points; 1e-6 keeps the
  // settled values within 1e-6 of the op result.  The user's own
  // simulator.options still win.
  for (auto& [key, value] : c.options) {
    if (tile.spice_options.count(key)) continue;
    if (key == "reltol") value = "1e-6";
    if (key == "vntol") value = "1e-9";
    if (key == "abstol") value = "1e-15";
  }
  auto add_cap = [&](std::string name, NodeId a, NodeId b, double farad, int row, int col) {
    if (farad <= 0 || a == b) return;  // nothing, or a capacitor shorted by merged nodes
    Element e;
    e.kind = ElementKind::kCapacitor;
    e.name = std::move(name);
    e.nodes = {a, b};
    e.value = farad;
    e.row = row;
    e.col = col;
    c.elements.push_back(std::move(e));
  };
  const auto& m = c.map;
  const TranSettings& s = tran.settings;
  for (int i = 0; i < tile.rows; ++i)
    for (int j = 0; j < tile.phys_cols(); ++j) {
      add_cap(fmt::format("cw{}_{}", i, j), m.wl_at(i, j), kGround, tile.c_wl, i, j);
      add_cap(fmt::format("cb{}_{}", i, j), m.bl_at(i, j), kGround, tile.c_bl, i, j);
      if (tile.g_at(i, j) > 0) add_cap(fmt::format("cc{}_{}", i, j), m.wl_at(i, j), m.bl_at(i, j), s.c_cell, i, j);
    }
  for (int j = 0; j < tile.phys_cols(); ++j)
    add_cap(fmt::format("cs{}", j), m.sense[static_cast<std::size_t>(j)], kGround, s.c_sense, -1, j);

  // Keep only what the analysis reads: column currents, driver currents,
  // amplifier outputs, the requested signals.
  std::set<std::string> seen;
  auto save = [&](const std::string& v) {
    if (!v.empty() && seen.insert(v).second) c.saves.push_back(v);
  };
  for (int j = 0; j < tile.phys_cols(); ++j) save(column_current_source(c, tile, j).vector);
  for (int i = 0; i < tile.rows; ++i) save(driver_current_source(c, i).vector);
  for (const auto& es : energy_sources(c, tile)) {
    save(es.voltage_node);
    save(es.branch);
  }
  for (const auto& w : tran.waveforms) save(signal_source(c, tile, w).vector);
  if (tran.keep_all_voltages) {
    for (NodeId n : m.wl) save(node_source(c, n).vector);
    for (NodeId n : m.bl) save(node_source(c, n).vector);
  }
  return c;
}

std::string transient_command(const TileSpec& tile, const TranSpec& tran) {
  const double step = tran.settings.step;
  return fmt::format("tran {:.17g} {:.17g} 0 {:.17g}", step, tran.stop_time(tile.vectors()), step);
}

void append_pwl_point(std::vector<double>& t, std::vector<double>& v, double time, double value) {
  if (!t.empty() && time <= t.back()) {
    if (time == t.back()) v.back() = value;
    return;
  }
  t.push_back(time);
  v.push_back(value);
}

}  // namespace xbar
