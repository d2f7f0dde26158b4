#include "config_loader/loader.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>
#include <set>

#include <yaml-cpp/depthguard.h>
#include <yaml-cpp/yaml.h>

#include "common/suggest.hpp"
#include "config_loader/node_positions.hpp"
#include "config_loader/schema.hpp"
#include "config_loader/section_hooks.hpp"
#include "config_loader/spice_number.hpp"
#include "config_loader/text_checks.hpp"
#include "config_loader/value_parse.hpp"
#include "config_loader/yaml_event_budget.hpp"

namespace xbar {
namespace {

std::string join_path(const std::string& prefix, std::string_view name) {
  return prefix.empty() ? std::string(name) : prefix + "." + std::string(name);
}

bool hook_inside(std::string_view dotted) {
  for (const auto& h : section_hooks())
    if (h.path.size() > dotted.size() && h.path.substr(0, dotted.size()) == dotted &&
        (dotted.empty() || h.path[dotted.size()] == '.'))
      return true;
  return false;
}

bool is_any_section(std::string_view dotted) { return is_section(dotted) || hook_inside(dotted); }

std::vector<std::string> children_of(const std::string& section) {
  std::vector<std::string> out = section_children(section);
  for (const auto& h : section_hooks()) {
    std::string_view p = h.path;
    if (!section.empty()) {
      if (p.size() <= section.size() + 1 || p.substr(0, section.size()) != section || p[section.size()] != '.')
        continue;
      p.remove_prefix(section.size() + 1);
    }
    std::string child(p.substr(0, p.find('.')));
    if (std::find(out.begin(), out.end(), child) == out.end()) out.push_back(child);
  }
  return out;
}

std::string unknown_key_message(std::string_view name, const std::string& section) {
  std::string msg = section.empty() ? fmt::format("unknown key '{}'", quote_for_message(name))
                                    : fmt::format("unknown key '{}' in '{}'", quote_for_message(name), section);
  std::string near = nearest_name(name, children_of(section));
  if (!near.empty()) msg += fmt::format("; did you mean '{}'?", near);
  return msg;
}

// "key 'tile.rows' has a dot: ... nested (tile: {rows: ...}) ...".
std::string dotted_key_message(std::string_view name, const std::string& prefix) {
  std::vector<std::string_view> parts;
  std::string_view rest = name;
  for (std::size_t dot; (dot = rest.find('.')) != std::string_view::npos; rest.remove_prefix(dot + 1))
    parts.push_back(rest.substr(0, dot));
  std::string nested = fmt::format("{}: ...", rest);
  for (std::size_t k = parts.size(); k-- > 0;) nested = fmt::format("{}: {{{}}}", parts[k], nested);
  return fmt::format(
      "key '{}' has a dot: in a config, sections are nested ({}); dotted paths are for --set and "
      "sweep.params",
      quote_for_message(join_path(prefix, name)), quote_for_message(nested, 80));
}

// A value found for one table key or custom section, with its positions.
struct RawValue {
  YAML::Node node;
  NodePositions where;
  SourcePos value_pos;
};

class ConfigBuilder {
 public:
  ConfigBuilder(std::string display_name, std::string base_dir)
      : display_name_(std::move(display_name)), base_dir_(std::move(base_dir)) {}

  // False when the text cannot be read as a config at all.
  bool collect_file(std::string_view yaml);
  void collect_set(int index, const std::string& arg);
  Config build();
  Diagnostics& diags() { return diags_; }

 private:
  void walk_section(const YAML::Node& node, const std::string& prefix, const NodePositions& where,
                    const SourcePos& pos);
  void store_values(Config& config);
  void check_relations(Config& config);
  void check_data_file(const Config& config, std::string_view source_key, std::string_view file_key,
                       bool source_is_file);
  bool usable(const std::string& key) const { return values_.count(key) && !failed_.count(key); }

