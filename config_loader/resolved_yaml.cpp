// resolved_yaml(): the Config written back as YAML, every key present.
#include <yaml-cpp/yaml.h>

#include "config_loader/loader.hpp"
#include "config_loader/schema.hpp"
#include "config_loader/section_hooks.hpp"
#include "config_loader/spice_number.hpp"

namespace xbar {
namespace {

YAML::Node to_yaml(const KeyInfo& key, const KeyValue& value) {
  if (const auto* list = std::get_if<std::vector<std::string>>(&value)) {
    YAML::Node out(YAML::NodeType::Sequence);
    out.SetStyle(YAML::EmitterStyle::Flow);
    for (const auto& item : *list) out.push_back(item);
    return out;
  }
  if (const auto* map = std::get_if<std::map<std::string, double>>(&value)) {
    YAML::Node out(YAML::NodeType::Map);
    out.SetStyle(YAML::EmitterStyle::Flow);
    for (const auto& [name, number] : *map) out[name] = format_number(number);
    return out;
  }
  if (const auto* map = std::get_if<std::map<std::string, std::string>>(&value)) {
    YAML::Node out(YAML::NodeType::Map);
    out.SetStyle(YAML::EmitterStyle::Flow);
    for (const auto& [name, text] : *map) out[name] = text;
    return out;
  }
  return YAML::Node(value_text(key, value));
}

// Places `value` at a dotted path, creating the sections on the way.
void put(YAML::Node& root, std::string_view dotted, const YAML::Node& value) {
  YAML::Node cur = root;  // a handle: reset() moves it, assignment would copy into it
  std::size_t start = 0;
  while (true) {
    std::size_t dot = dotted.find('.', start);
    std::string seg(dotted.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
    if (dot == std::string_view::npos) {
      cur[seg] = value;
      return;
    }
    YAML::Node next = cur[seg];
    if (!next.IsMap()) next = YAML::Node(YAML::NodeType::Map);
    cur.reset(next);
    start = dot + 1;
  }
}

}  // namespace

std::string resolved_yaml(const Config& config) {
  YAML::Node root(YAML::NodeType::Map);
  for (const auto& key : config_keys()) {
    KeyValue value = key.bind.get(config);
    // An unset path (weights.file with random weights) is left out: "" is not a path.
    if (key.type == KeyType::kPath && std::get<std::string>(value).empty()) continue;
    put(root, key.path, to_yaml(key, value));
  }
  for (const auto& hook : section_hooks()) {
    YAML::Node out;
    hook.emit(config, out);
    if (out.IsDefined() && !out.IsNull()) put(root, hook.path, out);
  }
  YAML::Emitter emitter;
  emitter << root;
  return std::string(emitter.c_str()) + "\n";
}

}  // namespace xbar
