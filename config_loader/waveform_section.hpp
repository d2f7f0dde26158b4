#pragma once
// Reads and writes the `output.waveforms` list of a config: the signals a
// transient run saves, e.g.
//   output:
//     waveforms:
//       - {signal: i_col, col: 3}
//       - {signal: v_wl, row: 0, col: 63}
// Coordinates are checked against the tile here, so a bad one is reported at
// its position.
#include <cmath>
#include <set>
#include <string>
#include <tuple>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "config_loader/section_hooks.hpp"
#include "config_loader/spice_number.hpp"
#include "config_loader/value_parse.hpp"
#include "tile/waveform_signal.hpp"

namespace xbar::waveform_section {

inline constexpr std::size_t kMaxSignals = 4096;

inline bool parse_kind(const std::string& text, WaveformKind& kind) {
  for (WaveformKind k : {WaveformKind::kColumnCurrent, WaveformKind::kDriverCurrent, WaveformKind::kWordLine,
                         WaveformKind::kBitLine, WaveformKind::kSenseNode})
    if (text == waveform_kind_name(k)) {
      kind = k;
      return true;
    }
  return false;
}

// One index (row or col) in [0, limit).
inline bool parse_index(const YAML::Node& node, const SourcePos& at, const char* what, int limit, int& out,
                        Diagnostics& diags) {
  const std::string text = node.IsScalar() ? node.Scalar() : std::string();
  auto v = parse_spice_number(text);
  if (!v || std::floor(*v) != *v || *v < 0 || *v >= limit) {
    diags.error(at, fmt::format("waveform '{}' must be a whole number from 0 to {}, got '{}'", what, limit - 1,
                                quote_for_message(text)));
    return false;
  }
  out = static_cast<int>(*v);
  return true;
}

inline void parse_one(const YAML::Node& item, const SourcePos& pos, const SectionInput& in, const Config& config,
                      std::vector<WaveformSignal>& out, Diagnostics& diags) {
  if (!item.IsMap()) {
    diags.error(pos, fmt::format("a waveform is a map like {{signal: i_col, col: 0}}, got {}", node_kind_text(item)));
    return;
  }
  const int rows = config.tile.rows;
  const int phys_cols = config.tile.cell->columns_per_output() * config.tile.cols;
  WaveformSignal s;
  s.pos = pos;
  bool have_kind = false, ok = true;
  YAML::Node row_node, col_node;  // a default node is a defined null: track presence apart
  bool have_row = false, have_col = false;
  SourcePos row_pos = pos, col_pos = pos;
  for (auto it = item.begin(); it != item.end(); ++it) {
    const std::string name = it->first.Scalar();
    const SourcePos key_pos = in.where.of(it->first, pos);
    const SourcePos at = in.where.of(it->second, key_pos);
    if (name == "signal") {
      const std::string text = it->second.IsScalar() ? it->second.Scalar() : std::string();
      if (!parse_kind(text, s.kind)) {
        diags.error(at, fmt::format("unknown waveform signal '{}'; one of i_col, i_driver, v_wl, v_bl, v_sense",
                                    quote_for_message(text)));
        ok = false;
      }
      have_kind = true;
    } else if (name == "row") {
      row_node = it->second, row_pos = at, have_row = true;
    } else if (name == "col") {
      col_node = it->second, col_pos = at, have_col = true;
    } else {
      diags.error(key_pos,
                  fmt::format("unknown key '{}' in a waveform; it has signal, row, col", quote_for_message(name)));
      ok = false;
    }
  }
  if (!have_kind) {
    diags.error(pos, "a waveform needs 'signal' (i_col, i_driver, v_wl, v_bl or v_sense)");
    return;
  }
  if (!ok) return;
  const char* kind = waveform_kind_name(s.kind);
  auto index = [&](const YAML::Node& node, bool given, const SourcePos& at, bool used, const char* what, int limit,
                   int& field) {
    if (used && !given) {
      diags.error(pos, fmt::format("waveform {} needs '{}'", kind, what));
      ok = false;
    } else if (!used && given) {
      diags.error(at, fmt::format("waveform {} takes no '{}'", kind, what));
      ok = false;
    } else if (used && !parse_index(node, at, what, limit, field, diags)) {
      ok = false;
    }
  };
  index(row_node, have_row, row_pos, waveform_uses_row(s.kind), "row", rows, s.row);
  index(col_node, have_col, col_pos, waveform_uses_col(s.kind), "col", phys_cols, s.col);
  if (ok) out.push_back(s);
}

inline void parse(const SectionInput& in, Config& config, Diagnostics& diags) {
  if (!in.node.IsSequence()) {
    diags.error(in.pos, fmt::format("'output.waveforms' must be a list of signals, got {}", node_kind_text(in.node)));
    return;
  }
  if (in.node.size() > kMaxSignals) {
    diags.error(in.pos,
                fmt::format("'output.waveforms' lists {} signals; at most {} allowed", in.node.size(), kMaxSignals));
    return;
  }
  std::vector<WaveformSignal> signals;
  std::set<std::tuple<int, int, int>> seen;
  for (const auto& item : in.node) {
    const SourcePos pos = in.where.of(item, in.pos);
    const std::size_t before = signals.size();
    parse_one(item, pos, in, config, signals, diags);
    if (signals.size() == before) continue;
    const auto& s = signals.back();
    if (!seen.insert({static_cast<int>(s.kind), s.row, s.col}).second) {
      diags.error(pos, "this waveform is listed twice");
      signals.pop_back();
    }
  }
  config.output.waveforms = std::move(signals);
}

inline void emit(const Config& config, YAML::Node& out) {
  if (config.output.waveforms.empty()) return;
  out = YAML::Node(YAML::NodeType::Sequence);
  for (const auto& s : config.output.waveforms) {
    YAML::Node item(YAML::NodeType::Map);
    item.SetStyle(YAML::EmitterStyle::Flow);
    item["signal"] = waveform_kind_name(s.kind);
    if (s.row >= 0) item["row"] = s.row;
    if (s.col >= 0) item["col"] = s.col;
    out.push_back(item);
  }
}

}  // namespace xbar::waveform_section
