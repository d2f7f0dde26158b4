#pragma once
// The transient form of a tile (analysis.type: tran).  A transform of the op
// circuit: the same tile, with the row drivers turned into piecewise-linear
// sources that apply the input vectors one window after another, capacitors
// added at line, cell and sense nodes, and only the vectors the analysis needs
// kept by ngspice (`.save`).
#include <string>
#include <utility>
#include <vector>

#include "config_loader/config.hpp"
#include "netlist_gen/circuit.hpp"
#include "tile/waveform_signal.hpp"

namespace xbar {

using TranSettings = Config::Analysis::Tran;
using TranEncoding = Config::Analysis::Tran::Encoding;

struct TranSpec {
  TranSettings settings;
  // pulse_width: the fixed amplitude of every pulse (V); a pulse lasts
  // |V_i| / pulse_amplitude * pulse_max.
  double pulse_amplitude = 0.0;
  std::vector<WaveformSignal> waveforms;
  bool keep_all_voltages = false;  // cells.csv at the sample instant
  double stop_time(int vectors) const { return vectors * settings.window; }
  // Absolute time of vector k's sample instant.
  double sample_time(int k) const { return (k + settings.sample) * settings.window; }
};

// Transient settings from a validated config; timing that cannot work (an
// edge that ends after the sample instant, a pulse longer than its window)
// throws InputError at the offending key.
TranSpec make_tran_spec(const Config& config, const TileSpec& tile);

// The waveform of row driver `row` over every window: (times, volts),
// strictly increasing times from 0 to the stop time.
//  amplitude: each window ramps (rise or fall) from the previous vector's
//    level to V_i and holds it.
//  pulse_width: each window starts a pulse of the fixed amplitude (sign of
//    V_i) whose area is V_i * pulse_max; a trapezoid with the given edges, or
//    a lower triangle when the pulse is shorter than its edges.
std::pair<std::vector<double>, std::vector<double>> driver_waveform(const TileSpec& tile, const TranSpec& tran,
                                                                    int row);

// Linear interpolation of a piecewise-linear waveform (held flat outside).
double pwl_value_at(const std::vector<double>& t, const std::vector<double>& v, double time);

// How to read one signal from the simulator's vectors: scale * vector
// (an empty vector name is ground, 0 V).
struct SignalSource {
  std::string vector;
  double scale = 1.0;
};
SignalSource signal_source(const Circuit& c, const TileSpec& tile, const WaveformSignal& s);
// Column I_j, and the current delivered by row driver i (positive into the array).
SignalSource column_current_source(const Circuit& c, const TileSpec& tile, int phys_col);
SignalSource driver_current_source(const Circuit& c, int row);

// The sources whose energy counts for an MVM: every driver, and (TIA) every
// amplifier output.  `voltage`: the source's + node (empty: use the driver's
// known waveform of `row`); `branch`: its branch current vector.
struct EnergySource {
  std::string name;
  std::string voltage_node;  // empty for drivers (their waveform is known)
  std::string branch;        // "name#branch"
  int row = -1, col = -1;    // the driver row, or the amplifier's column
};
std::vector<EnergySource> energy_sources(const Circuit& c, const TileSpec& tile);

// The op circuit of the tile's first vector, transformed as described above.
// Throws std::invalid_argument on an empty tile (a caller bug).
Circuit make_transient_circuit(const TileSpec& tile, const TranSpec& tran);

// "tran STEP STOP 0 STEP": the largest step bounds the time points.
std::string transient_command(const TileSpec& tile, const TranSpec& tran);

// Appends a PWL point, dropping one that would not advance time (ngspice
// needs strictly increasing PWL times; an equal time replaces the value).
void append_pwl_point(std::vector<double>& t, std::vector<double>& v, double time, double value);

}  // namespace xbar
