#include "config_loader/schema.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <type_traits>

#include "config_loader/spice_number.hpp"

namespace xbar {
namespace {

// A generic accessor, usable on const and non-const Config.
#define XBAR_FIELD(member) \
  [](auto& c) -> auto& { return c.member; }

template <class T>
KeyValue to_key_value(const T& v) {
  if constexpr (std::is_same_v<T, CellKind>)
    return static_cast<long long>(v.index());  // registry order
  else if constexpr (std::is_enum_v<T> || (std::is_integral_v<T> && !std::is_same_v<T, bool>))
    return static_cast<long long>(v);
  else
    return KeyValue(v);
}

template <class T>
void from_key_value(T& out, const KeyValue& v) {
  if constexpr (std::is_same_v<T, CellKind>)
    out = CellKind::at(static_cast<int>(std::get<long long>(v)));
  else if constexpr (std::is_enum_v<T> || (std::is_integral_v<T> && !std::is_same_v<T, bool>))
    out = static_cast<T>(std::get<long long>(v));
  else
    out = std::get<T>(v);
}

template <class F>
KeyBinding bind(F field) {
  return {[field](Config& c, const KeyValue& v) { from_key_value(field(c), v); },
          [field](const Config& c) { return to_key_value(field(c)); }};
}

const char* levels_rule(double v) { return v == 1 ? "levels must be 0 (analog) or at least 2" : nullptr; }

// tile.cell: the registered kinds, in registry order (the enum value is the index).
std::vector<std::string_view> cell_kind_names() {
  std::vector<std::string_view> names;
  for (const CellKindInfo* k : cell_kinds()) names.emplace_back(k->name);
  return names;
}

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kMaxSeed = 9223372036854775807.0;  // seeds < 2^63

std::vector<KeyInfo> make_table() {
  using K = KeyType;
  return {
      {.path = "name",
       .type = K::kString,
       .help = "run name, used in outputs",
       .rule = StringRule::kName,
       .bind = bind(XBAR_FIELD(name))},

      {.path = "tile.rows",
       .type = K::kInt,
       .help = "word lines (inputs)",
       .min = 1,
       .max = 4096,
       .bind = bind(XBAR_FIELD(tile.rows))},
      {.path = "tile.cols",
       .type = K::kInt,
       .help = "bit lines (outputs)",
       .min = 1,
       .max = 4096,
       .bind = bind(XBAR_FIELD(tile.cols))},
      {.path = "tile.cell",
       .type = K::kEnum,
       .help = "cell structure",
       .allowed = cell_kind_names(),
       .bind = bind(XBAR_FIELD(tile.cell))},

      {.path = "device.model",
       .type = K::kString,
       .help = "device model (see `xbar models`)",
       .rule = StringRule::kIdentifier,
       .bind = bind(XBAR_FIELD(device.model))},
      {.path = "device.params",
       .type = K::kNumberMap,
       .help = "model parameter overrides (SI units)",
       .bind = bind(XBAR_FIELD(device.params))},
      {.path = "device.g_on",
       .type = K::kReal,
       .help = "conductance at weight 1 (S)",
       .min = 0,
       .min_open = true,
       .bind = bind(XBAR_FIELD(device.g_on))},
      {.path = "device.g_off",
       .type = K::kReal,
       .help = "conductance at weight 0 (S), below g_on",
       .min = 0,
       .bind = bind(XBAR_FIELD(device.g_off))},
      {.path = "device.levels",
       .type = K::kInt,
       .help = "0: analog; L >= 2: weights quantized to L levels",
       .min = 0,
       .max = 65536,
       .extra_check = levels_rule,
       .bind = bind(XBAR_FIELD(device.levels))},
      {.path = "device.variability.sigma",
       .type = K::kReal,
       .help = "lognormal spread: G = G0 exp(sigma N(0,1))",
       .min = 0,
       .max = 5,
       .bind = bind(XBAR_FIELD(device.variability_sigma))},
      {.path = "device.variability.seed",
       .type = K::kInt,
       .help = "seed of the variability draw",
       .min = 0,
       .max = kMaxSeed,
       .bind = bind(XBAR_FIELD(device.variability_seed))},
      {.path = "device.variability.stuck_on",
       .type = K::kReal,
       .help = "fraction of the cells stuck at g_on",
       .min = 0,
       .max = 1,
       .bind = bind(XBAR_FIELD(device.stuck_on))},
      {.path = "device.variability.stuck_off",
       .type = K::kReal,
       .help = "fraction of the cells stuck at g_off",
       .min = 0,
       .max = 1,
       .bind = bind(XBAR_FIELD(device.stuck_off))},

      {.path = "weights.source",
       .type = K::kEnum,
       .help = "where weights come from",
       .allowed = {"random", "constant", "file"},
       .bind = bind(XBAR_FIELD(weights.source))},
      {.path = "weights.seed",
       .type = K::kInt,
       .help = "seed for random weights",
       .min = 0,
       .max = kMaxSeed,
       .bind = bind(XBAR_FIELD(weights.seed))},
      {.path = "weights.value",
       .type = K::kReal,
       .help = "the weight of every cell for source: constant",
       .bind = bind(XBAR_FIELD(weights.value))},
      {.path = "weights.file",
       .type = K::kPath,
       .help = "for source: file: R lines of C comma-separated values",
       .bind = bind(XBAR_FIELD(weights.file))},
      {.path = "weights.kind",
       .type = K::kEnum,
       .help = "what the numbers mean",
       .allowed = {"weight", "conductance", "resistance"},
       .bind = bind(XBAR_FIELD(weights.kind))},

      {.path = "inputs.source",
       .type = K::kEnum,
       .help = "where input vectors come from",
       .allowed = {"random", "constant", "file"},
       .bind = bind(XBAR_FIELD(inputs.source))},
      {.path = "inputs.seed",
       .type = K::kInt,
       .help = "seed for random inputs",
       .min = 0,
       .max = kMaxSeed,
       .bind = bind(XBAR_FIELD(inputs.seed))},
      {.path = "inputs.value",
       .type = K::kReal,
       .help = "every input for source: constant",
       .bind = bind(XBAR_FIELD(inputs.value))},
      {.path = "inputs.file",
       .type = K::kPath,
       .help = "for source: file: one line per vector, R values each",
       .bind = bind(XBAR_FIELD(inputs.file))},
      {.path = "inputs.vectors",
       .type = K::kInt,
       .help = "number of input vectors",
       .min = 1,
       .max = 100000,
       .bind = bind(XBAR_FIELD(inputs.vectors))},
      {.path = "inputs.kind",
       .type = K::kEnum,
       .help = "normalized ([0,1] times v_read) or voltage (V)",
       .allowed = {"normalized", "voltage"},
       .bind = bind(XBAR_FIELD(inputs.kind))},
      {.path = "inputs.v_read",
       .type = K::kReal,
       .help = "read voltage (V) for normalized inputs",
       .min = -100,
       .max = 100,
       .bind = bind(XBAR_FIELD(inputs.v_read))},

      {.path = "parasitics.r_wl",
       .type = K::kReal,
       .help = "ohm per word-line segment",
       .min = 0,
       .bind = bind(XBAR_FIELD(parasitics.r_wl))},
      {.path = "parasitics.r_bl",
       .type = K::kReal,
       .help = "ohm per bit-line segment",
       .min = 0,
       .bind = bind(XBAR_FIELD(parasitics.r_bl))},
      {.path = "parasitics.c_wl",
       .type = K::kReal,
       .help = "F from each word-line node to ground",
       .min = 0,
       .bind = bind(XBAR_FIELD(parasitics.c_wl))},
      {.path = "parasitics.c_bl",
       .type = K::kReal,
       .help = "F from each bit-line node to ground",
       .min = 0,
       .bind = bind(XBAR_FIELD(parasitics.c_bl))},
      {.path = "parasitics.r_gl",
       .type = K::kReal,
       .help = "ohm per gate-line segment (1T1R, 2T2R)",
       .min = 0,
       .bind = bind(XBAR_FIELD(parasitics.r_gl))},
      {.path = "parasitics.r_sigma",
       .type = K::kReal,
       .help = "die-to-die spread of the wire resistances: r_wl, r_bl, r_gl times one exp(r_sigma N(0,1)) per tile",
       .min = 0,
       .max = 5,
       .bind = bind(XBAR_FIELD(parasitics.r_sigma))},
      {.path = "parasitics.r_segment_sigma",
       .type = K::kReal,
       .help = "segment-to-segment spread of the wire resistances: each r_wl, r_bl, r_gl segment times its own "
               "exp(r_segment_sigma N(0,1)), on top of r_sigma",
       .min = 0,
       .max = 5,
       .bind = bind(XBAR_FIELD(parasitics.r_segment_sigma))},
      {.path = "parasitics.tcr",
       .type = K::kReal,
       .help = "temperature coefficient of the wire resistance (1/K, about 20 C); default: bulk copper, 0.0039 (CRC "
               "Handbook)",
       .min = -0.1,
       .max = 0.1,
       .bind = bind(XBAR_FIELD(parasitics.tcr))},

      {.path = "periphery.r_driver",
       .type = K::kReal,
       .help = "row driver output resistance (ohm)",
       .min = 0,
       .bind = bind(XBAR_FIELD(periphery.r_driver))},
      {.path = "periphery.r_driver_sigma",
       .type = K::kReal,
       .help = "die-to-die spread of r_driver: times one exp(r_driver_sigma N(0,1)) per tile",
       .min = 0,
       .max = 5,
       .bind = bind(XBAR_FIELD(periphery.r_driver_sigma))},
      {.path = "periphery.r_sense",
       .type = K::kReal,
       .help = "resistance into each sense node (ohm)",
       .min = 0,
       .bind = bind(XBAR_FIELD(periphery.r_sense))},
      {.path = "periphery.sense",
       .type = K::kEnum,
       .help = "column sensing",
       .allowed = {"virtual_ground", "tia"},
       .bind = bind(XBAR_FIELD(periphery.sense))},
      {.path = "periphery.tia.gain",
       .type = K::kReal,
       .help = "TIA open-loop gain",
       .min = 0,
       .min_open = true,
       .bind = bind(XBAR_FIELD(periphery.tia_gain))},
      {.path = "periphery.tia.r_f",
       .type = K::kReal,
       .help = "TIA feedback resistor (ohm)",
       .min = 0,
       .min_open = true,
       .bind = bind(XBAR_FIELD(periphery.tia_r_f))},
      {.path = "periphery.adc.bits",
       .type = K::kInt,
       .help = "ADC resolution; 0: no quantization",
       .min = 0,
       .max = 24,
       .bind = bind(XBAR_FIELD(periphery.adc_bits))},

      {.path = "noise.enabled",
       .type = K::kBool,
       .help = "compute the output noise of every column (op)",
       .bind = bind(XBAR_FIELD(noise.enabled))},
      {.path = "noise.f_min",
       .type = K::kReal,
       .help = "noise band: lowest frequency (Hz), below f_max",
       .min = 0,
       .min_open = true,
       .bind = bind(XBAR_FIELD(noise.f_min))},
      {.path = "noise.f_max",
       .type = K::kReal,
       .help = "noise band: highest frequency (Hz), the bandwidth",
       .min = 0,
       .max = 1e12,
       .min_open = true,
       .bind = bind(XBAR_FIELD(noise.f_max))},
      {.path = "noise.shot_fano",
       .type = K::kReal,
       .help = "shot noise 2qF|I| of each memory device: F 0 ohmic devices, 1 barrier devices (a 1S1R selector's is "
               "always 1)",
       .min = 0,
       .max = 100,
       .bind = bind(XBAR_FIELD(noise.shot_fano))},
      {.path = "noise.read.q0",
       .type = K::kReal,
       .help = "1/f read noise (Q I)^2/f, Q = min(q0 (G/g_ref)^-exponent, q_max); 0: none; PCM 0.0088",
       .min = 0,
       .max = 10,
       .bind = bind(XBAR_FIELD(noise.read_q0))},
      {.path = "noise.read.exponent",
       .type = K::kReal,
       .help = "1/f read noise: conductance exponent",
       .min = -10,
       .max = 10,
       .bind = bind(XBAR_FIELD(noise.read_exponent))},
      {.path = "noise.read.g_ref",
       .type = K::kReal,
       .help = "1/f read noise: reference conductance (S)",
       .min = 0,
       .min_open = true,
       .bind = bind(XBAR_FIELD(noise.read_g_ref))},
      {.path = "noise.read.q_max",
       .type = K::kReal,
       .help = "1/f read noise: largest Q",
       .min = 0,
       .max = 10,
       .bind = bind(XBAR_FIELD(noise.read_q_max))},
      {.path = "noise.sense.e_n",
       .type = K::kReal,
       .help = "sense amplifier input voltage noise (V/sqrt(Hz))",
       .min = 0,
       .max = 1,
       .bind = bind(XBAR_FIELD(noise.sense_e_n))},
      {.path = "noise.sense.i_n",
       .type = K::kReal,
       .help = "sense amplifier input current noise (A/sqrt(Hz))",
       .min = 0,
       .max = 1,
       .bind = bind(XBAR_FIELD(noise.sense_i_n))},
      {.path = "noise.spice_check",
       .type = K::kBool,
       .help = "also run ngspice's .noise on every column and vector (noise_i_rms_spice)",
       .bind = bind(XBAR_FIELD(noise.spice_check))},

      {.path = "transistor.model",
       .type = K::kString,
       .help = "access transistor model (1T1R, 2T2R)",
       .rule = StringRule::kIdentifier,
       .bind = bind(XBAR_FIELD(transistor.model))},
      {.path = "transistor.w",
       .type = K::kReal,
       .help = "channel width (m)",
       .min = 0,
       .min_open = true,
       .bind = bind(XBAR_FIELD(transistor.w))},
      {.path = "transistor.l",
       .type = K::kReal,
       .help = "channel length (m)",
       .min = 0,
       .min_open = true,
       .bind = bind(XBAR_FIELD(transistor.l))},
      {.path = "transistor.v_gate",
       .type = K::kReal,
       .help = "gate voltage of selected rows (V)",
       .min = -100,
       .max = 100,
       .bind = bind(XBAR_FIELD(transistor.v_gate))},
      {.path = "transistor.include",
       .type = K::kPathList,
       .help = "extra model files (e.g. a foundry PDK)",
       .must_exist = true,
       .bind = bind(XBAR_FIELD(transistor.include))},
      {.path = "transistor.a_vt",
       .type = K::kReal,
       .help = "Pelgrom threshold mismatch: sigma(Vth) = a_vt / sqrt(W L) per transistor (V m; 3.5 mV um = 3.5e-9)",
       .min = 0,
       .max = 1e-6,
       .bind = bind(XBAR_FIELD(transistor.a_vt))},
      {.path = "transistor.a_beta",
       .type = K::kReal,
       .help =
           "Pelgrom current-factor mismatch: sigma(beta)/beta = a_beta / sqrt(W L) per transistor (m; 1 % um = 1e-8)",
       .min = 0,
       .max = 1e-5,
       .bind = bind(XBAR_FIELD(transistor.a_beta))},

      {.path = "selector.model",
       .type = K::kString,
       .help = "selector model of 1S1R cells (see `xbar models`)",
       .rule = StringRule::kIdentifier,
       .bind = bind(XBAR_FIELD(selector.model))},
      {.path = "selector.params",
       .type = K::kNumberMap,
       .help = "selector parameter overrides (SI units)",
       .bind = bind(XBAR_FIELD(selector.params))},

      {.path = "analysis.type",
       .type = K::kEnum,
       .help = "analysis to run",
       .allowed = {"op", "tran", "read"},
       .bind = bind(XBAR_FIELD(analysis.type))},
      {.path = "analysis.read.row",
       .type = K::kInt,
       .help = "read: the selected cell's row",
       .min = 0,
       .max = 4095,
       .bind = bind(XBAR_FIELD(analysis.read.row))},
      {.path = "analysis.read.col",
       .type = K::kInt,
       .help = "read: the selected cell's (logical) column",
       .min = 0,
       .max = 4095,
       .bind = bind(XBAR_FIELD(analysis.read.col))},
      {.path = "analysis.read.v_read",
       .type = K::kReal,
       .help = "read: voltage on the selected word line (V)",
       .min = -100,
       .max = 100,
       .bind = bind(XBAR_FIELD(analysis.read.v_read))},
      {.path = "analysis.read.bias",
       .type = K::kEnum,
       .help = "read: what drives the unselected lines",
       .allowed = {"floating", "grounded", "half", "third"},
       .bind = bind(XBAR_FIELD(analysis.read.bias))},
      {.path = "analysis.read.max_path_cells",
       .type = K::kInt,
       .help = "read: longest sneak path enumerated (cells)",
       .min = 1,
       .max = 9,
       .bind = bind(XBAR_FIELD(analysis.read.max_path_cells))},
      {.path = "analysis.read.top_paths",
       .type = K::kInt,
       .help = "read: sneak paths listed in read.json",
       .min = 0,
       .max = 10000,
       .bind = bind(XBAR_FIELD(analysis.read.top_paths))},
      {.path = "analysis.read.margin_target",
       .type = K::kReal,
       .help = "read: read margin for margin_ok = 1",
       .min = 0,
       .max = 1,
       .bind = bind(XBAR_FIELD(analysis.read.margin_target))},
      {.path = "analysis.tran.encoding",
       .type = K::kEnum,
       .help = "tran: input as a voltage level or a pulse width",
       .allowed = {"amplitude", "pulse_width"},
       .bind = bind(XBAR_FIELD(analysis.tran.encoding))},
      {.path = "analysis.tran.step",
       .type = K::kReal,
       .help = "tran: largest time step (s)",
       .min = 0,
       .min_open = true,
       .bind = bind(XBAR_FIELD(analysis.tran.step))},
      {.path = "analysis.tran.window",
       .type = K::kReal,
       .help = "tran: time per input vector (s)",
       .min = 0,
       .min_open = true,
       .bind = bind(XBAR_FIELD(analysis.tran.window))},
      {.path = "analysis.tran.sample",
       .type = K::kReal,
       .help = "tran: sample instant, fraction of the window",
       .min = 0,
       .max = 1,
       .min_open = true,
       .bind = bind(XBAR_FIELD(analysis.tran.sample))},
      {.path = "analysis.tran.rise",
       .type = K::kReal,
       .help = "tran: driver rise time (s)",
       .min = 0,
       .min_open = true,
       .bind = bind(XBAR_FIELD(analysis.tran.rise))},
      {.path = "analysis.tran.fall",
       .type = K::kReal,
       .help = "tran: driver fall time (s)",
       .min = 0,
       .min_open = true,
       .bind = bind(XBAR_FIELD(analysis.tran.fall))},
      {.path = "analysis.tran.pulse_max",
       .type = K::kReal,
       .help = "tran, pulse_width: pulse of a full-scale input (s)",
       .min = 0,
       .min_open = true,
       .bind = bind(XBAR_FIELD(analysis.tran.pulse_max))},
      {.path = "analysis.tran.settle",
       .type = K::kReal,
       .help = "tran: settling band, fraction of the final value",
       .min = 0,
       .max = 1,
       .min_open = true,
       .bind = bind(XBAR_FIELD(analysis.tran.settle))},
      {.path = "analysis.tran.c_cell",
       .type = K::kReal,
       .help = "tran: F across each cell",
       .min = 0,
       .bind = bind(XBAR_FIELD(analysis.tran.c_cell))},
      {.path = "analysis.tran.c_sense",
       .type = K::kReal,
       .help = "tran: F from each sense node to ground",
       .min = 0,
       .bind = bind(XBAR_FIELD(analysis.tran.c_sense))},
      {.path = "analysis.tran.save_cells",
       .type = K::kBool,
       .help = "tran: save every line node for cells.csv",
       .bind = bind(XBAR_FIELD(analysis.tran.save_cells))},

      {.path = "simulator.engine",
       .type = K::kEnum,
       .help = "which solver(s) run",
       .allowed = {"spice", "nodal", "both"},
       .bind = bind(XBAR_FIELD(simulator.engine))},
      {.path = "simulator.options",
       .type = K::kOptionMap,
       .help = "extra .options for ngspice",
       .max_entries = 32,
       .bind = bind(XBAR_FIELD(simulator.options))},
      {.path = "simulator.temperature",
       .type = K::kReal,
       .help = "temperature of the whole tile (C): transistors, device conductances, wires",
       .min = -200,
       .max = 400,
       .bind = bind(XBAR_FIELD(simulator.temperature))},

      {.path = "montecarlo.samples",
       .type = K::kInt,
       .help = "xbar montecarlo: number of samples",
       .min = 1,
       .max = 1000000,
       .bind = bind(XBAR_FIELD(montecarlo.samples))},
      {.path = "montecarlo.seed",
       .type = K::kInt,
       .help = "xbar montecarlo: the seed every sample's draws derive from",
       .min = 0,
       .max = kMaxSeed,
       .bind = bind(XBAR_FIELD(montecarlo.seed))},
      {.path = "montecarlo.sample",
       .type = K::kInt,
       .help = "run this config as Monte-Carlo sample k (draws from montecarlo.seed and k); -1: not a sample",
       .min = -1,
       .max = 999999,
       .bind = bind(XBAR_FIELD(montecarlo.sample))},
      {.path = "montecarlo.limits",
       .type = K::kNumberMap,
       .help = "xbar montecarlo: largest passing value of a metric, e.g. {max_rel_err: 0.05}",
       .bind = bind(XBAR_FIELD(montecarlo.limits))},
      {.path = "montecarlo.lower_limits",
       .type = K::kNumberMap,
       .help = "xbar montecarlo: smallest passing value of a metric, e.g. {read_margin: 0.5}",
       .bind = bind(XBAR_FIELD(montecarlo.lower_limits))},
      {.path = "montecarlo.confidence",
       .type = K::kReal,
       .help = "xbar montecarlo: confidence level of the yield interval (Clopper-Pearson)",
       .min = 0.5,
       .max = 1,
       .max_open = true,
       .bind = bind(XBAR_FIELD(montecarlo.confidence))},

      {.path = "network.train_images",
       .type = K::kPath,
       .help = "network: IDX training images (gzipped or plain)",
       .bind = bind(XBAR_FIELD(network.train_images))},
      {.path = "network.train_labels",
       .type = K::kPath,
       .help = "network: IDX training labels",
       .bind = bind(XBAR_FIELD(network.train_labels))},
      {.path = "network.test_images",
       .type = K::kPath,
       .help = "network: IDX test images",
       .bind = bind(XBAR_FIELD(network.test_images))},
      {.path = "network.test_labels",
       .type = K::kPath,
       .help = "network: IDX test labels",
       .bind = bind(XBAR_FIELD(network.test_labels))},
      {.path = "network.model",
       .type = K::kPath,
       .help = "network: trained xbar-mlp file; empty: train one",
       .bind = bind(XBAR_FIELD(network.model))},
      {.path = "network.layers_csv",
       .type = K::kPathList,
       .help = "network: CSV files weights, bias per layer",
       .must_exist = true,
       .bind = bind(XBAR_FIELD(network.layers_csv))},
      {.path = "network.hidden",
       .type = K::kInt,
       .help = "network: hidden layer width when training (0: none)",
       .min = 0,
       .max = 4096,
       .bind = bind(XBAR_FIELD(network.hidden))},
      {.path = "network.epochs",
       .type = K::kInt,
       .help = "network: training epochs",
       .min = 1,
       .max = 100,
       .bind = bind(XBAR_FIELD(network.epochs))},
      {.path = "network.batch",
       .type = K::kInt,
       .help = "network: training minibatch",
       .min = 1,
       .max = 60000,
       .bind = bind(XBAR_FIELD(network.batch))},
      {.path = "network.learning_rate",
       .type = K::kReal,
       .help = "network: Adam step size",
       .min = 0,
       .max = 1,
       .min_open = true,
       .bind = bind(XBAR_FIELD(network.learning_rate))},
      {.path = "network.seed",
       .type = K::kInt,
       .help = "network: training seed",
       .min = 0,
       .max = kMaxSeed,
       .bind = bind(XBAR_FIELD(network.seed))},
      {.path = "network.cache",
       .type = K::kPath,
       .help = "network: folder of trained networks",
       .bind = bind(XBAR_FIELD(network.cache))},
      {.path = "network.images",
       .type = K::kInt,
       .help = "network: test images run (0: all)",
       .min = 0,
       .max = 1000000,
       .bind = bind(XBAR_FIELD(network.images))},
      {.path = "network.calibration_images",
       .type = K::kInt,
       .help = "network: training images for the DAC/ADC ranges",
       .min = 1,
       .max = 1000000,
       .bind = bind(XBAR_FIELD(network.calibration_images))},
      {.path = "network.mapping",
       .type = K::kEnum,
       .help = "network: signed weights as column pairs or an offset column",
       .allowed = {"pair", "offset"},
       .bind = bind(XBAR_FIELD(network.mapping))},
      {.path = "network.dac.bits",
       .type = K::kInt,
       .help = "network: input DAC resolution (0: analog)",
       .min = 0,
       .max = 24,
       .bind = bind(XBAR_FIELD(network.dac_bits))},
      {.path = "network.adc.bits",
       .type = K::kInt,
       .help = "network: column ADC resolution (0: analog)",
       .min = 0,
       .max = 24,
       .bind = bind(XBAR_FIELD(network.adc_bits))},
      {.path = "network.spice_sample",
       .type = K::kInt,
       .help = "network: test images also solved by SPICE",
       .min = 0,
       .max = 10000,
       .bind = bind(XBAR_FIELD(network.spice_sample))},
      {.path = "network.read_window",
       .type = K::kReal,
       .help = "network: time of one tile read (s)",
       .min = 0,
       .min_open = true,
       .bind = bind(XBAR_FIELD(network.read_window))},
      {.path = "network.latency",
       .type = K::kEnum,
       .help = "network: latency per layer from the read window or from a transient of its worst-case tile "
               "(analysis.tran settings, parasitics.c_wl/c_bl)",
       .allowed = {"read_window", "transient"},
       .bind = bind(XBAR_FIELD(network.latency))},
      {.path = "network.adc.fom",
       .type = K::kReal,
       .help = "network: ADC Walden figure of merit (J per conversion step)",
       .min = 0,
       .bind = bind(XBAR_FIELD(network.adc_fom))},
      {.path = "network.dac.energy",
       .type = K::kReal,
       .help = "network: energy of one DAC conversion (J)",
       .min = 0,
       .bind = bind(XBAR_FIELD(network.dac_energy))},

      {.path = "output.dir", .type = K::kPath, .help = "output folder", .bind = bind(XBAR_FIELD(output.dir))},
      {.path = "output.cells",
       .type = K::kEnum,
       .help = "cells.csv: auto (all cells up to 1024x1024, else sample), all, none, or sample (at most 64 evenly "
               "spaced rows x 64 columns, the first and last included)",
       .allowed = {"auto", "all", "none", "sample"},
       .bind = bind(XBAR_FIELD(output.cells))},
      {.path = "output.raw",
       .type = K::kBool,
       .help = "tran: also write waveforms.raw (ngspice ASCII raw)",
       .bind = bind(XBAR_FIELD(output.raw))},
  };
}

#undef XBAR_FIELD

bool starts_with_section(std::string_view path, std::string_view section) {
  if (section.empty()) return true;
  return path.size() > section.size() && path.substr(0, section.size()) == section && path[section.size()] == '.';
}

}  // namespace

std::string_view KeyInfo::section() const {
  auto dot = path.rfind('.');
  return dot == std::string_view::npos ? std::string_view{} : path.substr(0, dot);
}

std::string_view KeyInfo::leaf() const {
  auto dot = path.rfind('.');
  return dot == std::string_view::npos ? path : path.substr(dot + 1);
}

const std::vector<KeyInfo>& config_keys() {
  static const std::vector<KeyInfo> table = make_table();
  return table;
}

const KeyInfo* find_key(std::string_view dotted) {
  for (const auto& k : config_keys())
    if (k.path == dotted) return &k;
  return nullptr;
}

bool is_section(std::string_view dotted) {
  for (const auto& k : config_keys())
    if (starts_with_section(k.path, dotted)) return true;
  return false;
}

std::vector<std::string> section_children(std::string_view dotted) {
  std::vector<std::string> out;
  for (const auto& k : config_keys()) {
    if (!starts_with_section(k.path, dotted)) continue;
    std::string_view rest = k.path.substr(dotted.empty() ? 0 : dotted.size() + 1);
    std::string child(rest.substr(0, rest.find('.')));
    if (std::find(out.begin(), out.end(), child) == out.end()) out.push_back(child);
  }
  return out;
}

std::string type_text(const KeyInfo& k) {
  switch (k.type) {
    case KeyType::kInt: return "integer";
    case KeyType::kReal: return "number";
    case KeyType::kString: return k.rule == StringRule::kName ? "name" : "identifier";
    case KeyType::kEnum: return fmt::format("{}", fmt::join(k.allowed, " | "));
    case KeyType::kBool: return "true | false";
    case KeyType::kPath: return "path";
    case KeyType::kPathList: return "list of paths";
    case KeyType::kNumberMap: return "map of identifier: number";
    case KeyType::kOptionMap: return "map of identifier: number or identifier";
  }
  return "?";
}

std::string range_text(const KeyInfo& k) {
  bool has_min = k.min > -kInf, has_max = k.max < kInf;
  std::string lo = format_number(k.min), hi = format_number(k.max);
  if (k.max == kMaxSeed) hi = "2^63";
  if (has_min && has_max && !k.min_open && !k.max_open) return fmt::format("{} .. {}", lo, hi);
  std::string out;
  if (has_min) out = fmt::format("{} {}", k.min_open ? ">" : ">=", lo);
  if (has_max) {
    if (!out.empty()) out += " and ";
    out += fmt::format("{} {}", (k.max_open || k.max == kMaxSeed) ? "<" : "<=", hi);
  }
  return out;
}

std::string value_text(const KeyInfo& k, const KeyValue& v) {
  return std::visit(
      [&k](const auto& x) -> std::string {
        using T = std::decay_t<decltype(x)>;
        if constexpr (std::is_same_v<T, bool>)
          return x ? "true" : "false";
        else if constexpr (std::is_same_v<T, long long>) {
          if (k.type == KeyType::kEnum && x >= 0 && static_cast<std::size_t>(x) < k.allowed.size())
            return std::string(k.allowed[static_cast<std::size_t>(x)]);
          return std::to_string(x);
        } else if constexpr (std::is_same_v<T, double>)
          return format_number(x);
        else if constexpr (std::is_same_v<T, std::string>)
          return x;
        else if constexpr (std::is_same_v<T, std::vector<std::string>>)
          return fmt::format("[{}]", fmt::join(x, ", "));
        else {
          std::string out = "{";
          for (const auto& [name, value] : x) {
            if (out.size() > 1) out += ", ";
            if constexpr (std::is_same_v<T, std::map<std::string, double>>)
              out += fmt::format("{}: {}", name, format_number(value));
            else
              out += fmt::format("{}: {}", name, value);
          }
          return out + "}";
        }
      },
      v);
}

std::string default_text(const KeyInfo& k) {
  static const Config defaults;
  return value_text(k, k.bind.get(defaults));
}

}  // namespace xbar
