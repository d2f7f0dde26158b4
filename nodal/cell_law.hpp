#pragma once
// Private cell law for the nodal engine: I(v) and dI/dV for the read-mode laws
// of CellModel (netlist_gen/tile_spec.hpp).  Kept here, inline, because the
// engine evaluates it once per cell per Newton step and must not depend on the
// netlist generator's library.  Linear: I = g v.  Sinh: I = g v0 sinh(v / v0).
#include <cmath>

#include "netlist_gen/tile_spec.hpp"

namespace xbar::nodal_detail {

struct CellLawEval {
  CellLaw law = CellLaw::kLinear;
  double v0 = 0.3;
  explicit CellLawEval(const CellModel& m) : law(m.law), v0(m.v0) {}

  double current(double g, double v) const {
    return law == CellLaw::kLinear ? g * v : g * v0 * std::sinh(v / v0);
  }
  double conductance(double g, double v) const {
    return law == CellLaw::kLinear ? g : g * std::cosh(v / v0);
  }
  bool linear() const { return law == CellLaw::kLinear; }
};

}  // namespace xbar::nodal_detail
