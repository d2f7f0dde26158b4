#include "runner/noise_job.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "netlist_gen/circuit.hpp"
#include "noise/mosfet_point.hpp"
#include "noise/spice_noise.hpp"
#include "runner/run_job.hpp"

namespace xbar {

double tile_temperature_k(const Config& config) { return config.simulator.temperature + 273.15; }

NoiseOptions noise_options(const Config& c) {
  NoiseOptions o;
  o.f_min = c.noise.f_min;
  o.f_max = c.noise.f_max;
  o.temperature_k = tile_temperature_k(c);
  o.shot_fano = c.noise.shot_fano;
  o.read_q0 = c.noise.read_q0;
  o.read_exponent = c.noise.read_exponent;
  o.read_g_ref = c.noise.read_g_ref;
  o.read_q_max = c.noise.read_q_max;
  o.sense_e_n = c.noise.sense_e_n;
  o.sense_i_n = c.noise.sense_i_n;
  return o;
}

void check_noise_supported(const Config& c, Diagnostics& d) {
  if (!c.noise.enabled) return;
  if (c.analysis.type != AnalysisKind::kOp)
    d.error(c.where("noise.enabled"), fmt::format("noise is computed at the operating point of analysis 'op', not '{}'",
                                                  to_string(c.analysis.type)));
  // The factorisation grows faster than the tile (measured 512x512: 44 s
  // CPU, 1.3 GB): larger tiles are refused rather than run out of memory.
  const long long cells = static_cast<long long>(c.tile.rows) * c.tile.cols * c.tile.cell->columns_per_output();
  if (cells > kMaxNoiseCells)
    d.error(c.where("noise.enabled"),
            fmt::format("noise is computed for tiles of at most {} cells (512x512: 44 s CPU and 1.3 GB measured); this "
                        "tile has {}",
                        kMaxNoiseCells, cells));
}

std::vector<std::string> noise_band_warnings(const TileSpec& tile, const NoiseOptions& options) {
  std::vector<std::string> w;
  if (tile.c_wl > 0 || tile.c_bl > 0)
    w.push_back("noise: warning: the line capacitances are left out (the band is taken as below the lines' RC poles)");
  if (tile.access_transistors() && options.f_max >= kTransistorCapacitanceBand)
    w.push_back(
        fmt::format("noise: warning: the access transistors' capacitances are left out; at noise.f_max = {:g} Hz they "
                    "may matter (with "
                    "the bundled BSIM4 card a 4x3 tile's noise moved 1.9e-5 at 100 MHz and 1.8e-3 at 1 GHz; "
                    "noise.spice_check on a small tile measures it for this card)",
                    options.f_max));
  return w;
}

TileNoiseResult run_noise(const Config& config, const TileSpec& tile, const TileSolution& op, Simulator* sim) {
  TileNoiseResult r;
  r.options = noise_options(config);
  // The circuit of one input vector: the nodes and elements are the same for
  // every vector, and ngspice's .noise runs on a plain op point.
  auto circuit_of = [&](int v) {
    TileSpec one = tile;
    one.inputs = {tile.inputs.at(static_cast<std::size_t>(v))};
    return build_tile_circuit(one);
  };
  // A transistor tile's transistors as ngspice linearises them, per vector.
  std::vector<std::vector<MosfetPoint>> mosfets;
  if (tile.access_transistors()) {
    if (!sim) throw std::logic_error("noise on a transistor tile needs ngspice for the transistors' operating point");
    for (int v = 0; v < op.vectors; ++v) mosfets.push_back(mosfet_points(circuit_of(v), *sim, r.options));
  }
  r.columns = nodal_noise(tile, circuit_of(0), op, r.options, mosfets);
  if (!config.noise.spice_check || !sim) return r;
  double worst = 0;
  for (int v = 0; v < op.vectors; ++v) {
    const auto rms = spice_noise(tile, circuit_of(v), op, v, r.options, *sim);
    for (int j = 0; j < tile.cols; ++j) {
      const double nodal = std::sqrt(r.columns[static_cast<std::size_t>(v) * tile.cols + j].power());
      r.spice_rms.push_back(rms[static_cast<std::size_t>(j)]);
      worst = std::max(worst, std::fabs(rms[static_cast<std::size_t>(j)] - nodal) / rms[static_cast<std::size_t>(j)]);
    }
  }
  r.spice_vs_nodal = worst;
  return r;
}

std::optional<double> noise_snr_db(double signal, double rms) {
  if (signal == 0.0 || rms <= 0.0) return std::nullopt;
  return 20.0 * std::log10(std::fabs(signal) / rms);
}

double noise_enob(const TileSpec& tile, double rms) {
  const double span = tile.i_full_scale * (tile.cell->differential ? 2.0 : 1.0);
  return std::log2(span / (rms * std::sqrt(12.0)));
}

std::optional<double> noise_signal(const RunResult& r, std::size_t k) {
  const ColumnRecord& c = r.analysis.columns.at(k);
  return r.analysis.primary == "spice" ? c.i_spice : c.i_nodal;
}

NoiseSummary summarize_noise(const RunResult& r) {
  NoiseSummary s;
  for (std::size_t k = 0; k < r.noise->columns.size(); ++k) {
    const double rms = std::sqrt(r.noise->columns[k].power());
    s.max_i_rms = std::max(s.max_i_rms, rms);
    const auto i = noise_signal(r, k);
    if (const auto snr = i ? noise_snr_db(*i, rms) : std::nullopt; snr)
      s.min_snr_db = std::min(s.min_snr_db.value_or(*snr), *snr);
  }
  s.min_enob = noise_enob(r.tile, s.max_i_rms);
  return s;
}

}  // namespace xbar
