// Config -> TileSpec: places the conductances and computes the driver voltages.
#include <cmath>
#include <limits>

#include <fmt/format.h>

#include "config_loader/data_file.hpp"
#include "models/registry.hpp"
#include "netlist_gen/portable_random.hpp"
#include "netlist_gen/tile_spec.hpp"

namespace xbar {
namespace {

bool signed_weights(const Config& c) { return c.tile.cell == CellKind::k2T2R; }

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
  if (info->name == "sinh") {
    m.law = CellLaw::kSinh;
    auto it = c.device.params.find("v0");
    m.v0 = it != c.device.params.end() ? it->second : info->find_param("v0")->default_value;
  }
  return m;
}

// Conductance of one physical cell from a weight (SPEC section 1).
void place_weight(const Config& c, double w, double* g_plus, double* g_minus) {
  const double span = c.device.g_on - c.device.g_off;
  w = quantize_weight(w, c.device.levels);
  if (g_minus == nullptr) {
    *g_plus = c.device.g_off + w * span;
  } else {
    *g_plus = c.device.g_off + std::max(w, 0.0) * span;
    *g_minus = c.device.g_off + std::max(-w, 0.0) * span;
  }
}

std::vector<double> build_conductances(const Config& c, int phys_cols, Diagnostics& diags) {
  const int R = c.tile.rows, C = c.tile.cols;
  const bool is_signed = signed_weights(c);
  std::vector<double> g(static_cast<std::size_t>(R) * phys_cols, 0.0);
  auto cell_ptr = [&](int i, int pj) { return &g[static_cast<std::size_t>(i) * phys_cols + pj]; };
  auto place = [&](int i, int j, double w) {
    if (is_signed)
      place_weight(c, w, cell_ptr(i, 2 * j), cell_ptr(i, 2 * j + 1));
    else
      place_weight(c, w, cell_ptr(i, j), nullptr);
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
          diags.error(c.where("weights.value"),
                      W.kind == WeightKind::kConductance ? "a conductance must be >= 0 S"
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
      }
      const NumericTable t = read_numeric_csv(W.file, opt, diags);
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
  // Device-to-device variability: G = G0 exp(sigma N(0,1)).  A draw is made
  // for every cell, present or not, so the pattern does not shift when a cell
  // is absent.
  if (c.device.variability_sigma > 0) {
    PortableRandom rng(c.device.variability_seed);
    for (double& gv : g) {
      const double n = rng.normal();
      if (gv > 0) gv *= std::exp(c.device.variability_sigma * n);
    }
  }
  return g;
}

std::vector<std::vector<double>> build_inputs(const Config& c, Diagnostics& diags) {
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

TileSpec build_tile_spec(const Config& c) {
  Diagnostics diags;
  TileSpec t;
  t.name = c.name;
  t.rows = c.tile.rows;
  t.cols = c.tile.cols;
  t.cell = c.tile.cell;
  t.model = resolve_cell_model(c, diags);
  t.g = build_conductances(c, t.phys_cols(), diags);
  t.inputs = build_inputs(c, diags);
  if (!diags.empty()) throw InputError(std::move(diags));
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
  t.transistor = {c.transistor.model, c.transistor.w, c.transistor.l, c.transistor.v_gate, c.transistor.include};
  t.spice_options = c.simulator.options;
  return t;
}

}  // namespace xbar
