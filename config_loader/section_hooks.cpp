#include "config_loader/section_hooks.hpp"

namespace xbar {

const std::vector<SectionHook>& section_hooks() {
  // One row per custom section, e.g.
  //   {"sweep", "parameter sweep", parse_sweep_section, emit_sweep_section},
  static const std::vector<SectionHook> hooks = {};
  return hooks;
}

const SectionHook* find_section_hook(std::string_view dotted) {
  for (const auto& h : section_hooks())
    if (h.path == dotted) return &h;
  return nullptr;
}

}  // namespace xbar
