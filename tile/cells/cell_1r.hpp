#pragma once
#include "tile/cell_kind.hpp"

namespace xbar {

inline const CellKindInfo& cell_1r() {
  static const CellKindInfo k{.name = "1R",
                              .summary = "the memory device alone between word line and bit line",
                              .parts = {CellPart::kDevice},
                              .analyses = {"op", "read", "tran"}};
  return k;
}

}  // namespace xbar
