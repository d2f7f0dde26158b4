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

// ngspice's ciprefix on a line already trimmed: case-insensitive prefix
// (`prefix` is lower case).
bool trimmed_starts_with_ci(std::string_view line, std::string_view prefix) {
  if (line.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(line[i])) != prefix[i]) return false;
  return true;
}

// The same on the raw line.  Leading blanks are skipped too, which refuses
// more than ngspice would run, never less.
bool starts_with_ci(std::string_view line, std::string_view prefix) {
  return trimmed_starts_with_ci(trim_left(line), prefix);
}

// The first word of a trimmed line, as it stands.
std::string_view first_word_of_trimmed(std::string_view line) {
  auto end = std::find_if(line.begin(), line.end(), [](unsigned char c) { return std::isspace(c); });
  return line.substr(0, static_cast<std::size_t>(end - line.begin()));
}

std::string lower(std::string_view word) {
  std::string w(word);
  for (char& ch : w) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return w;
}

// Dot-commands that open or close ngspice's control language, by prefix.
constexpr std::array<std::string_view, 3> kControlPrefixes = {".control", ".endc", ".exec"};

// Control commands that touch files, programs or the process.  On a netlist
// line they would be parsed as devices (or fail); no valid device is named so.
constexpr std::array<std::string_view, 14> kDangerousWords = {"shell", "source", "cd",        "write", "wrdata",
                                                              "wrs2p", "load",   "codemodel", "osdi",  "quit",
                                                              "exit",  "edit",   "rusage",    "setcs"};

// `word` is one of kDangerousWords, in any case.  Compares in place: the
// guard reads every line of a netlist of ~200k lines, and nearly every first
// word differs in length or first letter from all of them.
const std::string_view* dangerous_word(std::string_view word) {
  for (const std::string_view& d : kDangerousWords)
    if (word.size() == d.size() && trimmed_starts_with_ci(word, d)) return &d;
  return nullptr;
}

// One memchr per character sought: faster than one pass testing each byte
// for all three.
bool has_line_break_or_nul(std::string_view line) {
  return line.find('\n') != line.npos || line.find('\r') != line.npos || line.find('\0') != line.npos;
}

}  // namespace

std::string control_reason(std::string_view line, bool is_title) {
  if (has_line_break_or_nul(line)) return "a line break or NUL inside a line";
  const std::string_view trimmed = trim_left(line);
  // Each prefix and word below must match the line's first character,
  // lower-cased: that one test rules out nearly every element line.
  const int first = trimmed.empty() ? 0 : std::tolower(static_cast<unsigned char>(trimmed.front()));
  if (first == '*' && trimmed_starts_with_ci(trimmed, "*ng_script"))
    return "`*ng_script` turns the whole deck into a control script";
  if (is_title) return {};  // any other title text is inert
  if (first == '*' && trimmed_starts_with_ci(trimmed, "*#")) return "`*#` lines are run as control commands";
  if (first == '.')
    for (std::string_view p : kControlPrefixes)
      if (trimmed_starts_with_ci(trimmed, p))
        return fmt::format("`{}` opens or closes a control block (ngspice matches `{}` as a prefix)",
                           lower(first_word_of_trimmed(trimmed)), p);
  // ngspice stops reading a file at a line starting with `@`: the rest of the
  // deck would silently vanish once the file is inlined.
  if (!line.empty() && line.front() == '@') return "a line starting with `@` ends ngspice's reading of the file";
  const bool may_be_dangerous = std::any_of(kDangerousWords.begin(), kDangerousWords.end(),
                                            [&](std::string_view d) { return d.front() == first; });
  if (const std::string_view* word = may_be_dangerous ? dangerous_word(first_word_of_trimmed(trimmed)) : nullptr)
    return fmt::format("control command `{}`", *word);
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
  std::string_view rest = line.substr(first_word_of_trimmed(line).size());
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
