#include "analysis/tile_analysis.hpp"

#include <algorithm>
#include <cmath>
#include <map>

#include <fmt/format.h>

#include "common/diagnostics.hpp"
#include "common/tolerance.hpp"
#include "tile/cell_current.hpp"

namespace xbar {

std::vector<std::vector<double>> ideal_phys_currents(const TileSpec& t) {
  const int PC = t.phys_cols();
  std::vector<std::vector<double>> out(t.vectors(), std::vector<double>(PC, 0.0));
  for (int v = 0; v < t.vectors(); ++v)
    for (int i = 0; i < t.rows; ++i) {
      const double vi = t.inputs[v][i];
      for (int j = 0; j < PC; ++j) out[v][j] += t.g_at(i, j) * vi;
    }
  return out;
}

std::vector<std::vector<double>> target_phys_currents(const TileSpec& t) {
  if (t.g_intended.size() != t.g.size()) return {};
  const int PC = t.phys_cols();
  std::vector<std::vector<double>> out(t.vectors(), std::vector<double>(PC, 0.0));
  for (int v = 0; v < t.vectors(); ++v)
    for (int i = 0; i < t.rows; ++i) {
      const double vi = t.inputs[v][i];
      for (int j = 0; j < PC; ++j) out[v][j] += t.g_intended[static_cast<std::size_t>(i) * PC + j] * vi;
    }
  return out;
}

std::vector<double> logical_outputs(const TileSpec& t, const std::vector<double>& phys) {
  if (!t.cell->differential) return phys;
  std::vector<double> out(t.cols);
  for (int j = 0; j < t.cols; ++j) out[j] = phys[t.plus_col(j)] - phys[t.minus_col(j)];
  return out;
}

namespace {

void require_finite(const std::vector<std::vector<double>>& m, const char* what, const std::string& engine) {
  for (std::size_t v = 0; v < m.size(); ++v)
    for (std::size_t k = 0; k < m[v].size(); ++k)
      if (!std::isfinite(m[v][k]))
        throw SimulationError(fmt::format("{} result has a non-finite {} (vector {}, index {})", engine, what, v, k));
}

double sum_abs(const std::vector<double>& x) {
  double s = 0;
  for (double a : x) s += std::fabs(a);
  return s;
}

}  // namespace

KclReport check_solution(const TileSpec& t, const TileSolution& s, double rel_tol) {
  const int PC = t.phys_cols();
  if (s.vectors != t.vectors() || s.rows != t.rows || s.phys_cols != PC)
    throw SimulationError(fmt::format("{} result has the wrong shape", s.engine));
  require_finite(s.column_current, "column current", s.engine);
  require_finite(s.array_current, "array current", s.engine);
  require_finite(s.driver_current, "driver current", s.engine);
  require_finite(s.v_wl, "word-line voltage", s.engine);
  require_finite(s.v_bl, "bit-line voltage", s.engine);
  require_finite(s.v_mid, "cell junction voltage", s.engine);

  KclReport r;
  // Absolute floor: currents far below anything a sense amplifier resolves.
  constexpr double kFloor = 1e-15;
  // Transistor tiles leak to ground through each transistor's junctions
  // (ngspice's gmin, 1e-12 S, across every pn junction), which no sense
  // node sees: allow that much absolute residual per cell.
  const double junction_leak = t.access_transistors() ? 2 * 1e-12 : 0.0;
  // Selector tiles carry femtoamps at low bias (the default selector passes
  // ~1e-15 A at 10 mV), the size of the simulator's roundoff on a line's
  // currents: eps times the stiffest line conductance times the input, per
  // node along the line.  Allowed as an absolute residual there.
  double g_line = 0;
  for (double r : {t.r_wl, t.r_bl, t.r_driver, t.r_sense})
    if (r > 0) g_line = std::max(g_line, 1 / r);
  const double roundoff = t.cell->has(CellPart::kSelector) ? 2.2e-16 * g_line : 0.0;
  for (int v = 0; v < s.vectors; ++v) {
    double vmax = 0;
    for (double x : t.inputs[v]) vmax = std::max(vmax, std::fabs(x));
    const double leak_floor = (junction_leak + roundoff) * vmax * std::max(t.rows, PC) / rel_tol;
    const double into = [&] {
      double a = 0;
      for (double x : s.driver_current[v]) a += x;
      return a;
    }();
    const double out = [&] {
      double a = 0;
      for (double x : s.array_current[v]) a += x;
      return a;
    }();
    const double scale = std::max({sum_abs(s.array_current[v]), kFloor / rel_tol, leak_floor * t.rows});
    r.worst_global = std::max(r.worst_global, std::fabs(into - out) / scale);
    // The cell current from its device law: across WL-BL for 1R, across
    // WL-M (device to transistor junction) for transistor tiles, whose gates
    // draw no DC current, so the same sums hold.  An ideal switch has no
    // junction: v_mid is empty and the device sits across WL-BL, as in 1R.
    const bool transistors = t.access_transistors();
    if (transistors && s.v_mid.size() != static_cast<std::size_t>(s.vectors)) continue;
    std::vector<double> col_sum(PC, 0.0), col_max(PC, 0.0);
    for (int i = 0; i < t.rows; ++i) {
      double row_sum = 0, row_max = 0;
      for (int j = 0; j < PC; ++j) {
        const std::size_t k = static_cast<std::size_t>(i) * PC + j;
        const double ic =
            cell_current(t, t.g_at(i, j), s.v_wl[v][k], s.v_wl[v][k] - s.device_voltage(v, k), s.v_bl[v][k]);
        col_sum[j] += ic;
        col_max[j] = std::max(col_max[j], std::fabs(ic));
        row_sum += ic;
        row_max = std::max(row_max, std::fabs(ic));
      }
      const double scale_row = std::max({std::fabs(s.driver_current[v][i]), row_max, kFloor / rel_tol, leak_floor});
      r.worst_row = std::max(r.worst_row, std::fabs(row_sum - s.driver_current[v][i]) / scale_row);
    }
    for (int j = 0; j < PC; ++j) {
      const double scale_col = std::max({std::fabs(s.array_current[v][j]), col_max[j], kFloor / rel_tol, leak_floor});
      r.worst_column = std::max(r.worst_column, std::fabs(col_sum[j] - s.array_current[v][j]) / scale_col);
    }
  }
  const double worst = std::max({r.worst_global, r.worst_column, r.worst_row});
  if (!(worst <= rel_tol))
    throw SimulationError(fmt::format(
        "{} result fails the KCL check: residual {:.3g} relative (global {:.3g}, per column {:.3g}, per row {:.3g}; "
        "limit {:.3g})",
        s.engine, worst, r.worst_global, r.worst_column, r.worst_row, rel_tol));
  return r;
}

double adc_quantize(double i, double full_scale, int bits) {
  if (bits <= 0 || full_scale <= 0) return i;
  const double levels = std::ldexp(1.0, bits - 1) - 1;  // codes -levels..levels
  const double lsb = full_scale / levels;
  const double code = std::clamp(std::round(i / lsb), -levels, levels);
  return code * lsb;
}

namespace {

// Worst and mean of a running set of values.
struct WorstMean {
  double worst = 0, sum = 0;
  std::size_t n = 0;
  void add(double x) {
    worst = std::max(worst, x);
    sum += x;
    ++n;
  }
  std::optional<double> max() const { return n ? std::optional(worst) : std::nullopt; }
  std::optional<double> mean() const { return n ? std::optional(sum / static_cast<double>(n)) : std::nullopt; }
};

// RMS(sim - ref) / max|ref| over one vector's columns, worst vector.
struct WorstNrmse {
  double sq = 0, max_ref = 0, worst = 0;
  bool any = false;
  void add(double sim, double ref) {
    sq += (sim - ref) * (sim - ref);
    max_ref = std::max(max_ref, std::fabs(ref));
  }
  void close_vector(int cols) {
    if (max_ref > 0) {
      worst = std::max(worst, std::sqrt(sq / cols) / max_ref);
      any = true;
    }
    sq = max_ref = 0;
  }
  std::optional<double> value() const { return any ? std::optional(worst) : std::nullopt; }
};

}  // namespace

void score_columns(const TileSpec& t, TileAnalysis& a) {
  Metrics& m = a.metrics;
  const bool nodal_primary = a.primary == "nodal";
  WorstMean rel, fs, rel_target, adc;
  WorstNrmse nrmse, nrmse_target;
  int last_vector = -1;
  auto close_vector = [&] {
    nrmse.close_vector(t.cols);
    nrmse_target.close_vector(t.cols);
  };
  for (ColumnRecord& rec : a.columns) {
    const std::optional<double>& out = nodal_primary ? rec.i_nodal : rec.i_spice;
    if (!out) continue;
    if (rec.vector != last_vector && last_vector >= 0) close_vector();
    last_vector = rec.vector;
    const double y = *out;
    nrmse.add(y, rec.i_ideal);
    if (rec.i_ideal != 0.0) {
      rec.rel_err = relative_difference(rec.i_ideal, y);
      rel.add(std::fabs(*rec.rel_err));
    }
    if (t.i_full_scale > 0) fs.add(std::fabs(y - rec.i_ideal) / t.i_full_scale);
    if (rec.i_target) {
      nrmse_target.add(y, *rec.i_target);
      if (*rec.i_target != 0.0) rel_target.add(std::fabs(relative_difference(*rec.i_target, y)));
    }
    if (t.adc_bits > 0) {
      rec.i_adc = adc_quantize(y, t.i_full_scale, t.adc_bits);
      if (rec.i_ideal != 0.0) adc.add(std::fabs(relative_difference(rec.i_ideal, *rec.i_adc)));
    }
  }
  if (last_vector < 0) return;
  close_vector();
  m.max_rel_err = rel.worst;
  m.mean_rel_err = rel.mean().value_or(0.0);
  m.nrmse = nrmse.worst;
  m.max_err_fs = fs.max();
  m.mean_err_fs = fs.mean();
  m.max_rel_err_target = rel_target.max();
  m.mean_rel_err_target = rel_target.mean();
  m.nrmse_target = nrmse_target.value();
  if (t.adc_bits > 0) m.adc_max_rel_err = adc.worst;
}

std::optional<double> spice_vs_nodal(const std::vector<ColumnRecord>& columns) {
  std::map<int, double> max_spice;  // per vector
  for (const ColumnRecord& c : columns)
    if (c.i_spice && c.i_nodal) max_spice[c.vector] = std::max(max_spice[c.vector], std::fabs(*c.i_spice));
  if (max_spice.empty()) return std::nullopt;
  double worst = 0;
  for (const ColumnRecord& c : columns)
    if (c.i_spice && c.i_nodal) {
      // Relative to the column, floored at 1e-9 of the vector's largest column.
      const double scale = std::max(std::fabs(*c.i_spice), 1e-9 * max_spice[c.vector]);
      if (scale > 0) worst = std::max(worst, std::fabs(*c.i_spice - *c.i_nodal) / scale);
    }
  return worst;
}

TileAnalysis analyze_tile(const TileSpec& t, const TileSolution* spice, const TileSolution* nodal) {
  TileAnalysis a;
  const TileSolution* primary = spice ? spice : nodal;
  a.primary = primary ? primary->engine : "";
  const auto ideal = ideal_phys_currents(t);
  const auto target = target_phys_currents(t);
  Metrics& m = a.metrics;
  for (int v = 0; v < t.vectors(); ++v) {
    const auto ideal_l = logical_outputs(t, ideal[v]);
    const auto target_l = target.empty() ? std::vector<double>{} : logical_outputs(t, target[v]);
    std::vector<double> spice_l, nodal_l;
    if (spice) spice_l = logical_outputs(t, spice->column_current[v]);
    if (nodal) nodal_l = logical_outputs(t, nodal->column_current[v]);
    for (int j = 0; j < t.cols; ++j) {
      ColumnRecord rec;
      rec.vector = v;
      rec.col = j;
      rec.i_ideal = ideal_l[j];
      if (!target_l.empty()) rec.i_target = target_l[j];
      if (spice) rec.i_spice = spice_l[j];
      if (nodal) rec.i_nodal = nodal_l[j];
      a.columns.push_back(rec);
    }
  }
  score_columns(t, a);
  m.spice_vs_nodal = spice_vs_nodal(a.columns);
  if (primary) {
    // IR drop: the voltage a cell loses against the ideal (V_i across it).
    WorstMean drop, drop_v_abs;
    const int PC = t.phys_cols();
    for (int v = 0; v < t.vectors(); ++v) {
      // Relative to the vector's largest input: a fraction of a tiny input
      // voltage says nothing about the array.
      double vmax = 0;
      for (double x : t.inputs[v]) vmax = std::max(vmax, std::fabs(x));
      for (int i = 0; i < t.rows; ++i) {
        const double vi = t.inputs[v][i];
        for (int j = 0; j < PC; ++j) {
          if (t.g_at(i, j) <= 0) continue;
          const std::size_t k = static_cast<std::size_t>(i) * PC + j;
          const double drop_v = vi - primary->device_voltage(v, k);
          drop_v_abs.add(std::fabs(drop_v));
          if (vmax > 0.0) drop.add(std::fabs(drop_v) / vmax);
        }
      }
    }
    m.max_ir_drop = drop.max();
    m.mean_ir_drop = drop.mean();
    m.max_ir_drop_v = drop_v_abs.max();
  }
  return a;
}

}  // namespace xbar
