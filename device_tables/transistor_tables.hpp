#pragma once
// The access transistor of a 1T1R/2T2R tile as ngspice computes it: its drain
// current over the drain and source voltages the tile can reach, one table per
// gate voltage the tile uses (bulk at ground, so the body effect is in the
// source axis).  Built by DC sweeps of the exact card (the bundled one or the
// user's transistor.include), W, L and simulator options in an isolated,
// sandboxed ngspice, cached on disk, interpolated by a bicubic spline.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "device_tables/bicubic_table.hpp"
#include "tile/tile_spec.hpp"

namespace xbar {

struct TransistorTables {
  // Drain current I_d(v_d, v_s) (A, into the drain) at gate voltage v_gate[k].
  std::vector<double> v_gate;
  std::vector<std::shared_ptr<const BicubicTable>> drain_current;
  const BicubicTable& at_gate(double vg) const;  // throws std::out_of_range for an untabulated gate
};

struct TransistorTableReport {
  bool cache_hit = false;          // every gate voltage read from the cache
  std::vector<std::string> files;  // the cache file of each gate voltage
  double seconds = 0;              // wall time to obtain the tables
};

// The table grid: step (V) and the rounding of the voltage range.
inline constexpr double kTableStep = 1.0 / 256;
inline constexpr int kTableFormatVersion = 1;

// Where tables are cached: $XBAR_CACHE_DIR, else $XDG_CACHE_HOME/xbar, else
// $HOME/.cache/xbar.  Empty when none of them is set.
std::filesystem::path transistor_cache_dir();

// The drain-current tables of the tile's transistor (tile.access_transistors()
// must be true): from the in-process memo, the disk cache (validated; a
// corrupt or mismatched file is rebuilt), or ngspice.  The voltage range covers
// 0 V and every input voltage.  Throws SimulationError when ngspice fails.
std::shared_ptr<const TransistorTables> transistor_tables(const TileSpec& tile,
                                                          TransistorTableReport* report = nullptr);

// The gate voltages the tile's transistors see, in row order (v_gate, or 0 V
// for a row switched off).
std::vector<double> tile_gate_voltages(const TileSpec& tile);

}  // namespace xbar

namespace xbar {
// Forgets the tables held in this process (tests: the next call reads the disk cache).
void clear_transistor_table_memo();
}  // namespace xbar
