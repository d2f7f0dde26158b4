#pragma once
// Turns yaml-cpp marks (0-based) into user-facing positions.  A config file
// gives FILE:LINE:COL; the VALUE of the Nth `--set KEY=VALUE` gives
// `--set:N:COL`, COL counted in the whole KEY=VALUE text.
#include <string>

#include <yaml-cpp/yaml.h>

#include "common/diagnostics.hpp"

namespace xbar {

class NodePositions {
 public:
  static NodePositions for_file(std::string file);
  // `value_offset`: 0-based index where the YAML text starts in the argument.
  static NodePositions for_set(int set_index, int value_offset);

  SourcePos at(const YAML::Mark& mark) const;
  // A node's position; `fallback` where yaml-cpp has none (null values).
  SourcePos of(const YAML::Node& node, const SourcePos& fallback) const;
  SourcePos of(const YAML::Node& node) const { return of(node, start()); }
  SourcePos start() const;  // where this text begins

 private:
  std::string file_;
  int set_index_ = 0;  // > 0 for --set text
  int value_offset_ = 0;
};

}  // namespace xbar
