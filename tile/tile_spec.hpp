#pragma once
// The typed description of one crossbar tile: everything an engine needs to
// build or solve the circuit, with every number resolved (conductances placed,
// input voltages computed).  Both engines start from this, so they can only
// disagree about the solution, never about the circuit (docs/circuit.md).
#include <cmath>
#include <map>
#include <string>
#include <vector>

#include "tile/device_law.hpp"
#include "tile/tile_kinds.hpp"

namespace xbar {

// The cell's device as both engines see it: its registry name and its
// read-mode law (at a frozen state for a dynamic model), built by the model
// registry (models/device_laws.hpp).
struct CellModel {
  std::string name = "linear";  // registry name
  DeviceLaw law;                // linear unless the registry entry sets one
  // Conductance drift factor already applied to TileSpec::g (PCM: (t/t0)^-nu;
  // 1 for models without drift).  Kept for reports.
  double drift_factor = 1.0;
  // exp(tcg (T - 27 C)) of the model's temperature coefficient at
  // simulator.temperature, also already applied to TileSpec::g.
  double temperature_factor = 1.0;
  // Current through a cell of small-signal conductance g at voltage v, and
  // dI/dV there: both engines evaluate them per cell per Newton step.
  DeviceLaw::Point at(double g, double v) const { return law.at(g, v); }
  double current(double g, double v) const { return law.current(g, v); }
  double conductance(double g, double v) const { return law.conductance(g, v); }
  bool linear() const { return law.linear(); }
  // Applies the drift and temperature factors to placed conductances: the
  // one place both the tile builder and the network mapping take them from.
  void scale_placed(std::vector<double>& g) const {
    if (drift_factor != 1.0)
      for (double& gv : g) gv *= drift_factor;
    if (temperature_factor != 1.0)
      for (double& gv : g) gv *= temperature_factor;
  }
};

// The access transistor of 1T1R/2T2R cells: drain at the device, source at the
// bit line, gate on the row's gate line, bulk at ground.
struct TransistorSpec {
  std::string model = "nmos";  // SPICE name of the .model or .subckt (lower case)
  double w = 0.5e-6, l = 0.1e-6, v_gate = 1.2;
  std::vector<std::string> include;  // the user's files (transistor.include), absolute
  // Every file the netlist must include for `model`: the project's card from
  // models/ or the user's files.  Resolved when the tile is built.
  std::vector<std::string> model_files;
  bool subckt = false;  // `model` is a .subckt (a PDK wrapper): X instances
  // The registry's `ideal` switch: gate on = 0 ohm, so a cell is the device
  // alone between WL(i,j) and BL(i,j) and no transistor or gate line is built.
  // Every gate is on (v_gate and r_gl are not used; row_on must stay empty).
  bool ideal = false;
  // Rows whose gate line is driven at v_gate; the others at 0 V (gate off).
  // Empty: every row on.
  std::vector<bool> row_on;
  bool row_is_on(int i) const { return row_on.empty() || row_on[static_cast<std::size_t>(i)]; }
};

// The selector of a 1S1R cell, in series with the device: a two-terminal law
// (tile/device_law.hpp) at the selector's conductance at 0 V.  Both come from
// the registry's selector entry when the tile is built (`sinh_selector`:
// I = i0 sinh(V / v0), i.e. the sinh law with g = i0 / v0).
struct SelectorSpec {
  std::string model;  // registry name; empty for kinds without a selector
  DeviceLaw law;
  double g = 0;  // S, conductance at 0 V
  DeviceLaw::Point at(double v) const { return law.at(g, v); }
  double current(double v) const { return law.current(g, v); }
  double conductance(double v) const { return law.conductance(g, v); }
};

struct TileSpec {
  std::string name;
  int rows = 0;   // word lines (inputs)
  int cols = 0;   // logical columns (outputs)
  CellKind cell;  // 1R by default
  int phys_cols() const { return cell->columns_per_output() * cols; }
  // Physical column of logical column j: j for one column per output; 2j
  // (plus) and 2j+1 (minus) for a differential kind.
  int plus_col(int j) const { return cell->differential ? 2 * j : j; }
  int minus_col(int j) const { return 2 * j + 1; }
  // The circuit holds access transistors (a kind with one, with a real
  // transistor model).  False for the ideal switch, whose cells are the
  // device alone.
  bool access_transistors() const { return cell->has(CellPart::kAccessTransistor) && !transistor.ideal; }
  // The parts the circuit places per cell: the kind's, without the ideal
  // switch (0 ohm, so WL - device - BL).
  std::vector<CellPart> cell_parts() const {
    std::vector<CellPart> parts;
    for (CellPart p : cell->parts)
      if (p != CellPart::kAccessTransistor || !transistor.ideal) parts.push_back(p);
    return parts;
  }
  // Every cell has a junction node below its device (two parts in series).
  bool inner_node() const { return cell_parts().size() > 1; }

