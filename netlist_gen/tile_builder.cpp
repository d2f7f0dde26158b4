// Config -> TileSpec: places the conductances and computes the driver voltages.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include <fmt/format.h>

#include "common/ascii_case.hpp"
#include "common/suggest.hpp"
#include "config_loader/data_file.hpp"
#include "model_library/model_library.hpp"
#include "models/registry.hpp"
#include "netlist_gen/dynamic_cells.hpp"
#include "netlist_gen/portable_random.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "netlist_gen/variability.hpp"

namespace xbar {
namespace {

bool signed_weights(const Config& c) { return c.tile.cell->differential; }

// Weight quantized to `levels` evenly spaced values over [0, 1] (by magnitude
// for signed weights).
double quantize_weight(double w, int levels) {
  if (levels < 2) return w;
  const double steps = levels - 1;
  const double q = std::round(std::fabs(w) * steps) / steps;
  return w < 0 ? -q : q;
}

CellModel resolve_cell_model(const Config& c, Diagnostics& diags) {
  CellModel m;
  m.name = c.device.model;
  const ModelInfo* info = find_model(c.device.model);
  if (info == nullptr || info->kind != ModelKind::kCell) {
    const std::string near = nearest_model_name(c.device.model);
    diags.error(c.where("device.model"),
                fmt::format("unknown cell model '{}'{}; `xbar models` lists them", c.device.model,
                            near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near)));
    return m;
  }
  for (const auto& [key, value] : c.device.params) {
    const ModelParam* p = info->find_param(key);
    if (p == nullptr) {
      diags.error(c.where("device.params." + key).line ? c.where("device.params." + key) : c.where("device.params"),
                  fmt::format("model '{}' has no parameter '{}'", info->name, key));
    } else if (!(value >= p->min && value <= p->max)) {
      diags.error(c.where("device.params." + key).line ? c.where("device.params." + key) : c.where("device.params"),
                  fmt::format("{} = {:g} is outside [{:g}, {:g}] {}", key, value, p->min, p->max, p->unit));
    }
  }
  const char* analysis = to_string(c.analysis.type);
  if (!info->suits(analysis)) {
    std::string suits;
    for (const auto& a : info->analyses) suits += (suits.empty() ? "" : ", ") + a;
    diags.error(
        c.where("device.model"),
        fmt::format("model '{}'{} is for analyses {} only; analysis.type is '{}'", info->name,
                    is_dynamic_cell_model(*info) ? " (a dynamic subcircuit, placed for write/read transients)" : "",
                    suits, analysis));
    return m;
  }
  if (const auto dyn = find_dynamic_model(info->name, c.device.params)) {
    // Placed as subcircuits by the transient job; the frozen-state law serves
    // the nodal engine and the reports.  The initial state comes from the weight.
    if (c.device.params.count(dyn->state_param))
      diags.error(c.where("device.params." + dyn->state_param).line ? c.where("device.params." + dyn->state_param)
                                                                    : c.where("device.params"),
                  fmt::format("in a tile each cell's initial {} comes from its weight; remove it", dyn->state_param));
    return dyn->read_law();
  }
  if (info->find_param("tcg"))
    m.temperature_factor = std::exp(param_value(*info, "tcg", c.device.params) * (c.simulator.temperature - 27.0));
  if (info->read_law)
    m.law = info->read_law([&](const std::string& n) { return param_value(*info, n, c.device.params); });
  if (info->drift) {
    // G(t) = G0 (t_read / t0)^(-nu): applied to the placed conductances, so
    // the netlist, the nodal engine and the ideal reference all use it.
    const double t_read = param_value(*info, "t_read", c.device.params);
    const double t0 = param_value(*info, "t0", c.device.params);
    if (!(t_read >= t0))
      diags.error(c.where("device.params.t_read").line ? c.where("device.params.t_read") : c.where("device.params"),
                  fmt::format("t_read = {:g} s is before the reference time t0 = {:g} s", t_read, t0));
    else
      m.drift_factor = std::pow(t_read / t0, -param_value(*info, "nu", c.device.params));
  }
  return m;
}

// What a model file defines: `.model NAME` (also binned NAME.1, NAME.2, ...)
// and `.subckt NAME`, in the text the model reader returns (includes inlined,
// so exactly what the netlist will hold).
struct ModelDefinitions {
  std::set<std::string> models, subckts;
};

void scan_model_text(const std::vector<std::string>& lines, ModelDefinitions& defs) {
  for (const auto& line : lines) {
    std::istringstream words(ascii_lower(line));
    std::string first, second;
    words >> first >> second;
    if (second.empty()) continue;
    if (first == ".model") {
      const auto dot = second.find('.');
      const bool binned = dot != std::string::npos && dot + 1 < second.size() &&
                          std::all_of(second.begin() + dot + 1, second.end(), [](char ch) { return std::isdigit(ch); });
      defs.models.insert(binned ? second.substr(0, dot) : second);
    } else if (first == ".subckt") {
      defs.subckts.insert(second);
    }
  }
}

// Reads the user's model files through the model reader: a file that would
// reach ngspice's control language, or cannot be read as ngspice would, is bad
// input at transistor.include, naming the place inside the model file.
ModelDefinitions read_user_models(const Config& c, Diagnostics& diags) {
  ModelDefinitions defs;
  for (const auto& f : c.transistor.include) {
    try {
      scan_model_text(read_model_library(f), defs);
    } catch (const ModelFileError& e) {
      diags.error(c.where("transistor.include"), fmt::format("model file refused: {}: {}", e.pos().str(), e.reason()));
    }
  }
  return defs;
}

// Resolves transistor.model: the user's include files first (a PDK may define
// any name, even one the registry uses), then the project's cards.
TransistorSpec resolve_transistor(const Config& c, Diagnostics& diags) {
  TransistorSpec t;
  t.model = ascii_lower(c.transistor.model);  // as ngspice reads every name
  t.w = c.transistor.w;
  t.l = c.transistor.l;
  t.v_gate = c.transistor.v_gate;
  t.include = c.transistor.include;
  // Read even when a 1R tile leaves them out: a bad file is reported either way.
  const std::size_t problems_before = diags.size();
  const ModelDefinitions user = read_user_models(c, diags);
  if (!c.tile.cell->has(CellPart::kAccessTransistor) || diags.size() > problems_before) return t;
  if (user.models.count(t.model) || user.subckts.count(t.model)) {
    t.subckt = user.subckts.count(t.model) > 0;
    if (t.subckt && (c.transistor.a_vt > 0 || c.transistor.a_beta > 0))
      diags.error(c.where(c.transistor.a_vt > 0 ? "transistor.a_vt" : "transistor.a_beta"),
                  fmt::format("Pelgrom mismatch is passed as the instance parameters delvto and mulu0 of a .model "
                              "transistor; '{}' is a subcircuit",
                              t.model));
    t.model_files = c.transistor.include;
    return t;
  }
  const ModelInfo* info = find_model(t.model);
  if (info == nullptr || info->kind != ModelKind::kTransistor) {
    std::vector<std::string> names(user.models.begin(), user.models.end());
    names.insert(names.end(), user.subckts.begin(), user.subckts.end());
    for (const auto& m : model_registry())
      if (m.kind == ModelKind::kTransistor) names.push_back(m.name);
    const std::string near = nearest_name(t.model, names);
    diags.error(c.where("transistor.model"),
                fmt::format("unknown transistor model '{}': neither a transistor in `xbar models` nor a .model/.subckt "
                            "in transistor.include{}",
                            c.transistor.model, near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near)));
    return t;
  }
  if (info->ideal_switch()) {
    // No card, no transistor in the circuit.
    t.ideal = true;
    t.model = info->name;
    return t;
  }
  t.model = info->spice_name;
  t.model_files = {model_file_path(info->file)};
  if ((c.transistor.a_vt > 0 || c.transistor.a_beta > 0) && !info->instance_mismatch) {
    std::string cards;
    for (const auto& m : model_registry())
      if (m.instance_mismatch) cards += fmt::format("{}'{}'", cards.empty() ? "" : ", ", m.name);
    diags.error(c.where(c.transistor.a_vt > 0 ? "transistor.a_vt" : "transistor.a_beta"),
                fmt::format("Pelgrom mismatch needs per-instance delvto and mulu0, which transistor card '{}' lacks; "
                            "use {}",
                            info->name, cards));
  }
  // The user's files still go in: they may hold models the card relies on.
  t.model_files.insert(t.model_files.end(), c.transistor.include.begin(), c.transistor.include.end());
  return t;
}

