// Transient co-simulation (analysis.type: tran): numerics on piecewise-linear
// signals, closed-form RC and energy cases through ngspice, batch windows,
// pulse-width charge, settling to the op result, outputs and config errors.
#include <doctest/doctest.h>

#include <cmath>
#include <sstream>

#include <fmt/format.h>

#include "config_loader/loader.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "report/transient_outputs.hpp"
#include "runner/run_job.hpp"
#include "runner/transient_job.hpp"
#include "support/close.hpp"
#include "support/run_helpers.hpp"

using namespace xbar;
using xbar::testing::all_close;
using xbar::testing::close;
using xbar::testing::config_from_yaml;
using xbar::testing::run_in_process;
using xbar::testing::shared_simulator;

namespace {

// A 1x1 tile: one driver, one cell of conductance g into a virtual ground.
std::string one_cell(double g, double v, const std::string& extra) {
  return fmt::format(
      "tile: {{rows: 1, cols: 1}}\nweights: {{source: constant, kind: conductance, value: {}}}\n"
      "inputs: {{source: constant, kind: voltage, value: {}}}\n{}",
      g, v, extra);
}

}  // namespace

TEST_CASE("piecewise-linear integrals are exact and clip to the interval") {
  const std::vector<double> t = {0, 1, 3};
  const std::vector<double> f = {0, 2, 2};  // ramp then flat
  const std::vector<double> g = {1, 1, 0};
  // f*g: on [0,1] 2t -> 1; on [1,3] 2*(1-(t-1)/2) -> integral 2.
  CHECK(close(integrate_product(t, f, g, 0, 3), 3.0, 1e-14, 0));
  CHECK(close(integrate(t, f, 0, 3), 5.0, 1e-14, 0));
  CHECK(close(integrate(t, f, 0.5, 2), 0.75 + 2.0, 1e-14, 0));  // 0.5..1 ramp: 0.75
  CHECK(close(sample_at(t, f, 0.25), 0.5, 1e-15, 0));
}

TEST_CASE("settling time of a sampled exponential") {
  std::vector<double> t, f;
  for (int k = 0; k <= 2000; ++k) {
    t.push_back(k * 1e-3);
    f.push_back(1 - std::exp(-t.back()));
  }
  // |f - f(2)| <= 0.01 f(2) from t = -ln(0.01 f(2) + e^-2) onwards.
  const double f_end = f.back();
  const double expected = -std::log(0.01 * f_end + std::exp(-2.0));
  CHECK(close(settling_time(t, f, 0, 2, 0.01), expected, 1e-7, 0));  // linear interpolation on a 1e-3 grid: 1.6e-8
  CHECK(std::isnan(settling_time(t, std::vector<double>(t.size(), 0.0), 0, 2, 0.01)));
}

TEST_CASE("driver waveforms: amplitude windows and equal-area pulses") {
  TileSpec tile;
  tile.rows = 1;
  tile.cols = 1;
  tile.inputs = {{0.2}, {0.1}, {0.0}};
  TranSpec tr;
  tr.settings.window = 10e-9;
  tr.settings.rise = 1e-9;
  tr.settings.fall = 2e-9;
  auto [t, v] = driver_waveform(tile, tr, 0);
  CHECK(close(pwl_value_at(t, v, 5e-9), 0.2, 1e-15, 0));
  CHECK(close(pwl_value_at(t, v, 11e-9), 0.15, 1e-15, 0));  // halfway down a 2 ns fall
  CHECK(close(pwl_value_at(t, v, 29e-9), 0.0, 0, 1e-18));
  tr.settings.encoding = TranEncoding::kPulseWidth;
  tr.settings.pulse_max = 6e-9;
  tr.pulse_amplitude = 0.2;
  std::tie(t, v) = driver_waveform(tile, tr, 0);
  // Pulse areas: V_i * pulse_max, whatever the edges (the 0.1 V pulse is
  // 3 ns wide, the 0.0 V one absent).
  std::vector<double> vv(v.begin(), v.end());
  CHECK(close(integrate(t, vv, 0, 10e-9), 0.2 * 6e-9, 1e-12, 0));
  CHECK(close(integrate(t, vv, 10e-9, 20e-9), 0.1 * 6e-9, 1e-12, 0));
  CHECK(close(integrate(t, vv, 20e-9, 30e-9), 0.0, 0, 1e-24));
  for (double x : v) CHECK(std::fabs(x) <= 0.2 + 1e-15);
}

