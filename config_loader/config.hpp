#pragma once
// The typed, validated configuration (docs/config.md).  Produced only by
// load_config(); every field holds its resolved value (defaults filled in,
// suffixes applied, paths made absolute).  `origin` keeps where each dotted
// key came from so later stages (data files, models) can report positions.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/diagnostics.hpp"
#include "config_loader/sweep_spec.hpp"
#include "tile/tile_kinds.hpp"
#include "tile/waveform_signal.hpp"

namespace xbar {

enum class Source { kRandom, kConstant, kFile };
enum class WeightKind { kWeight, kConductance, kResistance };
enum class InputKind { kNormalized, kVoltage };
enum class AnalysisKind { kOp, kTran, kRead };
enum class EngineKind { kSpice, kNodal, kBoth };
// Read mode: what drives the unselected lines (selected WL at V, selected BL
// sensed at 0 V).  floating: undriven; grounded: 0; half: V/2 on every
// unselected line; third: V/3 on unselected WLs, 2V/3 on unselected BLs.
enum class ReadBias { kFloating, kGrounded, kHalf, kThird };
// Which cells cells.csv holds (report/cell_selection.hpp).
enum class CellsOutput { kAuto, kAll, kNone, kSample };

const char* to_string(AnalysisKind);
const char* to_string(EngineKind);

struct Config {
  std::string config_file;  // as given on the command line
  std::string name = "xbar";

  struct Tile {
    int rows = 64;
    int cols = 64;
    CellKind cell;  // 1R by default
  } tile;

  struct Device {
    std::string model = "linear";
    std::map<std::string, double> params;  // model parameter overrides (SI units)
    double g_on = 100e-6;
    double g_off = 1e-6;
    int levels = 0;
    double variability_sigma = 0.0;
    unsigned long long variability_seed = 1;
    // Fractions of the present cells stuck at g_on and at g_off (drawn per cell).
    double stuck_on = 0.0, stuck_off = 0.0;
  } device;

  struct Weights {
    Source source = Source::kRandom;
    unsigned long long seed = 1;
    double value = 1.0;
    std::string file;  // absolute path when source == file
    WeightKind kind = WeightKind::kWeight;
  } weights;

  struct Inputs {
    Source source = Source::kRandom;
    unsigned long long seed = 2;
    double value = 1.0;
    std::string file;
    int vectors = 1;
    InputKind kind = InputKind::kNormalized;
    double v_read = 0.2;
  } inputs;

  struct Parasitics {
    double r_wl = 1.0, r_bl = 1.0, c_wl = 0.0, c_bl = 0.0, r_gl = 0.0;
    // Die-to-die lognormal spread of every wire resistance (one factor per tile).
    double r_sigma = 0.0;
    // Segment-to-segment lognormal spread: each wire segment its own factor.
    double r_segment_sigma = 0.0;
    // Temperature coefficient of the wires' resistance, 1/K, about 20 C.
    double tcr = 0.0039;
  } parasitics;

  struct Periphery {
    double r_driver = 0.0;
    double r_driver_sigma = 0.0;  // die-to-die lognormal spread of r_driver
    double r_sense = 0.0;
    SenseKind sense = SenseKind::kVirtualGround;
    double tia_gain = 1e4;
    double tia_r_f = 1e3;
    int adc_bits = 0;
  } periphery;

  struct Transistor {
    std::string model = "nmos";
    double w = 0.5e-6, l = 0.1e-6, v_gate = 1.2;
    std::vector<std::string> include;  // absolute paths
    // Pelgrom mismatch coefficients: sigma(Vth) = a_vt / sqrt(W L) (V m),
    // sigma(beta)/beta = a_beta / sqrt(W L) (m), per transistor instance.
    double a_vt = 0.0, a_beta = 0.0;
  } transistor;

  struct Selector {  // tile.cell: 1S1R
    std::string model = "sinh_selector";
    std::map<std::string, double> params;  // model parameter overrides (SI units)
  } selector;

