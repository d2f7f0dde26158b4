#pragma once
// The static I-V law forms of the model library, as tile/device_law.hpp
// values: each registry entry of a cell picks its form and maps its own
// parameters onto it (models/registry.cpp, `read_law`).  A form owns its
// current, its dI/dV (the nodal engine's Newton) and its SPICE expression (the
// netlist's B source), so the two engines evaluate one law.  A new form is a
// function here with its tests (tests/unit/test_models.cpp) and a registry
// entry that uses it; no engine changes.
#include "tile/device_law.hpp"

namespace xbar {

// I = g V: a resistor of 1/g in the netlist.
DeviceLaw linear_law();
// I = g v0 sinh(V / v0), dI/dV = g cosh(V / v0) (g at 0 V); v0 > 0, V.
DeviceLaw sinh_law(double v0);

}  // namespace xbar