TEST_CASE("one RC node follows its closed-form ramp response") {
  // Driver (ramp to V over tr) -> r_driver -> WL node with c_wl -> cell g ->
  // virtual ground.  v(t) = k V / tr (y(t) - y(t - tr)), y(t) = t - tau (1 - e^(-t/tau)),
  // k = Gd / (Gd + g), tau = C / (Gd + g); the column current is g v(t).
  const double g = 1e-3, V = 0.5, Rd = 1e3, C = 1e-12, tr = 0.2e-9;
  const double gd = 1 / Rd, k = gd / (gd + g), tau = C / (gd + g);  // tau = 0.5 ns
  const RunResult r = run_in_process(config_from_yaml(
      one_cell(g, V,
               fmt::format("parasitics: {{c_wl: {}}}\nperiphery: {{r_driver: {}}}\n"
                           "analysis: {{type: tran, tran: {{window: 5n, step: 0.01n, rise: {}, sample: 0.99}}}}\n"
                           "output: {{waveforms: [{{signal: i_col, col: 0}}, {{signal: v_wl, row: 0, col: 0}}]}}\n",
                           C, Rd, tr))));
  REQUIRE(r.transient);
  const auto& T = *r.transient;
  REQUIRE(T.waveforms.size() == 2);
  auto y = [&](double t) { return t <= 0 ? 0.0 : t - tau * (1 - std::exp(-t / tau)); };
  std::vector<double> v_hand;
  for (const double t : T.time) v_hand.push_back(k * V / tr * (y(t) - y(t - tr)));
  std::vector<double> i_hand = v_hand;
  for (double& i : i_hand) i *= g;
  // Each sample within 2e-3 of the final value (the integrator's error on the ramp's corners).
  CHECK(all_close(T.waveforms[0].values, i_hand, 0, 2e-3 * g * k * V));
  CHECK(all_close(T.waveforms[1].values, v_hand, 0, 2e-3 * k * V));
  // The 1 % settling time, from the window start: after the ramp v = k V (1 - A e^(-t/tau)),
  // A = tau/tr (e^(tr/tau) - 1); the band is 1 % of the value at the sample instant t_s
  // (0.99 of the window), so |v(t) - v(t_s)| = k V A (e^(-t/tau) - e^(-t_s/tau)) = 0.01 v(t_s).
  // (This test used to add tr to it and passed, 8 % off, under doctest::Approx's scale of 1.)
  // The crossing is interpolated linearly between time points 10 ps apart: rel 1e-4 (measured 2e-5).
  const double A = tau / tr * (std::exp(tr / tau) - 1), t_s = 0.99 * 5e-9;
  const double t_settle_expected = -tau * std::log(0.01 * (1 - A * std::exp(-t_s / tau)) / A + std::exp(-t_s / tau));
  CHECK(close(T.columns[0].t_settle, t_settle_expected, 1e-4, 0));
}

TEST_CASE("energy of a resistor driven by a ramp then a hold is the hand integral") {
  // E = g V^2 (W - 2 tr / 3): (V t / tr)^2 g over the ramp, g V^2 after it.
  const double g = 2e-4, V = 0.3, W = 10e-9, tr = 1e-9;
  const RunResult r = run_in_process(
      config_from_yaml(one_cell(g, V,
                                fmt::format("parasitics: {{r_wl: 0, r_bl: 0}}\n"
                                            "analysis: {{type: tran, tran: {{window: {}, step: 0.1n, rise: {}}}}}\n",
                                            W, tr))));
  REQUIRE(r.transient);
  const double expected = g * V * V * (W - 2 * tr / 3);
  MESSAGE("energy ", r.transient->vectors[0].energy(), " J, hand integral ", expected, " J");
  CHECK(close(r.transient->vectors[0].energy(), expected, 1e-6, 0));
  CHECK(r.transient->vectors[0].energy_sense == 0.0);
}

TEST_CASE("energy into a capacitor through a resistor: C V^2 from a step") {
  // A driver charging C through r_driver delivers C V^2 (half stored, half
  // burnt), plus nothing else: an absent cell (g = 0) and no bit-line path.
  const double V = 0.4, C = 2e-12, Rd = 500;
  const RunResult r = run_in_process(config_from_yaml(
      "tile: {rows: 1, cols: 1}\nweights: {source: constant, kind: conductance, value: 1e-12}\n" +
      fmt::format(
          "inputs: {{source: constant, kind: voltage, value: {}}}\nparasitics: {{c_wl: {}}}\n"
          "periphery: {{r_driver: {}}}\nanalysis: {{type: tran, tran: {{window: 20n, step: 0.02n, rise: 1p}}}}\n",
          V, C, Rd)));
  REQUIRE(r.transient);
  const double expected = C * V * V;  // tau = 1 ns: fully charged after 20 windows' worth of tau
  MESSAGE("RC charge energy ", r.transient->vectors[0].energy(), " J, C V^2 = ", expected, " J");
  CHECK(close(r.transient->vectors[0].energy(), expected, 2e-3, 0));
}