// Resolves selector.* for a kind with a selector part: a registry selector,
// its parameters within their ranges, reduced to the law's i0 and v0.
SelectorSpec resolve_selector(const Config& c, Diagnostics& diags) {
  SelectorSpec s;
  if (!c.tile.cell->has(CellPart::kSelector)) return s;
  const ModelInfo* info = find_model(c.selector.model);
  if (info == nullptr || info->kind != ModelKind::kSelector) {
    std::vector<std::string> names;
    for (const auto& m : model_registry())
      if (m.kind == ModelKind::kSelector) names.push_back(m.name);
    const std::string near = nearest_name(c.selector.model, names);
    diags.error(c.where("selector.model"),
                fmt::format("unknown selector model '{}'{}; `xbar models` lists them", c.selector.model,
                            near.empty() ? "" : fmt::format(" (did you mean '{}'?)", near)));
    return s;
  }
  const std::size_t problems_before = diags.size();
  for (const auto& [key, value] : c.selector.params) {
    const std::string path = "selector.params." + key;
    const SourcePos at = c.where(path).line ? c.where(path) : c.where("selector.params");
    const ModelParam* p = info->find_param(key);
    if (p == nullptr)
      diags.error(at, fmt::format("selector model '{}' has no parameter '{}'", info->name, key));
    else if (!(value >= p->min && value <= p->max))
      diags.error(at, fmt::format("{} = {:g} is outside [{:g}, {:g}] {}", key, value, p->min, p->max, p->unit));
  }
  if (diags.size() > problems_before) return s;
  const ParamValue param = [&](const std::string& n) { return param_value(*info, n, c.selector.params); };
  s.model = info->name;
  s.law = info->read_law(param);
  s.g = info->zero_bias_conductance(param);
  return s;
}

}  // namespace

