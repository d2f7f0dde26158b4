#pragma once
// What an engine returns for a tile: the solved node voltages and currents of
// every input vector, in tile coordinates.  Both engines (SPICE, nodal) fill
// the same structure, so analysis and reports never depend on the engine.
#include <string>
#include <vector>

namespace xbar {

struct TileSolution {
  std::string engine;  // "spice" or "nodal"
  int vectors = 0, rows = 0, phys_cols = 0;
  // [vector][physical column]: I_j per docs/circuit.md (virtual ground: the
  // current from the array into S_j; tia: -V_out,j / r_f).
  std::vector<std::vector<double>> column_current;
  // [vector][physical column]: the current flowing from the array into S_j
  // (through r_sense).  Equals column_current for virtual-ground sensing.
  std::vector<std::vector<double>> array_current;
  // [vector][i * phys_cols + j]: word-line and bit-line voltage at cell (i, j).
  std::vector<std::vector<double>> v_wl, v_bl;
  // 1T1R/2T2R only, [vector][i * phys_cols + j]: voltage of the junction
  // between device and access transistor (0 where the cell is absent).
  // Empty for 1R tiles.
  std::vector<std::vector<double>> v_mid;
  // [vector][row]: current delivered into the array by driver i.
  std::vector<std::vector<double>> driver_current;
  std::string simulator_version;      // e.g. "ngspice-46"
  std::string log;                    // the simulator's own output for this job
  std::vector<std::string> warnings;  // the simulator's warning lines for this job
  double elapsed_s = 0.0;

  // Sets the shape and zero-fills every array (v_mid too when `with_mid`).
  void allocate(int n_vectors, int n_rows, int n_phys_cols, bool with_mid) {
    vectors = n_vectors, rows = n_rows, phys_cols = n_phys_cols;
    const std::size_t cells = static_cast<std::size_t>(n_rows) * n_phys_cols;
    column_current.assign(n_vectors, std::vector<double>(n_phys_cols));
    array_current.assign(n_vectors, std::vector<double>(n_phys_cols));
    v_wl.assign(n_vectors, std::vector<double>(cells));
    v_bl.assign(n_vectors, std::vector<double>(cells));
    v_mid.assign(with_mid ? n_vectors : 0, std::vector<double>(cells));
    driver_current.assign(n_vectors, std::vector<double>(n_rows));
  }

  // Voltage across the memory device of cell k = i * phys_cols + j: WL - BL
  // for 1R, WL - junction for transistor tiles.
  double device_voltage(int vector, std::size_t k) const {
    const double low = v_mid.empty() ? v_bl[vector][k] : v_mid[vector][k];
    return v_wl[vector][k] - low;
  }
};

}  // namespace xbar
