#pragma once
// Write pulse trains on dynamic cells (analysis.tran.write), run before the
// read windows of a transient job.
//
// Scheme (V/2): during a pulse of amplitude v on cell (r, c), word line r is
// driven at v and bit line c at 0 V; every other word and bit line at v/2, so
// the selected cell sees v, the half-selected cells of row r and column c see
// v/2 and the rest 0 V.  Every line ramps with the tran rise/fall edges and
// returns to 0 V between pulses.  Bit lines are driven through their sense
// sources, so writes need `periphery.sense: virtual_ground`.  The trains run
// one after another in list order, in their own transient (largest step a
// twentieth of the shortest pulse, gear, uic); each cell's final state is the
// initial state of the read transient, whose ideal reference uses the
// conductances of those states.
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "netlist_gen/dynamic_cells.hpp"
#include "netlist_gen/transient_circuit.hpp"
#include "spice_bridge/simulator.hpp"

namespace xbar {

using WritePulse = Config::Analysis::Tran::WritePulse;

struct WrittenCell {
  WritePulse train;
  double t_start = 0, t_end = 0;             // the train in the write transient, s
  double state_before = 0, state_after = 0;  // the model's state (x, or gap in nm)
  double g_before = 0, g_after = 0;          // conductance at 0 V, S
};

// What a transient with dynamic cells adds to the result.
struct DynamicRun {
  std::string model, state_param, state_unit;
  // rows x phys_cols states: initial (from the weights), after the writes,
  // after the reads.  Absent cells hold the state's lower bound.
  std::vector<double> states_initial, states_written, states_read;
  std::vector<WrittenCell> writes;
  // Largest |state change| of a cell no write selected (write disturb), and
  // of any cell over the read windows (read disturb).
  double max_unselected_write_change = 0;
  double max_read_state_change = 0;
  // The write transient (empty without writes).
  std::string write_command;
  std::vector<std::string> write_netlist;
  std::size_t write_time_points = 0;
  double write_time_s = 0, write_spice_elapsed_s = 0;
  std::vector<std::string> write_warnings;  // the simulator's, for the write transient
};

// Waveforms of the write phase (times from 0): word line `row` and bit line
// `col` of the tile (physical column).
std::pair<std::vector<double>, std::vector<double>> write_line_waveform(const std::vector<WritePulse>& writes,
                                                                        const TranSettings& s, bool word_line,
                                                                        int index);
// Total length of the write phase, s.
double write_phase_length(const std::vector<WritePulse>& writes);

// Checks the writes against the tile and the tran settings (pulse and edges
// inside the period, virtual-ground sensing, a dynamic model); throws
// InputError at the offending write.
void check_writes(const Config& config, bool dynamic_model);

// The write-phase circuit: the tile with the V/2 line waveforms and dynamic
// cells at `states`, saving every state node.
Circuit make_write_circuit(const TileSpec& tile, const TranSpec& tran, const DynamicModel& m,
                           const std::vector<double>& states, const std::vector<WritePulse>& writes);

// Dynamic cells in a (read) transient circuit at `states`, and `.save` of
// every state node so the read disturb is measured.
void make_cells_dynamic(Circuit& c, const TileSpec& tile, const DynamicModel& m, const std::vector<double>& states);

// Final value of each present cell's state vector in `r` (rows x phys_cols;
// absent cells keep `fallback`).
std::vector<double> final_states(const SimResult& r, const TileSpec& tile, const std::vector<double>& fallback);

// Runs the writes of `config` on `tile` (whose conductances give the initial
// states), fills `run`, and updates tile.g to the written states.
void run_write_phase(const Config& config, TileSpec& tile, const TranSpec& tran, const DynamicModel& m, Simulator& sim,
                     DynamicRun& run);

}  // namespace xbar
