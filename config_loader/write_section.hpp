#pragma once
// Reads and writes the `analysis.tran.write` list of a config: write pulse
// trains applied to chosen cells before the read windows, e.g.
//   analysis:
//     tran:
//       write:
//         - {row: 1, col: 2, v: 1.2, width: 1u, count: 10, period: 2u}
// Header-only, like config_loader/waveform_section.hpp.  Cell coordinates are
// checked against the tile here, so a bad one is reported at its position;
// the timing against the driver edges is checked by the transient job.
#include <cmath>
#include <string>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "config_loader/section_hooks.hpp"
#include "config_loader/spice_number.hpp"
#include "config_loader/value_parse.hpp"

namespace xbar::write_section {

inline constexpr std::size_t kMaxTrains = 1024;
inline constexpr int kMaxPulses = 100000;

using WritePulse = Config::Analysis::Tran::WritePulse;

inline bool parse_number(const YAML::Node& node, const SourcePos& at, const char* what, double lo, double hi,
                         bool open_lo, double& out, Diagnostics& diags) {
  const std::string text = node.IsScalar() ? node.Scalar() : std::string();
  auto v = parse_spice_number(text);
  if (!v || !std::isfinite(*v) || *v < lo || *v > hi || (open_lo && *v == lo)) {
    diags.error(at, fmt::format("write '{}' must be a number in {}{:g}, {:g}], got '{}'", what, open_lo ? "(" : "[", lo,
                                hi, quote_for_message(text)));
    return false;
  }
  out = *v;
  return true;
}

inline bool parse_whole(const YAML::Node& node, const SourcePos& at, const char* what, int lo, int hi, int& out,
                        Diagnostics& diags) {
  double v = 0;
  if (!parse_number(node, at, what, lo, hi, false, v, diags)) return false;
  if (std::floor(v) != v) {
    diags.error(at, fmt::format("write '{}' must be a whole number, got {:g}", what, v));
    return false;
  }
  out = static_cast<int>(v);
  return true;
}

inline void parse_one(const YAML::Node& item, const SourcePos& pos, const SectionInput& in, const Config& config,
                      std::vector<WritePulse>& out, Diagnostics& diags) {
  if (!item.IsMap()) {
    diags.error(
        pos, fmt::format("a write is a map like {{row: 0, col: 0, v: 1.2, width: 1u}}, got {}", node_kind_text(item)));
    return;
  }
  const int phys_cols = config.tile.cell->columns_per_output() * config.tile.cols;
  WritePulse w;
  w.pos = pos;
  bool ok = true, have_row = false, have_col = false, have_v = false, have_width = false, have_period = false;
  for (auto it = item.begin(); it != item.end(); ++it) {
    const std::string name = it->first.Scalar();
    const SourcePos key_pos = in.where.of(it->first, pos);
    const SourcePos at = in.where.of(it->second, key_pos);
    const YAML::Node value = it->second;  // a copy: it-> yields a temporary proxy
    if (name == "row") {
      ok &= have_row = parse_whole(value, at, "row", 0, config.tile.rows - 1, w.row, diags);
    } else if (name == "col") {
      ok &= have_col = parse_whole(value, at, "col", 0, phys_cols - 1, w.col, diags);
    } else if (name == "v") {
      ok &= have_v = parse_number(value, at, "v", -20, 20, false, w.v, diags);
    } else if (name == "width") {
      ok &= have_width = parse_number(value, at, "width", 0, 1e3, true, w.width, diags);
    } else if (name == "count") {
      ok &= parse_whole(value, at, "count", 1, kMaxPulses, w.count, diags);
    } else if (name == "period") {
      ok &= have_period = parse_number(value, at, "period", 0, 1e3, true, w.period, diags);
    } else {
      diags.error(key_pos, fmt::format("unknown key '{}' in a write; it has row, col, v, width, count, period",
                                       quote_for_message(name)));
      ok = false;
    }
  }
  if (!ok) return;
  for (auto [given, what] : {std::pair{have_row, "row"}, {have_col, "col"}, {have_v, "v"}, {have_width, "width"}})
    if (!given) {
      diags.error(pos, fmt::format("a write needs '{}' (it has row, col, v, width, count, period)", what));
      ok = false;
    }
  if (!ok) return;
  if (!have_period) w.period = 2 * w.width;  // 50 % duty cycle
  out.push_back(w);
}

inline void parse(const SectionInput& in, Config& config, Diagnostics& diags) {
  if (!in.node.IsSequence()) {
    diags.error(in.pos, fmt::format("'analysis.tran.write' must be a list of writes, got {}", node_kind_text(in.node)));
    return;
  }
  if (in.node.size() > kMaxTrains) {
    diags.error(in.pos,
                fmt::format("'analysis.tran.write' lists {} writes; at most {} allowed", in.node.size(), kMaxTrains));
    return;
  }
  std::vector<WritePulse> writes;
  for (const auto& item : in.node) parse_one(item, in.where.of(item, in.pos), in, config, writes, diags);
  config.analysis.tran.write = std::move(writes);
}

inline void emit(const Config& config, YAML::Node& out) {
  if (config.analysis.tran.write.empty()) return;
  out = YAML::Node(YAML::NodeType::Sequence);
  for (const auto& w : config.analysis.tran.write) {
    YAML::Node item(YAML::NodeType::Map);
    item.SetStyle(YAML::EmitterStyle::Flow);
    item["row"] = w.row;
    item["col"] = w.col;
    item["v"] = fmt::format("{:.17g}", w.v);
    item["width"] = fmt::format("{:.17g}", w.width);
    item["count"] = w.count;
    item["period"] = fmt::format("{:.17g}", w.period);
    out.push_back(item);
  }
}

}  // namespace xbar::write_section
