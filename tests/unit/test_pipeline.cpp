// End to end through SPICE: closed-form ladders and an independent dense
// nodal solve of random tiles (docs/circuit.md), to 1e-9 relative.
#include <doctest/doctest.h>

#include <cmath>

#include <fmt/format.h>

#include "config_loader/loader.hpp"
#include "config_loader/schema.hpp"
#include "runner/analysis_job.hpp"
#include "runner/run_job.hpp"
#include "support/close.hpp"
#include "support/dense_reference.hpp"
#include "support/run_helpers.hpp"

using namespace xbar;
using xbar::testing::all_close;
using xbar::testing::close;
using xbar::testing::config_from_yaml;
using xbar::testing::run_in_process;

namespace {}  // namespace

TEST_CASE("one word line over grounded bit lines is a resistive ladder (closed form)") {
  // Node voltages obey V[j+1] - 2V[j] + V[j-1] = r g V[j] with an open far end:
  // V[j] = V cosh(theta (n - 1/2 - j)) / cosh(theta (n - 1/2)), cosh theta = 1 + r g / 2.
  const int n = 32;
  const double r = 2.0, g = 1e-3, V = 0.2;
  const RunResult res = run_in_process(config_from_yaml(
      fmt::format("tile: {{rows: 1, cols: {}}}\nweights: {{source: constant, kind: conductance, value: {}}}\n"
                  "inputs: {{source: constant, kind: voltage, value: {}}}\nparasitics: {{r_wl: {}, r_bl: 1}}\n",
                  n, g, V, r)));
  const double theta = std::acosh(1.0 + r * g / 2.0);
  std::vector<double> want;
  for (int j = 0; j < n; ++j) want.push_back(g * V * std::cosh(theta * (n - 0.5 - j)) / std::cosh(theta * (n - 0.5)));
  CHECK(all_close(res.spice->column_current[0], want, 1e-9, 0));
  // The ideal reference ignores the wire: the far columns lose the most.
  CHECK(res.analysis.columns.back().rel_err.value() < res.analysis.columns.front().rel_err.value());
}

TEST_CASE("one bit line collecting from every row is a resistive ladder (closed form)") {
  // With equal inputs the cell voltages w[k] = V - u[k] obey the same equation,
  // open at the top, w = V at the sensed bottom: w[k] = V cosh(theta (k + 1/2)) / cosh(theta (R - 1/2)).
  const int R = 24;
  const double r = 1.5, g = 2e-3, V = 0.3;
  const RunResult res = run_in_process(config_from_yaml(
      fmt::format("tile: {{rows: {}, cols: 1}}\nweights: {{source: constant, kind: conductance, value: {}}}\n"
                  "inputs: {{source: constant, kind: voltage, value: {}}}\nparasitics: {{r_wl: 1, r_bl: {}}}\n",
                  R, g, V, r)));
  const double theta = std::acosh(1.0 + r * g / 2.0);
  double expected = 0;
  for (int k = 0; k < R; ++k) expected += g * V * std::cosh(theta * (k + 0.5)) / std::cosh(theta * (R - 0.5));
  CHECK(close(res.spice->column_current[0][0], expected, 1e-9, 0));
}

TEST_CASE("a single cell with driver and sense resistances") {
  const RunResult res = run_in_process(config_from_yaml(
      "tile: {rows: 1, cols: 1}\nweights: {source: constant, kind: resistance, value: 10k}\n"
      "inputs: {source: constant, kind: voltage, value: 0.5}\nperiphery: {r_driver: 200, r_sense: 50}\n"));
  CHECK(close(res.spice->column_current[0][0], 0.5 / (200 + 10e3 + 50), 1e-12, 0));
}

TEST_CASE("random tiles against a dense nodal solve of the circuit conventions") {
  struct Case {
    int R, C;
    const char* extra;
  };
  const Case cases[] = {
      {5, 7, "parasitics: {r_wl: 2.5, r_bl: 1.5}\nperiphery: {r_driver: 100, r_sense: 20}\n"},
      {8, 8, "parasitics: {r_wl: 3, r_bl: 0}\nperiphery: {r_driver: 0, r_sense: 0}\n"},
      {6, 9,
       "parasitics: {r_wl: 1, r_bl: 2}\nperiphery: {r_driver: 50, r_sense: 10, sense: tia, tia: {gain: 1e4, r_f: "
       "1k}}\n"},
      {7, 4, "parasitics: {r_wl: 0, r_bl: 0}\nperiphery: {r_sense: 0, sense: tia, tia: {gain: 300, r_f: 20k}}\n"},
      {16, 16, "parasitics: {r_wl: 5, r_bl: 5}\ndevice: {variability: {sigma: 0.3, seed: 4}}\ninputs: {vectors: 3}\n"},
  };
  for (const auto& k : cases) {
    CAPTURE(k.R);
    CAPTURE(k.C);
    const RunResult res =
        run_in_process(config_from_yaml(fmt::format("tile: {{rows: {}, cols: {}}}\n{}", k.R, k.C, k.extra)));
    for (int v = 0; v < res.tile.vectors(); ++v) {
      CAPTURE(v);
      CHECK(all_close(res.spice->column_current[v], testing::dense_column_currents(res.tile, res.tile.inputs[v]), 1e-9,
                      0));
    }
    CHECK(close(res.analysis.metrics.kcl->worst_global, 0, 0, 1e-9));
  }
}

