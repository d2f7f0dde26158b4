#include "spice_bridge/netlist_guard.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cctype>
#include <string_view>

#include "common/ascii_case.hpp"
#include "common/diagnostics.hpp"
#include "model_library/ngspice_lines.hpp"
#include "spice_bridge/testing_hooks.hpp"
#include "spice_bridge/text_util.hpp"

namespace xbar::spice {
namespace {

std::atomic<bool> g_guard_off{false};  // testing only

std::string first_word(std::string_view s) {
  s = trim_left(s);
  auto end = std::find_if(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
  return ascii_lower(std::string_view(s.begin(), end));
}

// Why this line may not reach ngspice, or empty.  Model files are inlined by
// xbar's model reader, so a line that would make ngspice open a file itself is
// refused: the reader's checks would not have seen that file.
std::string refusal(std::string_view line, bool is_title) {
  std::string reason = ngspice_lines::control_reason(line, is_title);
  if (reason.empty() && !is_title && ngspice_lines::file_command(line) != ngspice_lines::FileCommand::kNone)
    reason = fmt::format("`{}` would make ngspice open a file itself (model files must be inlined)", first_word(line));
  return reason;
}

}  // namespace

void check_netlist_is_safe(const std::vector<std::string>& netlist) {
  if (g_guard_off) return;
  if (netlist.size() < 2) throw SimulationError("netlist refused: it needs a title line and `.end`");
  std::size_t last = netlist.size();
  while (last > 1 && trim_left(netlist[last - 1]).empty()) --last;
  if (first_word(netlist[last - 1]) != ".end")
    throw SimulationError("netlist refused: the last line must be `.end`", netlist[last - 1]);
  for (std::size_t i = 0; i < netlist.size(); ++i) {
    const std::string reason = refusal(netlist[i], i == 0);
    if (!reason.empty())
      throw SimulationError(fmt::format("netlist refused: netlist line {}: {}", i + 1, reason), netlist[i]);
  }
}

void check_command_is_analysis(const std::string& command) {
  static constexpr std::array kAnalyses = {"op", "dc", "tran", "ac", "noise", "tf", "sens", "pz", "disto"};
  const bool one_line = command.find_first_of(std::string_view(";\n\r\0", 4)) == std::string::npos;
  const std::string word = first_word(command);
  if (!one_line || std::find(kAnalyses.begin(), kAnalyses.end(), word) == kAnalyses.end())
    throw SimulationError(fmt::format("command refused: `{}` is not a single analysis command", command));
}

}  // namespace xbar::spice

namespace xbar::spice::testing {
void set_netlist_guard_off(bool off) { g_guard_off = off; }
}  // namespace xbar::spice::testing
