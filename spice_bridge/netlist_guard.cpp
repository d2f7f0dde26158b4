#include "spice_bridge/netlist_guard.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <fstream>
#include <string_view>

#include "common/diagnostics.hpp"
#include "spice_bridge/text_util.hpp"

namespace xbar::spice {
namespace {

std::string first_word(std::string_view s) {
  s = trim_left(s);
  auto end = std::find_if(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
  return lower(std::string_view(s.begin(), end));
}

// Control commands that touch files, programs or the process.  On a netlist
// line they would be parsed as devices (or fail); no valid device is named so.
constexpr std::array kDangerousWords = {"shell", "source", "cd", "write", "wrdata", "wrs2p", "load",
                                        "codemodel", "osdi", "quit", "exit", "edit", "rusage", "setcs"};

// Why ngspice would treat this line as control language, or empty if it would not.
std::string control_reason(std::string_view raw_line, bool is_title) {
  if (raw_line.find_first_of(std::string_view("\n\r\0", 3)) != std::string_view::npos)
    return "a line break or NUL inside a line";
  const std::string line = lower(trim_left(raw_line));
  if (line.starts_with("*ng_script")) return "`*ng_script` turns the whole deck into a control script";
  if (is_title) return {};  // any other title text is inert
  if (line.starts_with("*#")) return "`*#` lines are run as control commands";
  const std::string word = first_word(line);
  if (word == ".control" || word == ".endc" || word == ".exec") return fmt::format("`{}` block", word);
  if (std::find(kDangerousWords.begin(), kDangerousWords.end(), word) != kDangerousWords.end())
    return fmt::format("control command `{}`", word);
  return {};
}

// `.include FILE` / `.inc FILE` / `.lib FILE [SECTION]`: the file's path, unquoted.
std::string included_path(std::string_view raw_line) {
  const std::string line(trim_left(raw_line));
  const std::string word = first_word(line);
  if (word != ".include" && word != ".inc" && word != ".lib") return {};
  std::string_view rest = trim_left(std::string_view(line).substr(word.size()));
  if (rest.empty()) return {};
  if (rest.front() == '"' || rest.front() == '\'') {
    auto close = rest.find(rest.front(), 1);
    return std::string(rest.substr(1, close == std::string_view::npos ? rest.npos : close - 1));
  }
  auto end = std::find_if(rest.begin(), rest.end(), [](unsigned char c) { return std::isspace(c); });
  return std::string(rest.begin(), end);
}

void check_lines(const std::vector<std::string>& lines, const std::string& where, bool has_title, int depth);

// Included files are read by ngspice with the same rules, so they get the same
// check.  A file we cannot open is left to ngspice, which will fail on it.
void check_included_file(const std::string& path, int depth) {
  if (depth > 16) throw SimulationError(fmt::format("netlist refused: includes nested deeper than 16 ({})", path));
  std::ifstream in(path);
  if (!in) return;
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) {
    if (!l.empty() && l.back() == '\r') l.pop_back();
    lines.push_back(std::move(l));
  }
  check_lines(lines, path, /*has_title=*/false, depth + 1);
}

void check_lines(const std::vector<std::string>& lines, const std::string& where, bool has_title, int depth) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string reason = control_reason(lines[i], has_title && i == 0);
    if (!reason.empty())
      throw SimulationError(fmt::format("netlist refused: {} line {}: {}", where, i + 1, reason), lines[i]);
    const std::string inc = included_path(lines[i]);
    if (!inc.empty()) check_included_file(inc, depth);
  }
}

}  // namespace

void check_netlist_is_safe(const std::vector<std::string>& netlist) {
  if (netlist.size() < 2) throw SimulationError("netlist refused: it needs a title line and `.end`");
  std::size_t last = netlist.size();
  while (last > 1 && trim_left(netlist[last - 1]).empty()) --last;
  if (first_word(netlist[last - 1]) != ".end")
    throw SimulationError("netlist refused: the last line must be `.end`", netlist[last - 1]);
  check_lines(netlist, "netlist", /*has_title=*/true, 0);
}

void check_command_is_analysis(const std::string& command) {
  static constexpr std::array kAnalyses = {"op", "dc", "tran", "ac", "noise", "tf", "sens", "pz", "disto"};
  const bool one_line = command.find_first_of(std::string_view(";\n\r\0", 4)) == std::string::npos;
  const std::string word = first_word(command);
  if (!one_line || std::find(kAnalyses.begin(), kAnalyses.end(), word) == kAnalyses.end())
    throw SimulationError(fmt::format("command refused: `{}` is not a single analysis command", command));
}

}  // namespace xbar::spice

namespace xbar {

void check_model_file_is_safe(const std::string& path) { spice::check_included_file(path, 0); }

}  // namespace xbar