void check_model_files(const Config& c, Diagnostics& diags) { read_user_models(c, diags); }

namespace {

// Conductance of one physical cell from a weight (docs/circuit.md), quantized
// to `levels` (0: analog).
void place_weight(const Config& c, double w, int levels, double* g_plus, double* g_minus) {
  const double span = c.device.g_on - c.device.g_off;
  w = quantize_weight(w, levels);
  if (g_minus == nullptr) {
    *g_plus = c.device.g_off + w * span;
  } else {
    *g_plus = c.device.g_off + std::max(w, 0.0) * span;
    *g_minus = c.device.g_off + std::max(-w, 0.0) * span;
  }
}

// The placed conductances of the tile; `intended` receives the ones the
// weights ask for (no quantization, no variability) and `warnings` the
// weights file's warnings.
std::vector<double> build_conductances(const Config& c, int phys_cols, Diagnostics& diags,
                                       std::vector<double>& intended, std::vector<std::string>& warnings) {
  const int R = c.tile.rows, C = c.tile.cols;
  const bool is_signed = signed_weights(c);
  std::vector<double> g(static_cast<std::size_t>(R) * phys_cols, 0.0);
  intended.assign(g.size(), 0.0);
  auto cell_ptr = [&](int i, int pj) { return &g[static_cast<std::size_t>(i) * phys_cols + pj]; };
  auto intended_ptr = [&](int i, int pj) { return &intended[static_cast<std::size_t>(i) * phys_cols + pj]; };
  auto place = [&](int i, int j, double w) {
    if (is_signed) {
      place_weight(c, w, c.device.levels, cell_ptr(i, 2 * j), cell_ptr(i, 2 * j + 1));
      place_weight(c, w, 0, intended_ptr(i, 2 * j), intended_ptr(i, 2 * j + 1));
    } else {
      place_weight(c, w, c.device.levels, cell_ptr(i, j), nullptr);
      place_weight(c, w, 0, intended_ptr(i, j), nullptr);
    }
  };
  const auto& W = c.weights;
  if (W.source != Source::kFile || W.kind == WeightKind::kWeight) {
    if (W.kind != WeightKind::kWeight && W.source == Source::kRandom)
      diags.error(c.where("weights.kind"), "random weights are always of kind 'weight'");
    if (W.kind != WeightKind::kWeight && c.device.levels != 0)
      diags.error(c.where("device.levels"), "device.levels quantizes weights of kind 'weight' only");
  }
  switch (W.source) {
    case Source::kRandom: {
      PortableRandom rng(W.seed);
      for (int i = 0; i < R; ++i)
        for (int j = 0; j < C; ++j) place(i, j, is_signed ? 2.0 * rng.uniform() - 1.0 : rng.uniform());
      break;
    }
    case Source::kConstant: {
      const double v = W.value;
      if (W.kind == WeightKind::kWeight) {
        const double lo = is_signed ? -1.0 : 0.0;
        if (!(v >= lo && v <= 1.0)) {
          diags.error(c.where("weights.value"), fmt::format("a weight must be in [{:g}, 1]; got {:g}", lo, v));
          return g;
        }
        for (int i = 0; i < R; ++i)
          for (int j = 0; j < C; ++j) place(i, j, v);
      } else {
        const double gv = W.kind == WeightKind::kConductance ? v : (std::isinf(v) ? 0.0 : 1.0 / v);
        if (!(v >= 0) || (W.kind == WeightKind::kResistance && v == 0)) {
          diags.error(c.where("weights.value"), W.kind == WeightKind::kConductance ? "a conductance must be >= 0 S"
                                                                                   : "a resistance must be > 0 ohm");
          return g;
        }
        std::fill(g.begin(), g.end(), gv);
      }
      break;
    }
    case Source::kFile: {
      CsvReadOptions opt;
      opt.label = "weights file";
      opt.rows = R;
      if (W.kind == WeightKind::kWeight) {
        opt.columns = C;
        opt.min_value = is_signed ? -1.0 : 0.0;
        opt.max_value = 1.0;
      } else {
        opt.columns = phys_cols;  // 2T2R conductance/resistance files list both columns of a pair
        opt.min_value = W.kind == WeightKind::kConductance ? 0.0 : std::numeric_limits<double>::min();
        opt.allow_inf = W.kind == WeightKind::kResistance;
        // Legal but almost surely a unit mistake: above 1 S, or below 1 ohm.
        if (W.kind == WeightKind::kConductance) {
          opt.warn_max = 1.0;
          opt.warn_unit = "S";
        } else {
          opt.warn_min = 1.0;
          opt.warn_unit = "ohm";
        }
      }
      NumericTable t = read_numeric_csv(W.file, opt, diags);
      warnings.insert(warnings.end(), t.warnings.begin(), t.warnings.end());
      if (!diags.empty() || static_cast<int>(t.rows.size()) != R) return g;
      for (int i = 0; i < R; ++i)
        for (std::size_t j = 0; j < opt.columns; ++j) {
          const double v = t.rows[i][j];
          if (W.kind == WeightKind::kWeight)
            place(i, j, v);
          else if (W.kind == WeightKind::kConductance)
            *cell_ptr(i, j) = v;
          else
            *cell_ptr(i, j) = std::isinf(v) ? 0.0 : 1.0 / v;
        }
      break;
    }
  }
  if (W.kind != WeightKind::kWeight) intended = g;  // the file's (or constant's) conductances as given
  apply_device_variability(c, g);
  return g;
}

std::vector<std::vector<double>> build_inputs(const Config& c, Diagnostics& diags, std::vector<std::string>& warnings) {
  const auto& in = c.inputs;
  const int R = c.tile.rows;
  const bool normalized = in.kind == InputKind::kNormalized;
  const double scale = normalized ? in.v_read : 1.0;
  std::vector<std::vector<double>> x;
  switch (in.source) {
    case Source::kRandom: {
      PortableRandom rng(in.seed);
      x.assign(in.vectors, std::vector<double>(R));
      for (auto& vec : x)
        for (double& v : vec) v = rng.uniform();
      break;
    }
    case Source::kConstant:
      if (normalized && !(in.value >= 0.0 && in.value <= 1.0)) {
        diags.error(c.where("inputs.value"), fmt::format("a normalized input must be in [0, 1]; got {:g}", in.value));
        return {};
      }
      x.assign(in.vectors, std::vector<double>(R, in.value));
      break;
    case Source::kFile: {
      CsvReadOptions opt;
      opt.label = "inputs file";
      opt.columns = R;
      if (c.origin.count("inputs.vectors")) opt.rows = in.vectors;
      if (normalized) {
        opt.min_value = 0.0;
        opt.max_value = 1.0;
      } else {
        opt.min_value = -100.0;
        opt.max_value = 100.0;
      }
      NumericTable t = read_numeric_csv(in.file, opt, diags);
      warnings.insert(warnings.end(), t.warnings.begin(), t.warnings.end());
      if (!diags.empty()) return {};
      x = std::move(t.rows);
      break;
    }
  }
  for (auto& vec : x)
    for (double& v : vec) v *= scale;
  return x;
}

}  // namespace

