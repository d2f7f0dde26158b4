#include "config_loader/node_positions.hpp"

namespace xbar {

NodePositions NodePositions::for_file(std::string file) {
  NodePositions p;
  p.file_ = std::move(file);
  return p;
}

NodePositions NodePositions::for_set(int set_index, int value_offset) {
  NodePositions p;
  p.file_ = "--set";
  p.set_index_ = set_index;
  p.value_offset_ = value_offset;
  return p;
}

SourcePos NodePositions::at(const YAML::Mark& mark) const {
  if (mark.is_null() || mark.line < 0) return start();
  // --set text is one argument: its "line" is the argument index and the
  // column runs through the whole KEY=VALUE text.
  if (set_index_ > 0) return {file_, set_index_, value_offset_ + mark.pos + 1};
  return {file_, mark.line + 1, mark.column + 1};
}

SourcePos NodePositions::of(const YAML::Node& node, const SourcePos& fallback) const {
  if (!node.IsDefined()) return fallback;
  const YAML::Mark mark = node.Mark();
  if (mark.is_null() || mark.line < 0) return fallback;
  return at(mark);
}

SourcePos NodePositions::start() const {
  if (set_index_ > 0) return {file_, set_index_, value_offset_ + 1};
  return {file_, 1, 1};
}

}  // namespace xbar
