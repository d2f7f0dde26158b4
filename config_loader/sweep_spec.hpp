#pragma once
// The `sweep:` section of a config (docs/config.md): which keys vary and how.
// Plain data: the loader fills it, the sweep library runs it.
#include <string>
#include <vector>

#include "common/diagnostics.hpp"

namespace xbar {

enum class SweepMode { kGrid, kZip };     // cartesian product | parallel lists
enum class SweepKeep { kSummary, kAll };  // what points/<index>/ holds

struct SweepParam {
  std::string key;                  // dotted config path: "parasitics.r_wl"
  std::vector<std::string> values;  // canonical texts: round-trip numbers, enum names
  SourcePos pos;                    // where the key was written
};

struct SweepSpec {
  SweepMode mode = SweepMode::kGrid;
  SweepKeep keep = SweepKeep::kSummary;
  std::vector<SweepParam> params;  // in the order written; grid: the last varies fastest
};

}  // namespace xbar