TEST_CASE("a batch of vectors runs as successive windows, each sampled in its own") {
  const double g = 1e-4;
  const RunResult r = run_in_process(config_from_yaml(
      fmt::format("tile: {{rows: 1, cols: 1}}\nweights: {{source: constant, kind: conductance, value: {}}}\n"
                  "inputs: {{source: file, file: {}/tests/data/tran_inputs.csv, kind: voltage}}\n"
                  "parasitics: {{c_wl: 1f, c_bl: 1f}}\nanalysis: {{type: tran, tran: {{window: 5n, step: 0.1n}}}}\n",
                  g, XBAR_SOURCE_DIR)));
  REQUIRE(r.transient);
  REQUIRE(r.transient->vectors.size() == 3);
  const double inputs[] = {0.1, 0.3, -0.2};
  for (int v = 0; v < 3; ++v) {
    CHECK(close(r.analysis.columns[v].i_ideal, g * inputs[v], 1e-12, 0));
    CHECK(close(*r.analysis.columns[v].i_spice, r.analysis.columns[v].i_ideal, 1e-4, 0));  // 2 ohm of wire
    CHECK(close(r.transient->vectors[v].t_start, v * 5e-9, 1e-12, 1e-21));
  }
  CHECK(close(r.transient->time.back(), 15e-9, 1e-12, 0));
}

TEST_CASE("pulse-width encoding: the column charge is proportional to the input") {
  // Two rows into one column, three vectors; q_j = sum_i g_ij * v_read * x_i * pulse_max.
  const RunResult r = run_in_process(config_from_yaml(fmt::format(
      "tile: {{rows: 2, cols: 1}}\nweights: {{source: constant, kind: conductance, value: 1e-4}}\n"
      "inputs: {{source: file, file: {}/tests/data/tran_pulse_inputs.csv, kind: normalized, v_read: 0.2}}\n"
      "parasitics: {{r_wl: 0, r_bl: 0, c_wl: 1f}}\n"
      "analysis: {{type: tran, tran: {{encoding: pulse_width, window: 20n, pulse_max: 10n, step: 0.1n}}}}\n",
      XBAR_SOURCE_DIR)));
  REQUIRE(r.transient);
  const double x[3][2] = {{1.0, 0.5}, {0.25, 0.0}, {0.05, 0.5}};  // 0.05: shorter than its edges
  for (int v = 0; v < 3; ++v) {
    const auto& c = r.transient->columns[v];
    const double q_hand = 1e-4 * 0.2 * (x[v][0] + x[v][1]) * 10e-9;
    CHECK(close(c.charge_ideal, q_hand, 1e-12, 0));
    CHECK(close(c.charge, q_hand, 1e-5, 0));
    CHECK(close(*r.analysis.columns[v].i_spice, q_hand / 10e-9, 1e-5, 0));
  }
  CHECK(close(r.analysis.metrics.max_rel_err, 0, 0, 1e-5));
}

TEST_CASE("a transient held long enough settles to the op result within 1e-4") {
  const std::string tile =
      "tile: {rows: 8, cols: 8}\nparasitics: {r_wl: 2, r_bl: 2, c_wl: 5f, c_bl: 5f}\n"
      "periphery: {r_driver: 50, sense: tia}\ninputs: {vectors: 2}\n";
  const RunResult op = run_in_process(config_from_yaml(tile));
  const RunResult tr = run_in_process(
      config_from_yaml(tile + "analysis: {type: tran, tran: {window: 20n, step: 0.2n, c_cell: 0.1f}}\n"));
  REQUIRE(tr.transient);
  std::vector<double> i_op, i_tr;
  for (std::size_t k = 0; k < op.analysis.columns.size(); ++k) {
    i_op.push_back(*op.analysis.columns[k].i_spice);
    i_tr.push_back(*tr.analysis.columns[k].i_spice);
  }
  CHECK(all_close(i_tr, i_op, 1e-4, 0));
  // TIA sensing: the amplifiers deliver energy too.
  CHECK(tr.transient->vectors[0].energy_sense != 0.0);
}

