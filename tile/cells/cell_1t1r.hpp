#pragma once
#include "tile/cell_kind.hpp"

namespace xbar {

inline const CellKindInfo& cell_1t1r() {
  static const CellKindInfo k{.name = "1T1R",
                              .summary = "the device in series with an NMOS access transistor (transistor.*)",
                              .parts = {CellPart::kDevice, CellPart::kAccessTransistor},
                              .analyses = {"op", "read"}};
  return k;
}

}  // namespace xbar
