#include "config_loader/section_hooks.hpp"

#include "config_loader/sweep_section.hpp"
#include "config_loader/waveform_section.hpp"
#include "config_loader/write_section.hpp"

namespace xbar {

const std::vector<SectionHook>& section_hooks() {
  // One row per custom section, e.g.
  //   {"sweep", "parameter sweep", parse_sweep_section, emit_sweep_section},
  static const std::vector<SectionHook> hooks = {
      {"sweep", "parameter sweep: mode, keep, params", sweep_section::parse, sweep_section::emit},
      {"output.waveforms", "tran: signals saved to waveforms.csv", waveform_section::parse, waveform_section::emit},
      {"analysis.tran.write", "tran: write pulse trains before the reads", write_section::parse, write_section::emit},
  };
  return hooks;
}

const SectionHook* find_section_hook(std::string_view dotted) {
  for (const auto& h : section_hooks())
    if (h.path == dotted) return &h;
  return nullptr;
}

}  // namespace xbar
