#include "runner/resource_guard.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "common/diagnostics.hpp"

namespace xbar {
namespace {

// Fitted constants (see resource_guard.hpp and RESOURCES.md).
constexpr double kBaseBytes = 20.0 * 1024 * 1024;
constexpr double kBytesPerCell = 7200;
constexpr double kBytesPerCellVectorFirst = 950;  // vectors 2..20
constexpr double kBytesPerCellVectorMore = 100;   // vectors beyond 20
constexpr double kTimeCoefficient = 1.71e-7;
constexpr double kTimeExponent = 1.574;
constexpr double kTimePerExtraVector = 0.3;  // of the first vector's time
constexpr double kTransistorMemoryFactor = 2.0;
constexpr double kTransistorTimeFactor = 2.5;

std::string gigabytes(double bytes) { return fmt::format("{:.2f} GB", bytes / 1e9); }

// The key that makes the run large: vectors when they cost more than the tile.
std::string culprit_key(const Config& c, const ResourceEstimate& e) {
  const double tile_part = static_cast<double>(e.cells) * kBytesPerCell;
  const double vector_part = e.memory_bytes - kBaseBytes - tile_part;
  if (vector_part > tile_part && c.origin.count("inputs.vectors")) return "inputs.vectors";
  if (c.origin.count("tile.rows") || !c.origin.count("tile.cols")) return "tile.rows";
  return "tile.cols";
}

}  // namespace

ResourceEstimate estimate_spice_resources(int rows, int cols, CellKind cell, int vectors) {
  ResourceEstimate e;
  const bool transistor = cell != CellKind::k1R;
  const long long phys_cols = cell == CellKind::k2T2R ? 2LL * cols : cols;
  e.cells = static_cast<long long>(std::max(rows, 0)) * std::max(phys_cols, 0LL);
  e.vectors = std::max(vectors, 1);
  const double cells = static_cast<double>(e.cells);
  const double extra = e.vectors - 1.0;
  const double per_cell = kBytesPerCell + kBytesPerCellVectorFirst * std::min(extra, 19.0) +
                          kBytesPerCellVectorMore * std::max(extra - 19.0, 0.0);
  e.memory_bytes = kBaseBytes + cells * per_cell * (transistor ? kTransistorMemoryFactor : 1.0);
  e.time_s = kTimeCoefficient * std::pow(cells, kTimeExponent) * (1 + kTimePerExtraVector * extra) *
             (transistor ? kTransistorTimeFactor : 1.0);
  return e;
}

ResourceEstimate estimate_spice_resources(const Config& c) {
  return estimate_spice_resources(c.tile.rows, c.tile.cols, c.tile.cell, c.inputs.vectors);
}

double default_memory_limit_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return 4e9;
  return 0.5 * static_cast<double>(pages) * static_cast<double>(page_size);
}

void check_spice_resources(const Config& c, const ResourcePolicy& policy) {
  const ResourceEstimate e = estimate_spice_resources(c);
  const std::string size = fmt::format("a {}x{} {} tile with {} vector(s)", c.tile.rows, c.tile.cols,
                                       to_string(c.tile.cell), e.vectors);
  SourcePos at = c.where(culprit_key(c, e));
  if (at.line == 0) at = SourcePos{c.config_file, 1, 1};  // the size is a default
  Diagnostics d;
  if (policy.max_memory_bytes > 0 && e.memory_bytes > policy.max_memory_bytes)
    d.error(at,
            fmt::format("{} needs about {} in ngspice, above the limit of {}; use a smaller tile or fewer "
                        "vectors, the nodal engine (simulator.engine: nodal), or raise the limit with "
                        "--max-memory GB",
                        size, gigabytes(e.memory_bytes), gigabytes(policy.max_memory_bytes)));
  if (policy.time_limit_s > 0 && e.time_s > policy.time_refusal_factor * policy.time_limit_s)
    d.error(at,
            fmt::format("{} takes about {:.0f} s in ngspice, far above the time limit of {} s; raise it "
                        "with --time-limit S (0: none)",
                        size, e.time_s, policy.time_limit_s));
  if (!d.empty()) throw InputError(std::move(d));
}

}  // namespace xbar
