#include <fmt/format.h>

#include "cli/commands.hpp"
#include "common/diagnostics.hpp"
#include "common/exit_codes.hpp"
#include "models/registry.hpp"

namespace xbar {

// Cell parameters are settable through device.params within [min, max]; a
// transistor card's parameters are fixed values of the card, shown for reference.
static void print_param_row(const ModelInfo& m, const ModelParam& p) {
  if (m.kind == ModelKind::kTransistor)
    fmt::print("    {:<10} {:>10g} {:<7} (card value)  {}\n", p.name, p.default_value, p.unit, p.meaning);
  else
    fmt::print("    {:<10} {:>10g} {:<7} [{:g}, {:g}]  {}\n", p.name, p.default_value, p.unit, p.min, p.max, p.meaning);
}

static std::string join(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ",") + x;
  return s;
}

int command_models(const std::string& name) {
  if (name.empty()) {
    fmt::print("{:<14} {:<11} {:<13} {}\n", "MODEL", "KIND", "ANALYSES", "SUMMARY");
    for (const auto& m : model_registry()) {
      fmt::print("{:<14} {:<11} {:<13} {}\n", m.name, to_string(m.kind), join(m.analyses), m.summary);
      for (const auto& p : m.params) print_param_row(m, p);
    }
    return kExitOk;
  }
  const ModelInfo* m = find_model(name);
  if (m == nullptr) {
    const std::string near = nearest_model_name(name);
    throw InputError(
        SourcePos{"<command line>", 0, 0},
        fmt::format("unknown model '{}'{}", name, near.empty() ? "" : fmt::format("; did you mean '{}'?", near)));
  }
  fmt::print("model:     {}\nkind:      {}\nsummary:   {}\nequation:  {}\nanalyses:  {}\nsource:    {}\n", m->name,
             to_string(m->kind), m->summary, m->equation, join(m->analyses), m->source);
  if (!m->limits.empty()) fmt::print("limits:    {}\n", m->limits);
  if (!m->nominal.empty()) fmt::print("nominal:   {}\n", m->nominal);
  if (m->drift) fmt::print("drift:     yes, applied to the placed conductances when the tile is built\n");
  if (!m->file.empty()) fmt::print("file:      {}\n", model_file_path(m->file));
  if (!m->spice_name.empty())
    fmt::print("spice:     {} {} ({})\n", m->kind == ModelKind::kTransistor ? ".model" : ".subckt", m->spice_name,
               m->terminals);
  fmt::print("parameters:{}\n", m->params.empty() ? " none" : "");
  for (const auto& p : m->params) {
    if (m->kind == ModelKind::kTransistor)
      fmt::print("  {:<10} {:g} {} (card value): {}\n", p.name, p.default_value, p.unit, p.meaning);
    else
      fmt::print("  {:<10} default {:g} {}, range [{:g}, {:g}]: {}\n", p.name, p.default_value, p.unit, p.min, p.max,
                 p.meaning);
  }
  return kExitOk;
}

}  // namespace xbar
