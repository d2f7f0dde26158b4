#include "nodal/tile_network.hpp"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace xbar::nodal_detail {
namespace {

void require(bool ok, const std::string& what) {
  if (!ok) throw std::invalid_argument("nodal engine: invalid tile: " + what);
}

bool finite_nonnegative(double v) { return std::isfinite(v) && v >= 0; }

int find_root(std::vector<int>& parent, int a) {
  while (parent[a] != a) a = parent[a] = parent[parent[a]];
  return a;
}

// Every group of lines joined by present cells needs a terminal (a driver or
// a sense/bias end): a group without one has no DC path, and its voltages
// are undetermined.  Union-find over the R + P lines.
void require_terminal_per_group(const TileNetwork& net, const StopCondition* stop) {
  const int R = net.rows, P = net.cols;
  std::vector<int> parent(static_cast<std::size_t>(R) + P);
  for (std::size_t k = 0; k < parent.size(); ++k) parent[k] = static_cast<int>(k);
  for (int i = 0; i < R; ++i) {
    check_stop(stop, i);
    for (int j = 0; j < P; ++j)
      if (net.g[static_cast<std::size_t>(i) * P + j] > 0) parent[find_root(parent, i)] = find_root(parent, R + j);
  }
  std::vector<char> anchored(parent.size(), 0);
  for (int i = 0; i < R; ++i)
    if (net.driver_fixed[i] || net.g_driver[i] > 0) anchored[find_root(parent, i)] = 1;
  for (int j = 0; j < P; ++j)
    if (net.sense_fixed[j] || net.g_sense[j] > 0) anchored[find_root(parent, R + j)] = 1;
  for (int k = 0; k < R + P; ++k)
    if (!anchored[find_root(parent, k)])
      require(false, (k < R ? "word line " + std::to_string(k) : "bit line " + std::to_string(k - R)) +
                         " is undriven and joined by its cells to no driven or held line (no DC path)");
}

}  // namespace

TileNetwork make_tile_network(const TileSpec& tile, const StopCondition* stop, const LineTerminals* terminals) {
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
  for (const auto* f : {&tile.r_wl_factor, &tile.r_bl_factor, &tile.r_gl_factor}) {
    require(f->empty() || f->size() == static_cast<std::size_t>(R) * P, "wire segment factors must be rows x cols");
    for (double x : *f) require(std::isfinite(x) && x > 0, "wire segment factors must be finite and > 0");
  }
  if (tile.cell->has(CellPart::kSelector)) {
    require(std::isfinite(tile.selector.g) && tile.selector.g > 0, "selector conductance at 0 V must be > 0");
    if (const char* problem = tile.selector.law.check()) require(false, problem);
  }
  if (const char* problem = tile.model.law.check()) require(false, problem);

  TileNetwork net;
  net.rows = R;
  net.cols = P;
  net.wl_len = tile.r_wl == 0 ? 1 : P;
  net.bl_len = tile.r_bl == 0 ? 1 : R;
  if (tile.r_wl != 0) {
    net.g_wl.assign(net.wl_size(), 0.0);
    for (int i = 0; i < R; ++i)
      for (int k = 0; k + 1 < P; ++k) net.g_wl[static_cast<std::size_t>(i) * P + k] = 1 / tile.r_wl_at(i, k + 1);
  }
  if (tile.r_bl != 0) {
    net.g_bl.assign(net.bl_size(), 0.0);
    for (int k = 0; k + 1 < R; ++k)
      for (int j = 0; j < P; ++j) net.g_bl[static_cast<std::size_t>(k) * P + j] = 1 / tile.r_bl_at(k + 1, j);
  }
  // The tile's own terminals on every line.
  net.driver_fixed.assign(R, tile.r_driver == 0);
  net.g_driver.assign(R, tile.r_driver == 0 ? 0 : 1 / tile.r_driver);
  net.v_sense.assign(P, 0.0);
  net.tia.assign(P, tile.sense == SenseKind::kTia);
  if (tile.sense == SenseKind::kTia) {
    require(std::isfinite(tile.tia_r_f) && tile.tia_r_f > 0, "TIA r_f must be > 0");
    require(std::isfinite(tile.tia_gain) && tile.tia_gain > -1, "TIA gain must be > -1");
    net.tia_gain = tile.tia_gain;
    net.tia_r_f = tile.tia_r_f;
    // S sees (1 + gain) / r_f to ground; r_sense in series with it.
    net.sense_fixed.assign(P, 0);
    net.g_sense.assign(P, 1 / (tile.r_sense + tile.tia_r_f / (1 + tile.tia_gain)));
  } else {
    net.sense_fixed.assign(P, tile.r_sense == 0);
    net.g_sense.assign(P, tile.r_sense == 0 ? 0 : 1 / tile.r_sense);
  }
  if (terminals) {
    // Read mode: an undriven row loses its driver; a held column is r_sense
    // to v_held (its TIA removed); a floating column loses its sense end.
    const LineTerminals& t = *terminals;
    require(t.row_driven.size() == static_cast<std::size_t>(R) && t.col_held.size() == static_cast<std::size_t>(P) &&
                t.sensed_col >= 0 && t.sensed_col < P && std::isfinite(t.v_held),
            "line terminals do not match the tile");
    for (int i = 0; i < R; ++i)
      if (!t.row_driven[i]) net.driver_fixed[i] = 0, net.g_driver[i] = 0;
    for (int j = 0; j < P; ++j) {
      if (j == t.sensed_col) continue;
      net.tia[j] = 0;
      net.v_sense[j] = t.col_held[j] ? t.v_held : 0.0;
      net.sense_fixed[j] = t.col_held[j] && tile.r_sense == 0;
      net.g_sense[j] = t.col_held[j] && tile.r_sense > 0 ? 1 / tile.r_sense : 0.0;
    }
  }
  net.g = tile.g;
  if (terminals) require_terminal_per_group(net, stop);
  return net;
}

}  // namespace xbar::nodal_detail
