#include "model_library/ngspice_lines.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace xbar::ngspice_lines {
namespace {

std::string_view trim_left(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  return s;
}

// ngspice's ciprefix: case-insensitive prefix.  Leading blanks are skipped too,
// which refuses more than ngspice would run, never less.
bool starts_with_ci(std::string_view line, std::string_view prefix) {
  line = trim_left(line);
  if (line.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != prefix[i]) return false;
  return true;
}

std::string first_word(std::string_view s) {
  s = trim_left(s);
  auto end = std::find_if(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); });
  std::string w(s.begin(), end);
  for (char& ch : w) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return w;
}

// Dot-commands that open or close ngspice's control language, by prefix.
constexpr std::array kControlPrefixes = {".control", ".endc", ".exec"};

// Control commands that touch files, programs or the process.  On a netlist
// line they would be parsed as devices (or fail); no valid device is named so.
constexpr std::array kDangerousWords = {"shell",     "source", "cd",   "write", "wrdata", "wrs2p",  "load",
                                        "codemodel", "osdi",   "quit", "exit",  "edit",   "rusage", "setcs"};

}  // namespace

std::string control_reason(std::string_view line, bool is_title) {
  if (line.find_first_of(std::string_view("\n\r\0", 3)) != std::string_view::npos)
    return "a line break or NUL inside a line";
  if (starts_with_ci(line, "*ng_script")) return "`*ng_script` turns the whole deck into a control script";
  if (is_title) return {};  // any other title text is inert
  if (starts_with_ci(line, "*#")) return "`*#` lines are run as control commands";
  for (std::string_view p : kControlPrefixes)
    if (starts_with_ci(line, p))
      return fmt::format("`{}` opens or closes a control block (ngspice matches `{}` as a prefix)", first_word(line),
                         p);
  // ngspice stops reading a file at a line starting with `@`: the rest of the
  // deck would silently vanish once the file is inlined.
  if (!line.empty() && line.front() == '@') return "a line starting with `@` ends ngspice's reading of the file";
  const std::string word = first_word(line);
  if (std::find(kDangerousWords.begin(), kDangerousWords.end(), word) != kDangerousWords.end())
    return fmt::format("control command `{}`", word);
  return {};
}

FileCommand file_command(std::string_view line) {
  if (starts_with_ci(line, ".inc")) return FileCommand::kInclude;
  if (starts_with_ci(line, ".lib")) return FileCommand::kLib;
  return FileCommand::kNone;
}

bool is_section_end(std::string_view line) { return starts_with_ci(line, ".endl"); }

bool is_continuation(std::string_view line) {
  line = trim_left(line);
  return !line.empty() && line.front() == '+';
}

std::vector<std::string> arguments(std::string_view line) {
  line = trim_left(line);
  auto word_end = std::find_if(line.begin(), line.end(), [](unsigned char c) { return std::isspace(c); });
  std::string_view rest(word_end, line.end());
  std::vector<std::string> out;
  for (rest = trim_left(rest); !rest.empty(); rest = trim_left(rest)) {
    if (rest.front() == '"' || rest.front() == '\'') {
      const auto close = rest.find(rest.front(), 1);
      out.emplace_back(rest.substr(1, close == rest.npos ? rest.npos : close - 1));
      rest.remove_prefix(close == rest.npos ? rest.size() : close + 1);
    } else {
      auto end = std::find_if(rest.begin(), rest.end(), [](unsigned char c) { return std::isspace(c); });
      out.emplace_back(rest.begin(), end);
      rest.remove_prefix(static_cast<std::size_t>(end - rest.begin()));
    }
  }
  return out;
}

}  // namespace xbar::ngspice_lines
