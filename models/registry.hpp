#pragma once
// The model library: every device model xbar can place, with its parameters,
// units, defaults and the analyses it suits.  The generator, the nodal engine
// and `xbar models` all read this one table.  Models that need SPICE text
// (subcircuits, model cards) keep it in a file in this folder, named by `file`.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tile/device_law.hpp"

namespace xbar {

enum class ModelKind { kCell, kTransistor, kSelector };
const char* to_string(ModelKind k);

struct ModelParam {
  std::string name;
  std::string unit;
  double default_value = 0;
  double min = 0, max = 0;  // allowed range, inclusive
  std::string meaning;
};

// A model's parameter by name, overrides applied.
using ParamValue = std::function<double(const std::string&)>;

// How a dynamic cell's state maps to its conductance at 0 V (the tile
// places conductances; the subcircuit takes an initial state).
struct StateMap {
  std::string param;               // subcircuit parameter holding the initial state
  std::string unit;                // "1" or "nm"
  std::string lo_param, hi_param;  // parameters bounding the state; empty: [0, 1]
  double (*g_of_state)(const ParamValue& p, double s) = nullptr;
  double (*state_of_g)(const ParamValue& p, double g) = nullptr;
};

struct ModelInfo {
  std::string name;
  ModelKind kind = ModelKind::kCell;
  std::string summary;   // one line
  std::string equation;  // the law, in plain text
  std::vector<ModelParam> params;
  std::vector<std::string> analyses;  // "op", "tran", "read"
  std::string file;                   // SPICE text in models/, or empty when built in
  std::string source;                 // published source of the parameter set
  // SPICE name defined in `file`: the .subckt of a dynamic cell, the .model
  // of a transistor card.  Empty for built-in laws.
  std::string spice_name;
  // Terminal order of that subcircuit or device, e.g. "p n xs" or "d g s b".
  std::string terminals;
  // Transistors: the nominal device and what the card was tuned to.
  std::string nominal;
  // The model's conductance drifts with time after programming (PCM);
  // applied when the tile is built, so every engine sees the drifted value.
  bool drift = false;
  // Limits of validity, one line.
  std::string limits;
  // Behaviour.  The read-mode law of a cell (at a frozen state for a dynamic
  // one), built from the entry's parameters: one of the forms of
  // models/device_laws.hpp, which both engines evaluate.  Null: linear.
  DeviceLaw (*read_law)(const ParamValue& p) = nullptr;
  // Selectors: the conductance at 0 V that `read_law` is evaluated at (a
  // selector has no programmed state: its parameters fix it).
  double (*zero_bias_conductance)(const ParamValue& p) = nullptr;
  // Transistor cards: every instance takes its own delvto and mulu0, which
  // the Pelgrom mismatch of transistor.a_vt / a_beta needs.
  bool instance_mismatch = false;
  // Dynamic cells (a subcircuit with a state): the state map.
  std::optional<StateMap> state;
  const ModelParam* find_param(std::string_view n) const;
  bool suits(std::string_view analysis) const;
  // The ideal access switch: a transistor entry without a card, whose cells
  // are the device alone.
  bool ideal_switch() const { return kind == ModelKind::kTransistor && file.empty(); }
};

const std::vector<ModelInfo>& model_registry();
const ModelInfo* find_model(std::string_view name);
// Value of parameter `name` of `m`: the override in `overrides` when present,
// else the default.  Throws std::out_of_range for a parameter `m` lacks.
double param_value(const ModelInfo& m, const std::string& name, const std::map<std::string, double>& overrides);

// The selector law I = i0 sinh(V / v0) with half-bias nonlinearity
// K = I(v_on) / I(v_on / 2) = 2 cosh(v_on / (2 v0)) and I(v_on) = i_on
// (the registry's `sinh_selector`; k > 2).
struct SinhSelectorLaw {
  double i0 = 0, v0 = 0;  // A, V
};
SinhSelectorLaw sinh_selector_law(double k, double v_on, double i_on);
// Absolute path of a file in the models folder.
std::string model_file_path(const std::string& file);
// Names close to `name` (for "did you mean" messages).
std::string nearest_model_name(std::string_view name);

}  // namespace xbar