// TileSpec::i_full_scale.
double column_full_scale(const Config& c, const TileSpec& t) {
  double v_fs = c.inputs.v_read;
  if (c.inputs.kind == InputKind::kVoltage) {
    v_fs = 0;
    for (const auto& vec : t.inputs)
      for (double v : vec) v_fs = std::max(v_fs, std::fabs(v));
  }
  const bool differential = t.cell->differential;
  double g_fs = differential ? c.device.g_on - c.device.g_off : c.device.g_on;
  if (c.weights.kind != WeightKind::kWeight) {
    double hi = 0, lo = std::numeric_limits<double>::infinity();
    for (double g : t.g_intended) {
      hi = std::max(hi, g);
      if (g > 0) lo = std::min(lo, g);
    }
    g_fs = differential && hi > 0 ? hi - lo : hi;
  }
  return t.rows * g_fs * v_fs;
}

namespace {

// R(T) = R20 (1 + tcr (T - 20 C)): the configured resistances hold at 27 C.
void scale_wires_to_temperature(const Config& c, TileSpec& t) {
  const double at_t = 1 + c.parasitics.tcr * (c.simulator.temperature - 20.0);
  const double at_27 = 1 + c.parasitics.tcr * (27.0 - 20.0);
  const double f = at_t / at_27;
  t.r_wl *= f;
  t.r_bl *= f;
  t.r_gl *= f;
}

}  // namespace

