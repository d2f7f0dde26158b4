#include "runner/resource_guard.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>

#include <fmt/format.h>

#include "common/diagnostics.hpp"
#include "models/registry.hpp"
#include "netlist_gen/dynamic_cells.hpp"
#include "nodal/nodal_solver.hpp"
#include "runner/run_job.hpp"
#include "runner/write_pulses.hpp"

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
// Transient: bytes per saved value per time point, over the child (ngspice's
// vectors, the copy sent) and the parent (the copy received, the traces);
// measured 21-24 B.
constexpr double kBytesPerSavedValue = 32;
// runner/write_pulses.cpp: the write transient's largest step is the shortest
// pulse width / 20.
constexpr double kWriteStepsPerPulse = 20;

std::string gigabytes(double bytes) { return fmt::format("{:.3g} GB", bytes / 1e9); }

// The key that makes an op-like run large: vectors when they cost more than the tile.
std::string size_key(const Config& c, double tile_part, double vector_part) {
  if (vector_part > tile_part && c.origin.count("inputs.vectors")) return "inputs.vectors";
  if (c.origin.count("tile.rows") || !c.origin.count("tile.cols")) return "tile.rows";
  return "tile.cols";
}

std::string advice(const std::string& key) {
  if (key == "inputs.vectors") return "use fewer vectors";
  if (key == "analysis.tran.step") return "use a larger analysis.tran.step, a shorter window or fewer vectors";
  if (key == "analysis.tran.write") return "use fewer or longer write pulses";
  return "use a smaller tile";
}

bool dynamic_cells(const Config& c) {
  try {
    return find_dynamic_model(c.device.model, c.device.params).has_value();
  } catch (const std::exception&) {
    return false;  // a bad model is reported when the job builds its tile
  }
}

ResourceEstimate transient_estimate(const Config& c) {
  ResourceEstimate e = estimate_spice_resources(c.tile.rows, c.tile.cols, c.tile.cell, 1);  // the circuit
  e.vectors = std::max(c.inputs.vectors, 1);
  const double cells = static_cast<double>(e.cells), rows = c.tile.rows;
  const double phys_cols = static_cast<double>(e.cells) / std::max(c.tile.rows, 1);
  const auto& t = c.analysis.tran;
  // Saved: time, column and driver currents, the TIA outputs' voltage and
  // current, the waveforms, every line node (save_cells), every state (dynamic cells).
  const bool dynamic = dynamic_cells(c);
  const double read_points = e.vectors * t.window / t.step + 1;
  const double read_saved = 1 + rows + phys_cols + (c.periphery.sense == SenseKind::kTia ? 2 * phys_cols : 0) +
                            static_cast<double>(c.output.waveforms.size()) + (t.save_cells ? 2 * cells : 0) +
                            (dynamic ? cells : 0);
  double write_points = 0, write_saved = 0;
  if (!t.write.empty()) {
    double shortest = t.write.front().width;
    for (const auto& w : t.write) shortest = std::min(shortest, w.width);
    write_points = kWriteStepsPerPulse * write_phase_length(t.write) / shortest + 1;
    write_saved = 4 * cells + 2 * rows + 2 * phys_cols;  // everything: it saves no subset
  }
  const double read_bytes = read_points * read_saved * kBytesPerSavedValue;
  const double write_bytes = write_points * write_saved * kBytesPerSavedValue;
  const double tile_bytes = e.memory_bytes;
  // The two transients run one after the other, each in its own child.
  e.memory_bytes = tile_bytes + std::max(read_bytes, write_bytes);
  e.time_points = read_points + write_points;
  e.time_s *= e.time_points;  // one op solve per time point
  if (std::max(read_bytes, write_bytes) < tile_bytes)
    e.key = size_key(c, tile_bytes, 0);
  else
    e.key = read_bytes >= write_bytes ? "analysis.tran.step" : "analysis.tran.write";
  return e;
}

std::string describe(const Config& c, const ResourceEstimate& e) {
  std::string s =
      fmt::format("a {}x{} {} tile with {} vector(s)", c.tile.rows, c.tile.cols, to_string(c.tile.cell), e.vectors);
  if (e.time_points > 0) s += fmt::format(" and {:.3g} time points", e.time_points);
  return s;
}

}  // namespace

ResourceEstimate estimate_spice_resources(int rows, int cols, CellKind cell, int vectors) {
  ResourceEstimate e;
  // Any part beside the device (a transistor, a selector) adds a node and a
  // nonlinear element per cell: counted with the transistor tiles' fit.
  const bool transistor = cell->parts.size() > 1;
  const long long phys_cols = static_cast<long long>(cell->columns_per_output()) * cols;
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
  if (c.analysis.type == AnalysisKind::kTran) return transient_estimate(c);
  if (c.analysis.type == AnalysisKind::kRead) {
    // Three one-vector reads, one after another.
    ResourceEstimate e = estimate_spice_resources(c.tile.rows, c.tile.cols, c.tile.cell, 1);
    e.time_s *= 3;
    e.key = size_key(c, 1, 0);
    return e;
  }
  ResourceEstimate e = estimate_spice_resources(c.tile.rows, c.tile.cols, c.tile.cell, c.inputs.vectors);
  const double tile_part = static_cast<double>(e.cells) * kBytesPerCell;
  e.key = size_key(c, tile_part, e.memory_bytes - kBaseBytes - tile_part);
  return e;
}

