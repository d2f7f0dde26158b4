#include "models/registry.hpp"

#include "common/suggest.hpp"

namespace xbar {

const ModelParam* ModelInfo::find_param(std::string_view n) const {
  for (const auto& p : params)
    if (p.name == n) return &p;
  return nullptr;
}

const std::vector<ModelInfo>& model_registry() {
  static const std::vector<ModelInfo> models = {
      {"linear", ModelKind::kCell, "ideal linear conductance (read-mode cell)",
       "I = G V, with G from device.g_on/g_off and the weight", {}, {"op", "tran", "read"}, "",
       "Ohm's law"},
      {"sinh", ModelKind::kCell, "read-mode nonlinear cell, same small-signal conductance as linear",
       "I = G v0 sinh(V / v0); dI/dV at 0 V = G",
       {{"v0", "V", 0.3, 0.05, 10.0, "characteristic voltage of the sinh nonlinearity (0.25-0.43 V typical)"}},
       {"op", "tran", "read"}, "",
       "read-mode I-V of the Stanford-PKU RRAM model, I = I0 exp(-gap/g0) sinh(V/V0), with the gap frozen (Jiang et al., SISPAD 2014)"},
  };
  return models;
}

const ModelInfo* find_model(std::string_view name) {
  for (const auto& m : model_registry())
    if (m.name == name) return &m;
  return nullptr;
}

std::string model_file_path(const std::string& file) { return std::string(XBAR_MODELS_DIR) + "/" + file; }

std::string nearest_model_name(std::string_view name) {
  std::vector<std::string> names;
  for (const auto& m : model_registry()) names.push_back(m.name);
  return nearest_name(name, names);
}

}  // namespace xbar