  // Conductance at 0 V of cell (i, pj), row-major rows x phys_cols, in S.
  // 0 is an absent cell.  These are the values placed in the netlist.
  std::vector<double> g;
  double g_at(int i, int pj) const { return g[static_cast<std::size_t>(i) * phys_cols() + pj]; }
  // The conductances the weights ask for: weights mapped to g_off..g_on (or
  // the file's conductances) before quantization, variability and drift.
  // Same layout as g; the target product uses them.
  std::vector<double> g_intended;
  // A: the largest |output| a column can carry, every row at the full-scale
  // input V_fs into a cell at the full-scale conductance: rows x G_fs x V_fs.
  // V_fs: inputs.v_read (normalized inputs) or the largest |input| (voltage
  // inputs); G_fs: g_on (weights; g_on - g_off for 2T2R, whose output is
  // I+ - I-), or the largest intended conductance of a conductance or
  // resistance file (largest minus smallest for 2T2R).
  double i_full_scale = 0;
  // Data-file values that parse but look wrong ("file:line:col: warning: ...").
  std::vector<std::string> warnings;
  CellModel model;

  // Driver source voltages, one vector per input vector, each `rows` long.
  std::vector<std::vector<double>> inputs;
  int vectors() const { return static_cast<int>(inputs.size()); }

  double r_wl = 0, r_bl = 0, r_gl = 0, c_wl = 0, c_bl = 0;
  // Segment-to-segment spread of the wires: factors on r_wl, r_bl, r_gl per
  // segment, rows x phys_cols like g, entry (i, j) the segment that ends at
  // cell (i, j) (word and gate line: from (i, j-1); bit line: from (i-1, j));
  // empty: every segment at its nominal value.
  std::vector<double> r_wl_factor, r_bl_factor, r_gl_factor;
  double r_wl_at(int i, int j) const { return r_wl * segment_factor(r_wl_factor, i, j); }
  double r_bl_at(int i, int j) const { return r_bl * segment_factor(r_bl_factor, i, j); }
  double r_gl_at(int i, int j) const { return r_gl * segment_factor(r_gl_factor, i, j); }
  double segment_factor(const std::vector<double>& f, int i, int j) const {
    return f.empty() ? 1.0 : f[static_cast<std::size_t>(i) * phys_cols() + j];
  }
  double r_driver = 0, r_sense = 0;
  SenseKind sense = SenseKind::kVirtualGround;
  double tia_gain = 1e4, tia_r_f = 1e3;
  int adc_bits = 0;
  TransistorSpec transistor;
  SelectorSpec selector;  // kinds with a selector part
  // Pelgrom mismatch of the access transistor of cell (i, pj), rows x
  // phys_cols like g; empty: none.  delta_vth adds to the threshold (V);
  // beta_factor multiplies the current factor (SPICE: BSIM4's delvto and
  // mulu0 instance parameters).
  std::vector<double> delta_vth;
  std::vector<double> beta_factor;
  std::map<std::string, std::string> spice_options;  // extra .options
  double temperature = 27.0;                         // C, of the whole tile
};

}  // namespace xbar