ResourceEstimate estimate_nodal_resources(const Config& c) {
  ResourceEstimate e;
  const long long phys_cols = static_cast<long long>(c.tile.cell->columns_per_output()) * c.tile.cols;
  e.cells = static_cast<long long>(c.tile.rows) * phys_cols;
  e.vectors = std::max(c.inputs.vectors, 1);
  const int cols = static_cast<int>(phys_cols);
  // A model whose registry entry has a nonlinear law (or no entry), a
  // selector, or a real access transistor is counted with Newton's arrays.
  const bool transistors = c.tile.cell->has(CellPart::kAccessTransistor) && !ideal_access_switch(c);
  const ModelInfo* model = find_model(c.device.model);
  const bool linear_law = model != nullptr && model->read_law == nullptr;
  const bool linear = linear_law && !c.tile.cell->has(CellPart::kSelector) && !transistors;
  MismatchTables mismatch;
  if (transistors && (c.transistor.a_vt > 0 || c.transistor.a_beta > 0)) {
    const double root_area = std::sqrt(c.transistor.w * c.transistor.l);
    // Normalised inputs reach v_read; voltages given as such, up to 2 V counted.
    const double v_max = c.inputs.kind == InputKind::kNormalized ? c.inputs.v_read : 2.0;
    mismatch = mismatch_tables_bound(static_cast<double>(e.cells), c.transistor.a_vt / root_area,
                                     c.transistor.a_beta / root_area, v_max);
  }
  if (c.analysis.type == AnalysisKind::kRead) {
    // Three one-vector solves, one after another, and what the read job holds
    // beside the engine, in doubles per cell: the tile's conductances in four
    // copies (the input tile, the read tile, the LRS/HRS tile, the lowered
    // copy of the solve; g and g_intended each: 8), the three reads' v_wl,
    // v_bl and cell currents (9, twice with engine both: 18), the solution
    // being mapped (3), and the sneak-path graph (Boost adjacency list, ~10).
    // Measured at 1024x1024 1R: 309 MB peak against this count's 578 MB.
    constexpr double kReadDoublesPerCell = 8 + 18 + 3 + 10;
    e.vectors = 1;
    e.memory_bytes = nodal_memory_bytes(c.tile.rows, cols, 1, linear, transistors, mismatch) +
                     static_cast<double>(e.cells) * sizeof(double) * kReadDoublesPerCell;
    e.key = size_key(c, e.memory_bytes, 0);
    return e;
  }
  e.memory_bytes = nodal_memory_bytes(c.tile.rows, cols, e.vectors, linear, transistors, mismatch);
  // With engine both, the SPICE solution (v_wl, v_bl, and the junctions of
  // transistor cells) is held meanwhile.
  if (c.simulator.engine == EngineKind::kBoth)
    e.memory_bytes +=
        static_cast<double>(e.cells) * e.vectors * sizeof(double) * (c.tile.cell->parts.size() > 1 ? 3 : 2);
  const double one = nodal_memory_bytes(c.tile.rows, cols, 1, linear, transistors, mismatch);
  e.key = size_key(c, one, e.memory_bytes - one);
  return e;
}

double default_memory_limit_bytes() {
  const long pages = sysconf(_SC_PHYS_PAGES);
  const long page_size = sysconf(_SC_PAGE_SIZE);
  if (pages <= 0 || page_size <= 0) return 4e9;
  return 0.5 * static_cast<double>(pages) * static_cast<double>(page_size);
}

double memory_limit_from_option(double max_memory_gb) {
  return max_memory_gb < 0 ? default_memory_limit_bytes() : max_memory_gb * 1e9;
}

void check_resources(const Config& c, const ResourcePolicy& policy) {
  Diagnostics d;
  auto at = [&](const std::string& key) {
    SourcePos pos = c.where(key);
    return pos.line == 0 ? SourcePos{c.config_file, 1, 1} : pos;  // the size is a default
  };
  const bool memory_limited = policy.max_memory_bytes > 0;
  if (c.simulator.engine != EngineKind::kNodal) {
    const ResourceEstimate e = estimate_spice_resources(c);
    if (memory_limited && !(e.memory_bytes <= policy.max_memory_bytes))
      d.error(at(e.key),
              fmt::format("{} needs about {} in ngspice, above the limit of {}; {}, {}or raise the limit "
                          "with --max-memory GB",
                          describe(c, e), gigabytes(e.memory_bytes), gigabytes(policy.max_memory_bytes), advice(e.key),
                          c.analysis.type == AnalysisKind::kOp ? "the nodal engine (simulator.engine: nodal), " : ""));
    if (policy.time_limit_s > 0 && !(e.time_s <= policy.time_refusal_factor * policy.time_limit_s))
      d.error(at(e.key), fmt::format("{} takes about {:.3g} s in ngspice, far above the time limit of {} s; {}, or "
                                     "raise the limit with --time-limit S (0: none)",
                                     describe(c, e), e.time_s, policy.time_limit_s, advice(e.key)));
  }
  if (c.simulator.engine != EngineKind::kSpice) {
    const ResourceEstimate e = estimate_nodal_resources(c);
    if (memory_limited && !(e.memory_bytes <= policy.max_memory_bytes))
      d.error(at(e.key), fmt::format("{} needs about {} in the nodal engine, above the limit of {}; {}, or raise the "
                                     "limit with --max-memory GB",
                                     describe(c, e), gigabytes(e.memory_bytes), gigabytes(policy.max_memory_bytes),
                                     advice(e.key)));
  }
  if (!d.empty()) throw InputError(std::move(d));
}

}  // namespace xbar