TEST_CASE("waveforms.csv has time then one column per signal, with units") {
  const RunResult r = run_in_process(config_from_yaml(
      one_cell(1e-4, 0.2,
               "parasitics: {c_wl: 1f}\nanalysis: {type: tran, tran: {window: 2n, step: 0.1n, rise: 0.1n}}\n"
               "output: {raw: true, waveforms: [{signal: i_col, col: 0}, {signal: v_wl, row: 0, col: 0}, "
               "{signal: i_driver, row: 0}, {signal: v_sense, col: 0}]}\n")));
  REQUIRE(r.transient);
  std::ostringstream csv;
  write_waveforms_csv(*r.transient, csv);
  const std::string text = csv.str();
  CHECK(text.substr(0, text.find('\n')) == "time [s],i_col:c0 [A],v_wl:r0c0 [V],i_driver:r0 [A],v_sense:c0 [V]");
  CHECK(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) == r.transient->time.size() + 1);
  // The driver's current equals the column current (no capacitance on the bit line, one cell)...
  // ...once the word line has charged.
  const auto& w = r.transient->waveforms;
  CHECK(close(w[2].values.back(), w[0].values.back(), 1e-6, 0));
  std::ostringstream raw;
  write_waveforms_raw(*r.transient, "t", raw);
  CHECK(raw.str().find("No. Variables: 5") != std::string::npos);
  // Only the needed vectors are saved.
  bool has_save = false;
  for (const auto& line : r.netlist) has_save |= line.rfind(".save", 0) == 0;
  CHECK(has_save);
}

TEST_CASE("transient config errors name their position") {
  auto message = [](const std::string& yaml) {
    try {
      Config c = config_from_yaml(yaml);
      RunContext ctx;
      ctx.simulator = &shared_simulator();
      run_job(c, ctx);
    } catch (const InputError& e) {
      return std::string(e.what());
    }
    return std::string();
  };
  CHECK(message("tile: {rows: 2, cols: 2}\noutput: {waveforms: [{signal: i_col, col: 5}]}\n").find("test.yaml:2:") !=
        std::string::npos);
  CHECK(message("tile: {rows: 2, cols: 2}\noutput: {waveforms: [{signal: i_driver, row: 0, col: 1}]}\n")
            .find("takes no 'col'") != std::string::npos);
  CHECK(message("tile: {rows: 2, cols: 2}\nanalysis:\n  type: tran\n  tran: {encoding: pulse_width, window: 10n, "
                "pulse_max: 10n}\n")
            .find("longer than the window") != std::string::npos);
  CHECK(message("tile: {rows: 2, cols: 2}\nanalysis: {type: tran, tran: {rise: 95n}}\n").find("sample instant") !=
        std::string::npos);
}

TEST_CASE("step settle time of a tile: the closed-form RC settling of one node") {
  // What `xbar network` reports as a layer's latency (network.latency:
  // transient): the same RC node as above, stepped by step_settle_time.
  const double g = 1e-3, V = 0.5, Rd = 1e3, C = 1e-12, tr = 0.2e-9;
  const double tau = C / (1 / Rd + g);
  const Config c =
      config_from_yaml(one_cell(g, V,
                                fmt::format("parasitics: {{c_wl: {}}}\nperiphery: {{r_driver: {}}}\n"
                                            "analysis: {{tran: {{window: 5n, step: 0.01n, rise: {}, sample: 0.99}}}}\n",
                                            C, Rd, tr)));
  const TileSpec tile = build_tile_spec(c);
  const double A = tau / tr * (std::exp(tr / tau) - 1), t_s = 0.99 * 5e-9;
  const double expected = -tau * std::log(0.01 * (1 - A * std::exp(-t_s / tau)) / A + std::exp(-t_s / tau));
  CHECK(close(step_settle_time(tile, {V}, c.analysis.tran, shared_simulator()), expected, 1e-4, 0));
  // Four times the capacitance: four times tau, in a window long enough to settle.
  TileSpec slow = tile;
  slow.c_wl = 4 * C;
  TranSettings s = c.analysis.tran;
  s.window = 20e-9;
  const double tau4 = 4 * tau, A4 = tau4 / tr * (std::exp(tr / tau4) - 1), t_s4 = 0.99 * 20e-9;
  const double expected4 = -tau4 * std::log(0.01 * (1 - A4 * std::exp(-t_s4 / tau4)) / A4 + std::exp(-t_s4 / tau4));
  CHECK(close(step_settle_time(slow, {V}, s, shared_simulator()), expected4, 1e-4, 0));
}
