#pragma once
#include "tile/cell_kind.hpp"

namespace xbar {

inline const CellKindInfo& cell_2t2r() {
  static const CellKindInfo k{.name = "2T2R",
                              .summary = "two 1T1R cells on columns j+ and j-, signed weight, output I+ - I-",
                              .parts = {CellPart::kDevice, CellPart::kAccessTransistor},
                              .differential = true,
                              .analyses = {"op"}};
  return k;
}

}  // namespace xbar
