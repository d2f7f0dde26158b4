#include "nodal/tile_network.hpp"

#include <cmath>
#include <stdexcept>
#include <string>

namespace xbar::nodal_detail {
namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("nodal engine: invalid tile: " + what);
}

bool finite_nonnegative(double v) { return std::isfinite(v) && v >= 0; }

}  // namespace

TileNetwork make_tile_network(const TileSpec& tile, const StopCondition* stop) {
  // An ideal access switch makes a 1T1R/2T2R cell the device alone between
  // WL and BL: the 1R network on phys_cols() columns.  A real transistor
  // keeps the same network: its cell law (cell_law.hpp) holds the transistor.
  require(!tile.transistor.ideal || tile.transistor.row_on.empty(),
          "an ideal access switch has every gate on: row_on must be empty");
  require(tile.rows >= 1 && tile.cols >= 1, "rows and cols must be >= 1");
  const int R = tile.rows, P = tile.phys_cols();
  require(tile.g.size() == static_cast<std::size_t>(R) * P, "conductance matrix has " + std::to_string(tile.g.size()) +
                                                                " entries, expected " +
                                                                std::to_string(static_cast<std::size_t>(R) * P));
  for (int i = 0; i < R; ++i) {
    check_stop(stop, i);
    for (int j = 0; j < P; ++j)
      require(finite_nonnegative(tile.g[static_cast<std::size_t>(i) * P + j]),
              "cell conductances must be finite and >= 0");
  }
  for (const auto& v : tile.inputs) {
    require(v.size() == static_cast<std::size_t>(R), "an input vector does not have `rows` values");
    for (double x : v) require(std::isfinite(x), "input voltages must be finite");
  }
  for (double r : {tile.r_wl, tile.r_bl, tile.r_driver, tile.r_sense})
    require(finite_nonnegative(r), "resistances must be finite and >= 0");
  if (tile.cell->has(CellPart::kSelector))
    require(std::isfinite(tile.selector.i0) && tile.selector.i0 > 0 && std::isfinite(tile.selector.v0) &&
                tile.selector.v0 > 0,
            "selector i0 and v0 must be > 0");
  if (tile.model.law == CellLaw::kSinh)
    require(std::isfinite(tile.model.v0) && tile.model.v0 > 0, "sinh v0 must be > 0");

  TileNetwork net;
  net.rows = R;
  net.cols = P;
  net.wl_len = tile.r_wl == 0 ? 1 : P;
  net.bl_len = tile.r_bl == 0 ? 1 : R;
  net.g_wl = tile.r_wl == 0 ? 0 : 1 / tile.r_wl;
  net.g_bl = tile.r_bl == 0 ? 0 : 1 / tile.r_bl;
  net.driver_fixed = tile.r_driver == 0;
  net.g_driver = net.driver_fixed ? 0 : 1 / tile.r_driver;
  if (tile.sense == SenseKind::kTia) {
    require(std::isfinite(tile.tia_r_f) && tile.tia_r_f > 0, "TIA r_f must be > 0");
    require(std::isfinite(tile.tia_gain) && tile.tia_gain > -1, "TIA gain must be > -1");
    net.tia = true;
    net.tia_gain = tile.tia_gain;
    net.tia_r_f = tile.tia_r_f;
    // S sees (1 + gain) / r_f to ground; r_sense in series with it.
    net.g_sense = 1 / (tile.r_sense + tile.tia_r_f / (1 + tile.tia_gain));
  } else {
    net.sense_fixed = tile.r_sense == 0;
    net.g_sense = net.sense_fixed ? 0 : 1 / tile.r_sense;
  }
  net.g = tile.g;
  return net;
}

}  // namespace xbar::nodal_detail
