#pragma once
// Parses one YAML node as the value of one config key (KeyInfo): type, suffix,
// range, string rules, path resolution.  Also used by sections that own a raw
// node (sweep lists parse each value with the swept key's KeyInfo).
#include <optional>
#include <string>

#include <yaml-cpp/yaml.h>

#include "common/diagnostics.hpp"
#include "config_loader/node_positions.hpp"
#include "config_loader/schema.hpp"

namespace xbar {

struct ValueContext {
  const NodePositions& where;
  SourcePos value_pos;   // position of `node` (for null values: of its key)
  std::string base_dir;  // relative paths are taken from here
  Diagnostics& diags;
};

// The parsed value, or nullopt after reporting every problem to ctx.diags.
std::optional<KeyValue> parse_key_value(const KeyInfo& key, const YAML::Node& node, ValueContext& ctx);

// Checks used by the loader and by custom sections.
bool matches_rule(std::string_view text, StringRule rule);
std::string rule_text(StringRule rule);
// "" when fine, else why a path text is refused.
std::string path_problem(std::string_view text);
std::string absolute_path(const std::string& text, const std::string& base_dir);
std::string node_kind_text(const YAML::Node& node);  // "a map", "a list", "a scalar", "nothing"

}  // namespace xbar
