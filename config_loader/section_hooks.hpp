#pragma once
// Sections that own a raw YAML subtree instead of table rows: a later module
// (sweep, ...) adds one row to section_hooks() in section_hooks.cpp.  The
// loader hands the hook the node with its positions after every table key is
// stored, so the hook can read the resolved Config; resolved_yaml() asks the
// hook to write the subtree back.
#include <string_view>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "common/diagnostics.hpp"
#include "config_loader/config.hpp"
#include "config_loader/node_positions.hpp"

namespace xbar {

struct SectionInput {
  const YAML::Node& node;       // the raw value at `path`
  const NodePositions& where;   // node marks -> positions
  SourcePos pos;                // position of the value (or its key)
  const std::string& base_dir;  // for relative paths
};

struct SectionHook {
  std::string_view path;  // dotted path of the owned subtree: "sweep", "analysis.tran"
  std::string_view help;
  // Reads the subtree into config; reports every problem to diags.
  void (*parse)(const SectionInput& in, Config& config, Diagnostics& diags);
  // Writes the resolved subtree; leaves `out` undefined/null to omit it.
  void (*emit)(const Config& config, YAML::Node& out);
};

const std::vector<SectionHook>& section_hooks();
const SectionHook* find_section_hook(std::string_view dotted);

}  // namespace xbar
