// Ideal reference, metrics, result checks and the KLU warning.
#include <doctest/doctest.h>

#include <cmath>
#include <string>
#include <vector>

#include "analysis/tile_analysis.hpp"
#include "runner/klu_check.hpp"
#include "support/close.hpp"

using namespace xbar;
using xbar::testing::close;

namespace {

TileSpec tile_2x2() {
  TileSpec t;
  t.rows = 2;
  t.cols = 2;
  t.g = {1e-5, 2e-5, 3e-5, 4e-5};
  t.inputs = {{0.1, 0.2}};
  return t;
}

// An exact solution of tile_2x2 without wire resistance: every cell sees V_i.
TileSolution exact_solution(const TileSpec& t) {
  TileSolution s;
  s.engine = "test";
  s.vectors = 1;
  s.rows = 2;
  s.phys_cols = 2;
  s.v_wl = {{0.1, 0.1, 0.2, 0.2}};
  s.v_bl = {{0, 0, 0, 0}};
  const auto ideal = ideal_phys_currents(t);
  s.column_current = ideal;
  s.array_current = ideal;
  s.driver_current = {{0.1 * 3e-5, 0.2 * 7e-5}};
  return s;
}

struct Capture : Reporter {
  std::vector<std::string> warnings;
  void warning(std::string_view w) override { warnings.emplace_back(w); }
};

struct FakeSimulator : Simulator {
  bool klu = false;
  int probes = 0;
  std::string version() override { return "ngspice-39"; }
  bool has_klu() override {
    ++probes;
    return klu;
  }
  SimResult run(const std::vector<std::string>&, const std::string&) override { return {}; }
};

}  // namespace

TEST_CASE("ideal MVM uses the placed conductances and driver voltages") {
  const TileSpec t = tile_2x2();
  const auto ideal = ideal_phys_currents(t);
  CHECK(close(ideal[0][0], 0.1 * 1e-5 + 0.2 * 3e-5, 1e-15, 0));
  CHECK(close(ideal[0][1], 0.1 * 2e-5 + 0.2 * 4e-5, 1e-15, 0));
}

TEST_CASE("2T2R logical outputs are I+ minus I-") {
  TileSpec t;
  t.rows = 1;
  t.cols = 2;
  t.cell = cell_kind("2T2R");
  const auto out = logical_outputs(t, {5.0, 2.0, 1.0, 4.0});
  CHECK(out == std::vector<double>{3.0, -3.0});
}

TEST_CASE("the result check accepts an exact solution and rejects broken ones") {
  const TileSpec t = tile_2x2();
  const TileSolution good = exact_solution(t);
  const KclReport r = check_solution(t, good);
  CHECK(close(r.worst_global, 0, 0, 1e-15));
  CHECK(close(r.worst_column, 0, 0, 1e-15));

  TileSolution leak = good;
  leak.array_current[0][1] *= 1.001;  // a column current KCL cannot explain
  CHECK_THROWS_AS(check_solution(t, leak), SimulationError);

  TileSolution nan = good;
  nan.v_wl[0][2] = std::nan("");
  CHECK_THROWS_AS(check_solution(t, nan), SimulationError);

  TileSolution shape = good;
  shape.vectors = 2;
  CHECK_THROWS_AS(check_solution(t, shape), SimulationError);
}

TEST_CASE("metrics: relative error, nrmse and IR drop of a known deviation") {
  const TileSpec t = tile_2x2();
  TileSolution s = exact_solution(t);
  const auto ideal = ideal_phys_currents(t);
  s.column_current[0][0] = ideal[0][0] * 0.9;  // -10 %
  s.v_wl[0][0] = 0.09;                         // 0.01 V lost at cell (0,0)
  const TileAnalysis a = analyze_tile(t, &s, nullptr);
  CHECK(a.primary == "test");
  CHECK(close(a.columns[0].rel_err.value(), -0.1, 1e-12, 0));
  CHECK(close(a.columns[1].rel_err.value(), 0.0, 0, 1e-15));
  CHECK(close(a.metrics.max_rel_err, 0.1, 1e-12, 0));
  CHECK(close(a.metrics.mean_rel_err, 0.05, 1e-12, 0));
  const double d = 0.1 * ideal[0][0];
  CHECK(close(a.metrics.nrmse, std::sqrt(d * d / 2) / ideal[0][1], 1e-12, 0));
  CHECK(close(a.metrics.max_ir_drop_v.value(), 0.01, 1e-12, 0));
  CHECK(close(a.metrics.max_ir_drop.value(), 0.01 / 0.2, 1e-12, 0));
}

TEST_CASE("ADC quantization: mid-tread, clamped at full scale") {
  CHECK(adc_quantize(0.5, 1.0, 0) == 0.5);  // no ADC
  CHECK(adc_quantize(0.5, 1.0, 2) == 1.0);  // codes -1..1, lsb 1
  CHECK(adc_quantize(0.49, 1.0, 2) == 0.0);
  CHECK(adc_quantize(7.0, 1.0, 4) == 1.0);                              // clamped
  CHECK(close(adc_quantize(-0.3, 0.7, 8), -54 * 0.7 / 127, 1e-15, 0));  // codes -127..127: -0.3 is code -54.4
}

TEST_CASE("a library without KLU is reported once, with the fix, before large tiles only") {
  FakeSimulator sim;
  Capture rep;
  CHECK(warn_once_without_klu(sim, 16 * 16, &rep));  // small: no probe
  CHECK(sim.probes == 0);
  CHECK_FALSE(warn_once_without_klu(sim, 128 * 128, &rep));
  CHECK_FALSE(warn_once_without_klu(sim, 256 * 256, &rep));
  REQUIRE(rep.warnings.size() == 1);
  CHECK(rep.warnings[0].find("no KLU") != std::string::npos);
  CHECK(rep.warnings[0].find("scripts/setup") != std::string::npos);
  sim.klu = true;
  CHECK(warn_once_without_klu(sim, 256 * 256, &rep));
}

TEST_CASE("a job's simulator hands ngspice's progress to the reporter, beside the phase (issue 19)") {
  struct Recorder : Reporter {
    std::vector<std::string> progress_seen;
    void progress(std::string_view text) override { progress_seen.emplace_back(text); }
  } rec;
  std::unique_ptr<Simulator> own;
  Simulator& sim = job_simulator(nullptr, SimLimits{}, 16, &rec, own);
  sim.run({"rc", "v1 in 0 sin(0 1 1meg)", "r1 in out 1k", "c1 out 0 1n", ".end"}, "tran 1n 20u 0 1n");
  REQUIRE_FALSE(rec.progress_seen.empty());
  // "tran 25%": the analysis and a whole percentage.
  const std::string& first = rec.progress_seen.front();
  INFO(first);
  CHECK(first.starts_with("tran "));
  CHECK(first.ends_with("%"));
}