TEST_CASE("a batch of vectors in one dc sweep: every vector matches the dense reference") {
  const std::string base = "tile: {rows: 6, cols: 5}\nparasitics: {r_wl: 4, r_bl: 4}\n";
  const RunResult batch = run_in_process(config_from_yaml(base + "inputs: {vectors: 4, seed: 11}\n"));
  REQUIRE(batch.tile.vectors() == 4);
  for (int v = 0; v < 4; ++v) {
    CAPTURE(v);
    CHECK(all_close(batch.spice->column_current[v], testing::dense_column_currents(batch.tile, batch.tile.inputs[v]),
                    1e-9, 0));
  }
}

TEST_CASE("sinh cells: SPICE satisfies KCL with the device law and nears linear at small voltage") {
  const std::string base = "tile: {rows: 8, cols: 8}\nparasitics: {r_wl: 2, r_bl: 2}\n";
  const RunResult lin = run_in_process(config_from_yaml(base + "inputs: {v_read: 1m}\n"));
  const RunResult nl =
      run_in_process(config_from_yaml(base + "inputs: {v_read: 1m}\ndevice: {model: sinh, params: {v0: 0.25}}\n"));
  CHECK(all_close(nl.spice->column_current[0], lin.spice->column_current[0], 1e-5, 0));
  const RunResult big = run_in_process(config_from_yaml(base + "inputs: {v_read: 0.5}\ndevice: {model: sinh}\n"));
  CHECK(close(big.analysis.metrics.kcl->worst_column, 0, 0, 1e-7));
  // The sinh law draws more than the linear one at 0.5 V.
  CHECK(big.analysis.metrics.max_rel_err > 0.1);
}

TEST_CASE("the reported KCL residual is the primary engine's own check") {
  const std::string base = "tile: {rows: 12, cols: 10}\nparasitics: {r_wl: 3, r_bl: 3}\nperiphery: {r_driver: 40}\n";
  const RunResult nodal = run_in_process(config_from_yaml(base + "simulator: {engine: nodal}\n"));
  const KclReport k = check_solution(nodal.tile, *nodal.nodal);
  // A floating-point solve leaves a residual: a metric that was never filled in
  // (0) must not pass as equal to a recomputation that is also 0.
  CHECK(k.worst_global > 0);
  CHECK(k.worst_column > 0);
  CHECK(k.worst_row > 0);
  CHECK(nodal.analysis.metrics.kcl->worst_global == k.worst_global);
  CHECK(nodal.analysis.metrics.kcl->worst_column == k.worst_column);
  CHECK(nodal.analysis.metrics.kcl->worst_row == k.worst_row);
  // With both engines the residual is SPICE's (the primary), not the nodal one's.
  const RunResult both = run_in_process(config_from_yaml(base + "simulator: {engine: both}\n"));
  const KclReport ks = check_solution(both.tile, *both.spice), kn = check_solution(both.tile, *both.nodal);
  CHECK(ks.worst_column > 0);
  CHECK(ks.worst_column != kn.worst_column);
  CHECK(both.analysis.metrics.kcl->worst_column == ks.worst_column);
  CHECK(both.analysis.metrics.kcl->worst_global == ks.worst_global);
}

TEST_CASE("every analysis.type the config accepts has its entry in the analysis table") {
  const KeyInfo* key = find_key("analysis.type");
  REQUIRE(key != nullptr);
  REQUIRE(key->allowed.size() >= 3);
  for (std::size_t i = 0; i < key->allowed.size(); ++i) {  // `allowed` is in enum order
    const auto kind = static_cast<AnalysisKind>(i);
    CAPTURE(key->allowed[i]);
    CHECK(std::string_view(to_string(kind)) == key->allowed[i]);
    const AnalysisJob* job = nullptr;
    CHECK_NOTHROW(job = &analysis_job(kind));
    if (job) {
      CHECK(job->kind == kind);
      CHECK(bool(job->circuit));
      CHECK(bool(job->run));
    }
  }
}
