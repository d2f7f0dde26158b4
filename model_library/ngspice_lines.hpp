#pragma once
// How ngspice 46 reads one physical netlist line, as far as safety is concerned.
// ngspice matches dot-commands by prefix (ciprefix in its inpcom.c): `.controlxyz`
// opens a control block, `.includex` and `.inc` include a file, `.library` is
// `.lib`.  Every check on netlist or model text uses these functions, so the
// reader and the bridge's guard cannot disagree with ngspice or with each other.
#include <string>
#include <string_view>
#include <vector>

namespace xbar::ngspice_lines {

// Why ngspice would run this line (or the deck holding it) as control language,
// or treat it specially in a way that escapes the netlist; empty if it would not.
// `is_title`: the first line of a deck, which ngspice reads as the title.
std::string control_reason(std::string_view line, bool is_title);

// The file ngspice would open for this line.
enum class FileCommand { kNone, kInclude, kLib };
FileCommand file_command(std::string_view line);

// `.endl`, the end of a `.lib NAME` section (prefix rule again).
bool is_section_end(std::string_view line);

// A `+` continuation of the previous line.
bool is_continuation(std::string_view line);

// The words after the command word, each unquoted ("..." or '...'), as ngspice
// reads the file name and section of `.include FILE` / `.lib FILE SECTION`.
std::vector<std::string> arguments(std::string_view line);

}  // namespace xbar::ngspice_lines
