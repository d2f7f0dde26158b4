#include <cmath>

#include "netlist_gen/tile_spec.hpp"

namespace xbar {

double CellModel::current(double g, double v) const {
  if (law == CellLaw::kSinh) return g * v0 * std::sinh(v / v0);
  return g * v;
}

double CellModel::conductance(double g, double v) const {
  if (law == CellLaw::kSinh) return g * std::cosh(v / v0);
  return g;
}

}  // namespace xbar
