#pragma once
// Reads and writes the `sweep:` section of a config (the sweep library runs
// what it describes).  Each swept value is checked with the swept key's own
// rules, so a bad value is reported at its position in the config, before any
// point runs.
#include <cmath>
#include <set>
#include <string>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "common/suggest.hpp"
#include "config_loader/schema.hpp"
#include "config_loader/section_hooks.hpp"
#include "config_loader/spice_number.hpp"
#include "config_loader/sweep_spec.hpp"
#include "config_loader/value_parse.hpp"

namespace xbar::sweep_section {

inline constexpr double kMaxPoints = 10'000'000;

inline bool sweepable(const KeyInfo& key) {
  switch (key.type) {
    case KeyType::kInt:
    case KeyType::kReal:
    case KeyType::kEnum:
    case KeyType::kBool:
    case KeyType::kString:
    case KeyType::kPath: return true;
    default: return false;
  }
}

// {from, to, steps, scale: lin|log} -> value texts for the key to check.
inline bool expand_range(const KeyInfo& key, const YAML::Node& node, const SourcePos& pos, const NodePositions& where,
                         std::vector<std::string>& out, Diagnostics& diags) {
  if (key.type != KeyType::kInt && key.type != KeyType::kReal) {
    diags.error(pos, fmt::format("'{}' is not a number; give a list of values, not a range", key.path));
    return false;
  }
  std::optional<double> from, to;
  long long steps = 0;
  bool log_scale = false, ok = true;
  for (auto it = node.begin(); it != node.end(); ++it) {
    const std::string name = it->first.Scalar();
    const SourcePos at = where.of(it->second, where.of(it->first, pos));
    const std::string text = it->second.IsScalar() ? it->second.Scalar() : std::string();
    if (name == "from" || name == "to") {
      auto v = parse_spice_number(text);
      if (!v) {
        diags.error(at, fmt::format("range '{}' must be a number, got '{}'", name, quote_for_message(text)));
        ok = false;
      }
      (name == "from" ? from : to) = v;
    } else if (name == "steps") {
      auto v = parse_spice_number(text);
      if (!v || *v < 1 || *v > kMaxPoints || std::floor(*v) != *v) {
        diags.error(at, fmt::format("range 'steps' must be a whole number from 1 to {}, got '{}'",
                                    format_number(kMaxPoints), quote_for_message(text)));
        ok = false;
      } else {
        steps = static_cast<long long>(*v);
      }
    } else if (name == "scale") {
      if (text == "log")
        log_scale = true;
      else if (text != "lin") {
        diags.error(at, fmt::format("range 'scale' is lin or log, got '{}'", quote_for_message(text)));
        ok = false;
      }
    } else {
      diags.error(where.of(it->first, pos),
                  fmt::format("unknown range key '{}'; a range has from, to, steps, scale", quote_for_message(name)));
      ok = false;
    }
  }
  if (!ok) return false;
  if (!from || !to || steps == 0) {
    diags.error(pos, fmt::format("the range of '{}' needs from, to and steps", key.path));
    return false;
  }
  if (log_scale && !(*from > 0 && *to > 0)) {
    diags.error(pos, fmt::format("a log range of '{}' needs from and to above 0", key.path));
    return false;
  }
  for (long long k = 0; k < steps; ++k) {
    double v;
    if (k == 0)
      v = *from;
    else if (k == steps - 1)
      v = *to;  // exact ends, whatever the rounding between
    else {
      const double t = static_cast<double>(k) / static_cast<double>(steps - 1);
      // In logs: to / from overflows for a range such as 1e-308 .. 1e308.
      v = log_scale ? std::exp(std::log(*from) + t * (std::log(*to) - std::log(*from))) : *from + t * (*to - *from);
      // 12 significant digits: 1, not 1.0000000000000004; the text is the value used.
      v = parse_spice_number(fmt::format("{:.12g}", v)).value_or(v);
    }
    if (key.type == KeyType::kInt) v = std::round(v);
    out.push_back(format_number(v));
  }
  return true;
}

// How many values a swept key's node declares (a list's length, a range's
// steps), read without expanding anything; 1 when it cannot tell.
inline double declared_count(const YAML::Node& node) {
  if (node.IsSequence()) return static_cast<double>(node.size());
  if (!node.IsMap() || !node["steps"] || !node["steps"].IsScalar()) return 1;
  auto steps = parse_spice_number(node["steps"].Scalar());
  return steps && *steps >= 1 ? std::floor(*steps) : 1;
}

// The sweep's point count as declared, before any range is expanded (a few
// ranges of millions of steps would take gigabytes to expand).
inline double declared_points(SweepMode mode, const YAML::Node& params) {
  double points = mode == SweepMode::kZip ? 0 : 1;
  for (auto p = params.begin(); p != params.end(); ++p) {
    const double n = declared_count(p->second);
    points = mode == SweepMode::kZip ? std::max(points, n) : points * n;
  }
  return points;
}

// One swept key: a list of values or a range; every value checked by the key's rules.
inline bool parse_param(const KeyInfo& key, const YAML::Node& node, const SourcePos& pos, const SectionInput& in,
                        SweepParam& param, Diagnostics& diags) {
  std::vector<std::pair<YAML::Node, SourcePos>> items;
  if (node.IsSequence()) {
    for (const auto& item : node) items.emplace_back(item, in.where.of(item, pos));
  } else if (node.IsMap()) {
    std::vector<std::string> texts;
    if (!expand_range(key, node, pos, in.where, texts, diags)) return false;
    for (const auto& t : texts) items.emplace_back(YAML::Node(t), pos);
  } else {
    diags.error(pos,
                fmt::format("'sweep.params.{}' expects a list of values or a range {{from, to, steps, scale}}, got {}",
                            key.path, node_kind_text(node)));
    return false;
  }
  if (items.empty()) {
    diags.error(pos, fmt::format("'sweep.params.{}' has no values", key.path));
    return false;
  }
  // A range's refused values share its position: the first is reported, the
  // rest counted (a range of 1000 steps is not 1000 messages).
  const bool range = node.IsMap();
  std::size_t refused = 0;
  for (const auto& [item, at] : items) {
    Diagnostics local;
    ValueContext ctx{in.where, at, in.base_dir, local};
    auto value = parse_key_value(key, item, ctx);
    if (value) {
      param.values.push_back(value_text(key, *value));
      continue;
    }
    if (!range || ++refused == 1) diags.append(local);
  }
  if (refused > 1)
    diags.error(pos, fmt::format("{} of the {} values of this range of '{}' are refused; the first is reported",
                                 refused, items.size(), key.path));
  return param.values.size() == items.size();
}

inline void parse(const SectionInput& in, Config& config, Diagnostics& diags) {
  if (!in.node.IsMap()) {
    diags.error(in.pos, fmt::format("'sweep' must be a map with mode and params, got {}", node_kind_text(in.node)));
    return;
  }
  SweepSpec spec;
  bool have_params = false;
  std::set<std::string> seen_keys;
  for (auto it = in.node.begin(); it != in.node.end(); ++it) {
    const std::string name = it->first.Scalar();
    const SourcePos key_pos = in.where.of(it->first, in.pos);
    const SourcePos at = in.where.of(it->second, key_pos);
    const std::string text = it->second.IsScalar() ? it->second.Scalar() : std::string();
    if (name == "mode") {
      if (text == "grid")
        spec.mode = SweepMode::kGrid;
      else if (text == "zip")
        spec.mode = SweepMode::kZip;
      else
        diags.error(at, fmt::format("'sweep.mode' is grid or zip, got '{}'", quote_for_message(text)));
    } else if (name == "keep") {
      if (text == "summary")
        spec.keep = SweepKeep::kSummary;
      else if (text == "all")
        spec.keep = SweepKeep::kAll;
      else
        diags.error(at, fmt::format("'sweep.keep' is summary or all, got '{}'", quote_for_message(text)));
    } else if (name == "params") {
      have_params = true;
      if (!it->second.IsMap() || it->second.size() == 0) {
        diags.error(at, "'sweep.params' must map dotted config keys to lists of values");
        continue;
      }
      const YAML::Node mode_node = in.node["mode"];
      const bool zip = mode_node && mode_node.IsScalar() && mode_node.Scalar() == "zip";
      if (const double points = declared_points(zip ? SweepMode::kZip : SweepMode::kGrid, it->second);
          points > kMaxPoints) {
        diags.error(in.pos, fmt::format("the sweep has {} points; at most {} allowed", format_number(points),
                                        format_number(kMaxPoints)));
        return;
      }
      for (auto p = it->second.begin(); p != it->second.end(); ++p) {
        const std::string dotted = p->first.Scalar();
        const SourcePos p_pos = in.where.of(p->first, at);
        const KeyInfo* key = find_key(dotted);
        if (!key) {
          std::vector<std::string> names;
          for (const auto& k : config_keys()) names.emplace_back(k.path);
          std::string msg = fmt::format("'sweep.params': unknown config key '{}'", quote_for_message(dotted));
          if (auto near = nearest_name(dotted, names); !near.empty()) msg += fmt::format("; did you mean '{}'?", near);
          diags.error(p_pos, msg);
          continue;
        }
        if (!sweepable(*key)) {
          diags.error(p_pos, fmt::format("'{}' holds a list or map and cannot be swept", dotted));
          continue;
        }
        if (!seen_keys.insert(dotted).second) {
          diags.error(p_pos, fmt::format("'{}' is swept twice", dotted));
          continue;
        }
        SweepParam param{dotted, {}, p_pos};
        if (parse_param(*key, p->second, in.where.of(p->second, p_pos), in, param, diags))
          spec.params.push_back(std::move(param));
      }
    } else {
      diags.error(key_pos,
                  fmt::format("unknown key '{}' in 'sweep'; it has mode, keep, params", quote_for_message(name)));
    }
  }
  if (!have_params) diags.error(in.pos, "'sweep' needs 'params'");
  if (spec.params.empty()) return;
  double points = spec.mode == SweepMode::kZip ? 0 : 1;
  for (const auto& p : spec.params) {
    if (spec.mode == SweepMode::kZip && p.values.size() != spec.params.front().values.size())
      diags.error(p.pos,
                  fmt::format("zip sweep: '{}' has {} values but '{}' has {}; zip needs lists of one length", p.key,
                              p.values.size(), spec.params.front().key, spec.params.front().values.size()));
    if (spec.mode == SweepMode::kGrid)
      points *= static_cast<double>(p.values.size());
    else
      points = static_cast<double>(p.values.size());
  }
  if (points > kMaxPoints)
    diags.error(in.pos, fmt::format("the sweep has {} points; at most {} allowed", format_number(points),
                                    format_number(kMaxPoints)));
  config.sweep = std::move(spec);
}

inline void emit(const Config& config, YAML::Node& out) {
  if (!config.sweep) return;
  const SweepSpec& s = *config.sweep;
  out["mode"] = s.mode == SweepMode::kGrid ? "grid" : "zip";
  out["keep"] = s.keep == SweepKeep::kSummary ? "summary" : "all";
  YAML::Node params(YAML::NodeType::Map);
  for (const auto& p : s.params) {
    YAML::Node list(YAML::NodeType::Sequence);
    list.SetStyle(YAML::EmitterStyle::Flow);
    for (const auto& v : p.values) list.push_back(v);
    params[p.key] = list;
  }
  out["params"] = params;
}

}  // namespace xbar::sweep_section
