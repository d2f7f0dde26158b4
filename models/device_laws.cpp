#include "models/device_laws.hpp"

#include <cmath>
#include <iterator>

#include <fmt/format.h>

#include "common/sinh_cosh.hpp"

namespace xbar {

DeviceLaw linear_law() { return DeviceLaw{}; }

DeviceLaw sinh_law(double v0) {
  DeviceLaw law;
  law.params = {v0};
  law.eval = [](const DeviceLaw::Params& p, double g, double v) {
    const double v0 = p[0];
    const SinhCosh h = sinh_cosh(v / v0);  // one expm1 for both
    return DeviceLaw::Point{g * v0 * h.sinh, g * h.cosh};
  };
  // Full precision, as the netlist writer prints every value.
  law.spice_current = [](const DeviceLaw::Params& p, double g, std::string_view v, std::string& out) {
    fmt::format_to(std::back_inserter(out), "{:.17g} * sinh({} / {:.17g})", g * p[0], v, p[0]);
  };
  law.problem = [](const DeviceLaw::Params& p) -> const char* {
    return std::isfinite(p[0]) && p[0] > 0 ? nullptr : "sinh v0 must be > 0";
  };
  return law;
}

}  // namespace xbar