TileSpec build_tile_spec(const Config& c) {
  Diagnostics diags;
  TileSpec t;
  t.name = c.name;
  t.rows = c.tile.rows;
  t.cols = c.tile.cols;
  t.cell = c.tile.cell;
  t.model = resolve_cell_model(c, diags);
  t.transistor = resolve_transistor(c, diags);
  t.selector = resolve_selector(c, diags);
  // beta_factor = 1 + sigma N(0,1) must stay positive: at 0.2, a draw below 0
  // is a 5-sigma event (about 1 in 3.5 million transistors).
  if (t.access_transistors() && c.transistor.a_beta / std::sqrt(c.transistor.w * c.transistor.l) > 0.2)
    diags.error(c.where("transistor.a_beta"),
                fmt::format("a_beta / sqrt(W L) = {:g} is above 0.2: a normal current-factor mismatch that wide "
                            "draws negative current factors",
                            c.transistor.a_beta / std::sqrt(c.transistor.w * c.transistor.l)));
  t.g = build_conductances(c, t.phys_cols(), diags, t.g_intended, t.warnings);
  if (const auto dyn = diags.empty() ? find_dynamic_model(t.model.name, c.device.params) : std::nullopt) {
    const bool by_weight = c.weights.kind == WeightKind::kWeight;
    auto at = [&](const char* key) { return c.where(key).line ? c.where(key) : c.where("device.model"); };
    check_dynamic_conductances(*dyn, t.g, t.phys_cols(), at(by_weight ? "device.g_on" : "weights.kind"),
                               at(by_weight ? "device.g_off" : "weights.kind"), diags);
  }
  t.model.scale_placed(t.g);
  t.inputs = build_inputs(c, diags, t.warnings);
  if (!(1 + c.parasitics.tcr * (c.simulator.temperature - 20.0) > 0) || !(1 + c.parasitics.tcr * 7.0 > 0))
    diags.error(c.where(c.origin.count("parasitics.tcr") ? "parasitics.tcr" : "simulator.temperature"),
                fmt::format("a wire resistance would be 0 or negative at {:g} C with tcr {:g} /K",
                            c.simulator.temperature, c.parasitics.tcr));
  if (!diags.empty()) throw InputError(std::move(diags));
  t.i_full_scale = column_full_scale(c, t);
  t.r_wl = c.parasitics.r_wl;
  t.r_bl = c.parasitics.r_bl;
  t.r_gl = c.parasitics.r_gl;
  t.c_wl = c.parasitics.c_wl;
  t.c_bl = c.parasitics.c_bl;
  t.r_driver = c.periphery.r_driver;
  t.r_sense = c.periphery.r_sense;
  t.sense = c.periphery.sense;
  t.tia_gain = c.periphery.tia_gain;
  t.tia_r_f = c.periphery.tia_r_f;
  t.adc_bits = c.periphery.adc_bits;
  t.spice_options = c.simulator.options;
  t.temperature = c.simulator.temperature;
  scale_wires_to_temperature(c, t);
  apply_wire_variability(c, t);
  apply_transistor_mismatch(c, t);
  return t;
}

