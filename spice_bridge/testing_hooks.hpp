#pragma once
// Hooks for spice_bridge's own tests only; nothing else may call these.
namespace xbar::spice::testing {

// While set, every isolated child runs its job and then raises SIGSEGV before
// sending the result, as a crashing ngspice would.
void set_isolated_child_crash(bool crash);

// While set, check_netlist_is_safe lets every netlist through, so a test can
// show that the sandbox alone stops an attack the guard would have refused.
void set_netlist_guard_off(bool off);

}  // namespace xbar::spice::testing
