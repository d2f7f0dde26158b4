#pragma once
// Test-only hooks of the sweep module; nothing else may call these.  They act
// inside worker processes started after the call.
#include <cstddef>
#include <optional>

namespace xbar::sweep_testing {

// A worker raises SIGSEGV when it starts this point, as a crashing ngspice would.
void set_crash_point(std::optional<std::size_t> point);
// A worker sleeps for ever at this point (for time-limit tests).
void set_hang_point(std::optional<std::size_t> point);

}  // namespace xbar::sweep_testing