std::vector<std::vector<double>> tile_inputs(const Config& c, const std::vector<std::vector<double>>& batch,
                                             const std::string& source) {
  const bool normalized = c.inputs.kind == InputKind::kNormalized;
  // The ranges an inputs file may hold (build_inputs).
  const double lo = normalized ? 0.0 : -100.0, hi = normalized ? 1.0 : 100.0;
  const double scale = normalized ? c.inputs.v_read : 1.0;
  Diagnostics diags;
  if (batch.empty()) diags.error(SourcePos{source, 0, 0}, "no input vectors");
  std::vector<std::vector<double>> x = batch;
  for (std::size_t v = 0; v < x.size() && diags.size() < 20; ++v) {
    const int line = static_cast<int>(v) + 1;
    if (static_cast<int>(x[v].size()) != c.tile.rows) {
      diags.error(SourcePos{source, line, 0},
                  fmt::format("input vector {} has {} values; the tile has {} rows", v, x[v].size(), c.tile.rows));
      continue;
    }
    for (std::size_t i = 0; i < x[v].size(); ++i) {
      if (!(x[v][i] >= lo && x[v][i] <= hi))
        diags.error(SourcePos{source, line, static_cast<int>(i) + 1},
                    fmt::format("{} input {:g} is outside [{:g}, {:g}]", normalized ? "normalized" : "voltage", x[v][i],
                                lo, hi));
      x[v][i] *= scale;
    }
  }
  if (!diags.empty()) throw InputError(std::move(diags));
  return x;
}

}  // namespace xbar