  struct Analysis {
    AnalysisKind type = AnalysisKind::kOp;
    struct Read {            // analysis.type: read
      int row = 0, col = 0;  // the selected cell
      double v_read = 0.2;   // V on the selected word line
      ReadBias bias = ReadBias::kHalf;
      int max_path_cells = 3;      // sneak-path enumeration: longest path, in cells
      int top_paths = 10;          // paths listed in read.json
      double margin_target = 0.5;  // read_margin at or above this: margin_ok = 1
    } read;
    struct Tran {  // analysis.type: tran (times in s, capacitances in F)
      enum class Encoding { kAmplitude, kPulseWidth };
      Encoding encoding = Encoding::kAmplitude;
      double step = 1e-9;               // largest time step
      double window = 100e-9;           // time per input vector
      double sample = 0.9;              // sample instant, fraction of the window
      double rise = 1e-9, fall = 1e-9;  // driver edges
      double pulse_max = 50e-9;         // pulse_width: pulse width of a full-scale input
      double settle = 0.01;             // settling band, fraction of the final value
      double c_cell = 0.0;              // across each cell
      double c_sense = 0.0;             // from each sense node to ground
      bool save_cells = false;          // save every line node: cells.csv at the sample instant
      // analysis.tran.write: pulse trains applied before the read windows
      // (dynamic cell models), in list order (runner/write_pulses.hpp).
      struct WritePulse {
        int row = 0, col = 0;  // the selected cell (physical column)
        double v = 0;          // V on its word line (its bit line at 0, the rest at v/2)
        double width = 0;      // flat top of each pulse, s
        int count = 1;         // pulses in the train
        double period = 0;     // pulse start to pulse start, s
        SourcePos pos;         // where the user wrote it
      };
      std::vector<WritePulse> write;
    } tran;
  } analysis;

  struct Simulator {
    EngineKind engine = EngineKind::kSpice;
    std::map<std::string, std::string> options;  // extra .options, validated
    double temperature = 27.0;                   // C, of the whole tile (ngspice's default TEMP and TNOM)
  } simulator;

  struct Output {
    std::string dir = "out/xbar";  // absolute after loading
    // tran: the signals written to waveforms.csv (the `output.waveforms` list),
    // and whether they also go to a raw file for waveform viewers.
    std::vector<WaveformSignal> waveforms;
    bool raw = false;
    CellsOutput cells = CellsOutput::kAuto;
  } output;

  // The `noise:` section: output noise of every column at the operating
  // point (noise/, README "Noise").
  struct Noise {
    bool enabled = false;
    double f_min = 1.0, f_max = 1e6;  // the band, Hz
    double shot_fano = 0.0;           // shot noise 2 q F |I| of each cell current
    double read_q0 = 0.0, read_exponent = 0.65, read_g_ref = 25e-6, read_q_max = 0.2;  // 1/f read noise
    double sense_e_n = 0.0;    // amplifier input voltage noise, V/sqrt(Hz)
    double sense_i_n = 0.0;    // amplifier input current noise, A/sqrt(Hz)
    bool spice_check = false;  // also run ngspice's .noise on every column
  } noise;

  // The `network:` section: a classifier mapped onto tiles of this config
  // (`xbar network`, network/README.md).
  struct Network {
    std::string train_images = "/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz";
    std::string train_labels = "/usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz";
    std::string test_images = "/usr/share/datasets/fashion-mnist/t10k-images-idx3-ubyte.gz";
    std::string test_labels = "/usr/share/datasets/fashion-mnist/t10k-labels-idx1-ubyte.gz";
    std::string model;                    // an xbar-mlp file; empty: train (or layers_csv)
    std::vector<std::string> layers_csv;  // weights, bias, weights, bias, ...
    int hidden = 256, epochs = 4, batch = 128;
    double learning_rate = 1e-3;
    unsigned long long seed = 1;
    std::string cache = "out/network-cache";  // trained networks, by seed and hyper-parameters
    int images = 0;                           // test images run (0: all)
    int calibration_images = 1000;            // training images that set the DAC/ADC ranges
    int mapping = 0;                          // 0: pair, 1: offset
    int dac_bits = 8, adc_bits = 8;
    int spice_sample = 0;        // test images also run through SPICE
    double read_window = 10e-9;  // s per tile read
    int latency = 0;             // 0: read_window per layer, 1: settle time of a transient of the worst-case tile
    double adc_fom = 5e-15;      // Walden figure of merit, J per conversion step
    double dac_energy = 10e-15;  // J per DAC conversion (per driven row)
  } network;

  // The `montecarlo:` section (`xbar montecarlo`): how many samples, their
  // seed and the limits the yield is counted against.  `sample` >= 0 makes
  // this config that sample: every variability stream is then drawn from
  // (seed, sample) instead of device.variability.seed.
  struct MonteCarlo {
    int samples = 100;
    unsigned long long seed = 1;
    long long sample = -1;
    std::map<std::string, double> limits;        // metric: largest passing value
    std::map<std::string, double> lower_limits;  // metric: smallest passing value
    double confidence = 0.95;
  } montecarlo;

  // The `sweep:` section (read by the sweep module); empty when absent.
  std::optional<SweepSpec> sweep;

  // Where each dotted key was set (config file position, or the --set
  // argument).  Keys left at their defaults have no entry.
  std::map<std::string, SourcePos> origin;
  SourcePos where(const std::string& dotted_key) const;
};

}  // namespace xbar