  std::string display_name_;
  std::string base_dir_;
  Diagnostics diags_;
  std::map<std::string, RawValue> values_;  // dotted key -> latest value
  std::set<std::string> failed_;            // keys whose value was refused
};

bool ConfigBuilder::collect_file(std::string_view yaml) {
  SourcePos file_start{display_name_, 1, 1};
  if (yaml.size() > kMaxConfigBytes) {
    diags_.error({display_name_, 0, 0},
                 fmt::format("the config file is too large (the limit is {} bytes)", kMaxConfigBytes));
    return false;
  }
  if (std::size_t at = find_nul(yaml); at != std::string_view::npos) {
    diags_.error(position_of_offset(display_name_, yaml, at),
                 "the config file contains a NUL byte; is it a binary file?");
    return false;
  }
  if (std::size_t at = find_invalid_utf8(yaml); at != std::string_view::npos) {
    diags_.error(
        position_of_offset(display_name_, yaml, at),
        fmt::format("the config file is not valid UTF-8 (byte 0x{:02X})", static_cast<unsigned char>(yaml[at])));
    return false;
  }
  NodePositions where = NodePositions::for_file(display_name_);
  std::vector<YAML::Node> docs;
  try {
    const std::string text(yaml);
    check_yaml_event_budget(text);
    docs = YAML::LoadAll(text);
  } catch (const YAML::DeepRecursion& e) {
    diags_.error(where.at(e.mark), "the YAML is nested too deeply");
    return false;
  } catch (const YAML::ParserException& e) {
    // yaml-cpp's words for a tab in the indentation ("illegal map value")
    // do not say what is wrong.
    const SourcePos at = where.at(e.mark);
    if (const std::size_t tab = find_tab_in_indentation(yaml, at.line); tab != std::string_view::npos)
      diags_.error(position_of_offset(display_name_, yaml, tab),
                   "tabs are not allowed in YAML indentation; indent with spaces");
    else
      diags_.error(at, fmt::format("YAML syntax error: {}", e.msg));
    return false;
  } catch (const YAML::Exception& e) {
    diags_.error(where.at(e.mark), fmt::format("YAML error: {}", e.msg));
    return false;
  }
  if (docs.empty() || docs[0].IsNull()) {
    diags_.error(file_start, "the config file is empty");
    return false;
  }
  if (docs.size() > 1) {
    diags_.error(where.of(docs[1], file_start),
                 fmt::format("a config holds one YAML document; this file has {}", docs.size()));
  }
  if (!docs[0].IsMap()) {
    diags_.error(where.of(docs[0], file_start),
                 fmt::format("the config must be a map of keys, got {}", node_kind_text(docs[0])));
    return false;
  }
  walk_section(docs[0], "", where, file_start);
  return true;
}

void ConfigBuilder::walk_section(const YAML::Node& node, const std::string& prefix, const NodePositions& where,
                                 const SourcePos& pos) {
  if (node.IsNull()) return;  // `transistor:` with every key left out
  if (!node.IsMap()) {
    diags_.error(pos, fmt::format("'{}' must be a map of keys, got {}", prefix, node_kind_text(node)));
    return;
  }
  std::map<std::string, SourcePos> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    SourcePos key_pos = where.of(it->first, pos);
    if (!it->first.IsScalar()) {
      diags_.error(key_pos, fmt::format("a key must be a plain name, got {}", node_kind_text(it->first)));
      continue;
    }
    const std::string& name = it->first.Scalar();
    if (name.find('.') != std::string::npos) {
      // Read as a path it would silently duplicate (or override) the nested key.
      diags_.error(key_pos, dotted_key_message(name, prefix));
      continue;
    }
    if (auto [first, inserted] = seen.emplace(name, key_pos); !inserted) {
      diags_.error(key_pos,
                   fmt::format("duplicate key '{}' (first at line {})", join_path(prefix, name), first->second.line));
      continue;
    }
    std::string dotted = join_path(prefix, name);
    SourcePos value_pos = it->second.IsNull() ? key_pos : where.of(it->second, key_pos);
    if (find_key(dotted) || find_section_hook(dotted)) {
      values_[dotted] = RawValue{it->second, where, value_pos};
      failed_.erase(dotted);
    } else if (is_any_section(dotted)) {
      walk_section(it->second, dotted, where, value_pos);
    } else {
      diags_.error(key_pos, unknown_key_message(name, prefix));
    }
  }
}

void ConfigBuilder::collect_set(int index, const std::string& arg) {
  std::size_t eq = arg.find('=');
  if (eq == std::string::npos) {
    diags_.error({"--set", index, 1}, fmt::format("expected KEY=VALUE, got '{}'", quote_for_message(arg, 80)));
    return;
  }
  // Resolve the dotted key segment by segment so an error names its column.
  std::string key = arg.substr(0, eq);
  std::string prefix;
  std::size_t start = 0;
  bool is_leaf = false;
  while (true) {
    std::size_t dot = key.find('.', start);
    std::string seg = key.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    bool last = dot == std::string::npos;
    SourcePos seg_pos{"--set", index, static_cast<int>(start) + 1};
    if (seg.empty()) {
      diags_.error(seg_pos, fmt::format("empty name in key '{}'", quote_for_message(key)));
      return;
    }
    std::string dotted = join_path(prefix, seg);
    bool leaf = find_key(dotted) || find_section_hook(dotted);
    if (leaf && !last) {
      diags_.error(seg_pos,
                   fmt::format("'{}' is a single key, not a section; cannot set '{}'", dotted, quote_for_message(key)));
      return;
    }
    if (!leaf && !is_any_section(dotted)) {
      diags_.error(seg_pos, unknown_key_message(seg, prefix));
      return;
    }
    prefix = dotted;
    if (last) {
      is_leaf = leaf;
      break;
    }
    start = dot + 1;
  }

  NodePositions where = NodePositions::for_set(index, static_cast<int>(eq) + 1);
  YAML::Node value;
  try {
    const std::string text = arg.substr(eq + 1);
    check_yaml_event_budget(text);
    value = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    diags_.error(where.at(e.mark), fmt::format("bad value for '{}': {}", prefix, e.msg));
    return;
  }
  SourcePos value_pos = where.of(value, where.start());
  if (is_leaf) {
    values_[prefix] = RawValue{value, where, value_pos};
    failed_.erase(prefix);
  } else if (!value.IsMap()) {
    diags_.error(value_pos,
                 fmt::format("'{}' is a section; give a map such as {{{}: ...}}", prefix, children_of(prefix).front()));
  } else {
    walk_section(value, prefix, where, value_pos);
  }
}

void ConfigBuilder::store_values(Config& config) {
  for (const auto& key : config_keys()) {
    std::string path(key.path);
    auto it = values_.find(path);
    if (it == values_.end()) continue;
    ValueContext ctx{it->second.where, it->second.value_pos, base_dir_, diags_};
    if (auto v = parse_key_value(key, it->second.node, ctx)) {
      key.bind.set(config, *v);
      config.origin[path] = it->second.value_pos;
    } else {
      failed_.insert(path);
    }
  }
  // Defaults that are paths are relative to the config file too.
  for (const auto& key : config_keys()) {
    if (key.type != KeyType::kPath || values_.count(std::string(key.path))) continue;
    auto text = std::get<std::string>(key.bind.get(config));
    if (!text.empty()) key.bind.set(config, absolute_path(text, base_dir_));
  }
  for (const auto& hook : section_hooks()) {
    std::string path(hook.path);
    auto it = values_.find(path);
    if (it == values_.end()) continue;
    std::size_t before = diags_.size();
    hook.parse(SectionInput{it->second.node, it->second.where, it->second.value_pos, base_dir_}, config, diags_);
    if (diags_.size() == before)
      config.origin[path] = it->second.value_pos;
    else
      failed_.insert(path);
  }
}

void ConfigBuilder::check_data_file(const Config& config, std::string_view source_key, std::string_view file_key,
                                    bool source_is_file) {
  std::string src(source_key), file(file_key);
  if (!source_is_file || failed_.count(src) || failed_.count(file)) return;
  if (!values_.count(file)) {
    diags_.error(config.where(src), fmt::format("'{}' is 'file' but '{}' is not set", src, file));
    return;
  }
  const KeyInfo* key = find_key(file);
  std::string path = std::get<std::string>(key->bind.get(config));
  std::error_code ec;
  if (!std::filesystem::is_regular_file(path, ec))
    diags_.error(config.where(file),
                 fmt::format("'{}': file not found (or not a regular file): {}", file, quote_for_message(path, 200)));
}

void ConfigBuilder::check_relations(Config& config) {
  if (!failed_.count("device.g_on") && !failed_.count("device.g_off") && !(config.device.g_off < config.device.g_on)) {
    std::string at = values_.count("device.g_off") ? "device.g_off" : "device.g_on";
    diags_.error(config.where(at), fmt::format("'device.g_off' ({}) must be less than 'device.g_on' ({})",
                                               format_number(config.device.g_off), format_number(config.device.g_on)));
  }
  if (!failed_.count("noise.f_min") && !failed_.count("noise.f_max") && !(config.noise.f_min < config.noise.f_max)) {
    std::string at = values_.count("noise.f_min") ? "noise.f_min" : "noise.f_max";
    diags_.error(config.where(at), fmt::format("'noise.f_min' ({}) must be less than 'noise.f_max' ({})",
                                               format_number(config.noise.f_min), format_number(config.noise.f_max)));
  }
  if (!failed_.count("device.variability.stuck_on") && !failed_.count("device.variability.stuck_off") &&
      config.device.stuck_on + config.device.stuck_off > 1) {
    diags_.error(config.where(values_.count("device.variability.stuck_off") ? "device.variability.stuck_off"
                                                                            : "device.variability.stuck_on"),
                 fmt::format("the stuck fractions add up to more than 1 (stuck_on {} + stuck_off {})",
                             format_number(config.device.stuck_on), format_number(config.device.stuck_off)));
  }
  if (!failed_.count("simulator.options") && config.simulator.options.count("temp"))
    diags_.error(config.where("simulator.options"),
                 "set the temperature with 'simulator.temperature' (C), not 'simulator.options.temp': it also reaches "
                 "the devices and the wires");
  check_data_file(config, "weights.source", "weights.file", config.weights.source == Source::kFile);
  check_data_file(config, "inputs.source", "inputs.file", config.inputs.source == Source::kFile);
}

Config ConfigBuilder::build() {
  Config config;
  config.config_file = display_name_;
  store_values(config);
  check_relations(config);
  return config;
}

// File problems in line order, then --set problems in argument order.
Diagnostics sorted(const Diagnostics& in) {
  std::vector<Diagnostic> items = in.items();
  auto rank = [](const Diagnostic& d) { return d.pos.file == "--set" ? 1 : 0; };
  std::stable_sort(items.begin(), items.end(), [&](const Diagnostic& a, const Diagnostic& b) {
    if (rank(a) != rank(b)) return rank(a) < rank(b);
    if (a.pos.file != b.pos.file) return false;
    if (a.pos.line != b.pos.line) return a.pos.line < b.pos.line;
    return a.pos.col < b.pos.col;
  });
  Diagnostics out;
  for (auto& d : items) out.error(std::move(d.pos), std::move(d.message));
  return out;
}

}  // namespace

Config load_config_text(std::string_view yaml, const std::string& display_name, const std::string& base_dir,
                        const std::vector<std::string>& set_overrides) {
  ConfigBuilder builder(display_name, base_dir);
  if (!builder.collect_file(yaml)) throw InputError(sorted(builder.diags()));
  for (std::size_t i = 0; i < set_overrides.size(); ++i) builder.collect_set(static_cast<int>(i) + 1, set_overrides[i]);
  Config config = builder.build();
  if (!builder.diags().empty()) throw InputError(sorted(builder.diags()));
  return config;
}

Config load_config(const std::string& path, const std::vector<std::string>& set_overrides) {
  Diagnostics diags;
  auto text = read_text_file(path, kMaxConfigBytes, "config file", diags);
  if (!text) throw InputError(diags);
  std::filesystem::path parent = std::filesystem::path(path).parent_path();
  std::error_code ec;
  std::string base_dir = std::filesystem::absolute(parent.empty() ? "." : parent, ec).string();
  return load_config_text(*text, path, base_dir, set_overrides);
}

}  // namespace xbar
