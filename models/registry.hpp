#pragma once
// The model library: every device model xbar can place, with its parameters,
// units, defaults and the analyses it suits.  The generator, the nodal engine
// and `xbar models` all read this one table.  Models that need SPICE text
// (subcircuits, model cards) keep it in a file in this folder, named by `file`.
#include <string>
#include <string_view>
#include <vector>

namespace xbar {

enum class ModelKind { kCell, kTransistor };

struct ModelParam {
  std::string name;
  std::string unit;
  double default_value = 0;
  double min = 0, max = 0;   // allowed range, inclusive
  std::string meaning;
};

struct ModelInfo {
  std::string name;
  ModelKind kind = ModelKind::kCell;
  std::string summary;                 // one line
  std::string equation;                // the law, in plain text
  std::vector<ModelParam> params;
  std::vector<std::string> analyses;   // "op", "tran", "read"
  std::string file;                    // SPICE text in models/, or empty when built in
  std::string source;                  // published source of the parameter set
  const ModelParam* find_param(std::string_view n) const;
};

const std::vector<ModelInfo>& model_registry();
const ModelInfo* find_model(std::string_view name);
// Absolute path of a file in the models folder.
std::string model_file_path(const std::string& file);
// Names close to `name` (for "did you mean" messages).
std::string nearest_model_name(std::string_view name);

}  // namespace xbar
