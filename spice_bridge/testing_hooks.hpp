#pragma once
// Hooks for spice_bridge's own tests only; nothing else may call these.
namespace xbar::spice::testing {

// While set, every isolated child runs its job and then raises SIGSEGV before
// sending the result, as a crashing ngspice would.
void set_isolated_child_crash(bool crash);

}  // namespace xbar::spice::testing
