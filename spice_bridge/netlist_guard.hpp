#pragma once
// The last line of defence between netlist text and ngspice's control language:
// ngspice executes `.control` blocks, `*#` comment lines and whole `*ng_script`
// decks as commands, and those commands can run programs (`shell`) or write files.
#include <string>
#include <vector>

namespace xbar::spice {

// Throws SimulationError naming the first offending line (1-based) if the netlist
// is empty, does not end with `.end`, holds a line with a line break or NUL, or
// has any line that would reach ngspice's control language or make ngspice open
// a file itself (`.include`, `.lib`: model text must arrive inlined).
void check_netlist_is_safe(const std::vector<std::string>& netlist);

// Throws SimulationError unless `command` is a single analysis command
// (op, dc, tran, ac, noise, tf, sens, pz, disto) without `;` or line breaks.
void check_command_is_analysis(const std::string& command);

}  // namespace xbar::spice
