// Pelgrom mismatch of the access transistors: the draws reach SPICE as BSIM4's
// delvto and mulu0 and the nodal engine as tables characterised at those
// parameters, and the spread of a single 1T1R cell's current over 10,000
// cells is the first-order prediction from the cell's sensitivities on both.
#include <cmath>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "netlist_gen/circuit.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "nodal/nodal_solver.hpp"
#include "runner/spice_engine.hpp"
#include "support/close.hpp"
#include "support/run_helpers.hpp"
#include "support/table_cache.hpp"

using namespace xbar;
using namespace xbar::testing;

namespace {

// One word line of `cols` 1T1R cells with ideal wires: every column current
// is one cell's current at 0.2 V.
std::string row_of_cells(int cols, double a_vt, double a_beta, int seed) {
  return fmt::format(R"(
tile: {{rows: 1, cols: {}, cell: 1T1R}}
device: {{g_on: 1m, g_off: 1u, variability: {{seed: {}}}}}
weights: {{source: constant, value: 1}}
inputs: {{source: constant, value: 1, v_read: 0.2}}
parasitics: {{r_wl: 0, r_bl: 0}}
transistor: {{model: nmos, w: 0.5u, l: 0.1u, v_gate: 1.2, a_vt: {}, a_beta: {}}}
output: {{cells: none}}
)",
                     cols, seed, a_vt, a_beta);
}

std::vector<double> cell_currents(const TileSpec& t) {
  const Circuit c = build_tile_circuit(t);
  const TileSolution s = solve_with_spice(t, c, write_spice_netlist(c), shared_simulator());
  return s.column_current[0];
}

// The sample standard deviation.
double spread(const std::vector<double>& x) {
  double sum = 0, sum2 = 0;
  for (double v : x) sum += v;
  const double mean = sum / static_cast<double>(x.size());
  for (double v : x) sum2 += (v - mean) * (v - mean);
  return std::sqrt(sum2 / static_cast<double>(x.size() - 1));
}

}  // namespace

TEST_CASE("Pelgrom: the draws are N(0, a_vt / sqrt(W L)) and 1 + N(0, a_beta / sqrt(W L)), one per transistor") {
  const TileSpec t = build_tile_spec(config_from_yaml(row_of_cells(4000, 3.5e-9, 1e-8, 1)));
  REQUIRE(t.delta_vth.size() == 4000);
  REQUIRE(t.beta_factor.size() == 4000);
  const double root_area = std::sqrt(0.5e-6 * 0.1e-6);
  double s_vt = 0, s_b = 0;
  for (std::size_t k = 0; k < 4000; ++k) {
    s_vt += t.delta_vth[k] * t.delta_vth[k];
    s_b += (t.beta_factor[k] - 1) * (t.beta_factor[k] - 1);
  }
  // Standard deviation about the known mean 0: statistical error 1/sqrt(2n) = 1.1 %.
  CHECK(close(std::sqrt(s_vt / 4000), 3.5e-9 / root_area, 0.04, 0));
  CHECK(close(std::sqrt(s_b / 4000), 1e-8 / root_area, 0.04, 0));
  // The netlist carries them per instance.
  const auto netlist = write_spice_netlist(build_tile_circuit(t));
  const std::string want = fmt::format("delvto={:.17g} mulu0={:.17g}", t.delta_vth[7], t.beta_factor[7]);
  bool found = false;
  for (const auto& line : netlist)
    found = found || (line.rfind("mt0_7 ", 0) == 0 && line.find(want) != std::string::npos);
  CHECK(found);
  // No mismatch keys: no per-instance parameters at all.
  CHECK(build_tile_spec(config_from_yaml(row_of_cells(4, 0, 0, 1))).delta_vth.empty());
}

TEST_CASE(
    "Pelgrom: the cell current's spread over 10,000 single 1T1R cells is the first-order prediction, on SPICE and "
    "on the nodal engine, which matches SPICE cell by cell") {
  table_cache_dir();
  const double a_vt = 3.5e-9, a_beta = 1e-8;
  const double root_area = std::sqrt(0.5e-6 * 0.1e-6);
  const double sigma_vt = a_vt / root_area, sigma_beta = a_beta / root_area;  // 15.7 mV, 4.5 %
  // Sensitivities by central differences on four cells of one row.
  TileSpec probe = build_tile_spec(config_from_yaml(row_of_cells(4, 0, 0, 1)));
  const double h_vt = 1e-3, h_b = 1e-3;
  probe.delta_vth = {h_vt, -h_vt, 0, 0};
  probe.beta_factor = {1, 1, 1 + h_b, 1 - h_b};
  const std::vector<double> p = cell_currents(probe);
  const double di_dvt = (p[0] - p[1]) / (2 * h_vt), di_db = (p[2] - p[3]) / (2 * h_b);
  const double expected = std::hypot(di_dvt * sigma_vt, di_db * sigma_beta);
  CHECK(di_dvt < 0);  // a higher threshold passes less current
  CHECK(di_db > 0);

  // 10,000 cells: four rows of 2,500, each row its own seed.
  std::vector<double> spice, nodal;
  double worst = 0;
  for (int seed = 1; seed <= 4; ++seed) {
    const TileSpec t = build_tile_spec(config_from_yaml(row_of_cells(2500, a_vt, a_beta, seed)));
    const std::vector<double> s = cell_currents(t), n = solve_nodal(t).column_current[0];
    for (std::size_t k = 0; k < s.size(); ++k) worst = std::max(worst, std::abs(n[k] - s[k]) / t.i_full_scale);
    spice.insert(spice.end(), s.begin(), s.end());
    nodal.insert(nodal.end(), n.begin(), n.end());
  }
  const double n = static_cast<double>(spice.size());
  // The sample standard deviation's own error is sigma / sqrt(2 (n - 1)) =
  // 0.71 % at n = 10,000; 3 of those (2.1 %) bound the check.  The first-order
  // prediction's own error (curvature of I over +-3 sigma) is far below that.
  for (const auto& [engine, x] : {std::pair{"spice", &spice}, std::pair{"nodal", &nodal}}) {
    const double sigma = spread(*x);
    MESSAGE(fmt::format("{}: sigma {:.6g} A measured, {:.6g} A predicted ({:+.2f} %)", engine, sigma, expected,
                        100 * (sigma / expected - 1)));
    CHECK(close(sigma, expected, 3 / std::sqrt(2.0 * (n - 1)), 0));
  }
  // Cell by cell, both engines solve the same mismatched transistors.
  MESSAGE(fmt::format("nodal vs spice over 10,000 mismatched cells: worst {:.3g} of full scale", worst));
  CHECK(close(worst, 0, 0, 1e-5));
}

TEST_CASE("Pelgrom mismatch needs a card whose entry takes per-instance parameters: level 1 is refused by name") {
  std::string yaml = row_of_cells(2, 3.5e-9, 0, 1);
  const auto at = yaml.find("model: nmos,");
  REQUIRE(at != std::string::npos);
  yaml.replace(at, 12, "model: nmos_level1,");
  try {
    build_tile_spec(config_from_yaml(yaml));
    FAIL("level-1 card with a_vt accepted");
  } catch (const InputError& e) {
    const std::string msg = e.what();
    CHECK_MESSAGE(msg.find("transistor card 'nmos_level1' lacks; use 'nmos'") != std::string::npos, msg);
  }
  CHECK_NOTHROW(build_tile_spec(config_from_yaml(row_of_cells(2, 3.5e-9, 0, 1))));
}
