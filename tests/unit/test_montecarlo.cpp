// Monte Carlo: the binomial interval, the percentiles and moments, and
// `xbar montecarlo` end to end (reproducible samples, a binomial yield).
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <doctest/doctest.h>
#include <nlohmann/json.hpp>

#include "montecarlo/statistics.hpp"
#include "netlist_gen/portable_random.hpp"
#include "netlist_gen/variability.hpp"
#include "support/close.hpp"
#include "support/program.hpp"
#include "support/table_cache.hpp"
#include "support/temp_folder.hpp"

using namespace xbar;
using namespace xbar::testing;

namespace {

// P(X >= x) and P(X <= x) for X ~ Binomial(n, p), by summing the probability
// mass function: an answer independent of the beta-function route.
double binomial_pmf(int n, int k, double p) {
  return std::exp(std::lgamma(n + 1.0) - std::lgamma(k + 1.0) - std::lgamma(n - k + 1.0) + k * std::log(p) +
                  (n - k) * std::log1p(-p));
}
double upper_tail(int n, int x, double p) {
  double s = 0;
  for (int k = x; k <= n; ++k) s += binomial_pmf(n, k, p);
  return s;
}
double lower_tail(int n, int x, double p) {
  double s = 0;
  for (int k = 0; k <= x; ++k) s += binomial_pmf(n, k, p);
  return s;
}

std::vector<std::string> csv_lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

std::vector<std::string> csv_cells(const std::string& line) {
  std::vector<std::string> out;
  std::istringstream in(line);
  for (std::string cell; std::getline(in, cell, ',');) out.push_back(cell);
  return out;
}

}  // namespace

TEST_CASE("clopper-pearson: the closed forms at 0 and n passes") {
  // x = n: low = (alpha/2)^(1/n); x = 0: high = 1 - (alpha/2)^(1/n).
  for (int n : {1, 10, 1000}) {
    const BinomialInterval all = clopper_pearson(n, n, 0.95);
    CHECK(close(all.low, std::pow(0.025, 1.0 / n), 1e-12, 0));
    CHECK(all.high == 1.0);
    const BinomialInterval none = clopper_pearson(0, n, 0.95);
    CHECK(none.low == 0.0);
    CHECK(close(none.high, 1 - std::pow(0.025, 1.0 / n), 1e-12, 0));
  }
  const BinomialInterval empty = clopper_pearson(0, 0, 0.95);
  CHECK(empty.low == 0.0);
  CHECK(empty.high == 1.0);
}

TEST_CASE("clopper-pearson: each bound leaves alpha/2 of the binomial distribution beyond the count") {
  for (auto [x, n, conf] : {std::tuple{15, 20, 0.95}, {962, 1000, 0.95}, {3, 50, 0.99}, {1, 2, 0.9}}) {
    CAPTURE(x);
    CAPTURE(n);
    const BinomialInterval b = clopper_pearson(x, n, conf);
    const double half_alpha = (1 - conf) / 2;
    CHECK(b.low < static_cast<double>(x) / n);
    CHECK(b.high > static_cast<double>(x) / n);
    CHECK(close(upper_tail(n, x, b.low), half_alpha, 1e-9, 0));
    CHECK(close(lower_tail(n, x, b.high), half_alpha, 1e-9, 0));
  }
}

TEST_CASE("percentiles interpolate between closest ranks; moments use n - 1") {
  const std::vector<double> v = {1, 2, 3, 4};
  CHECK(percentile_of_sorted(v, 0) == 1);
  CHECK(percentile_of_sorted(v, 100) == 4);
  CHECK(close(percentile_of_sorted(v, 50), 2.5, 1e-15, 0));
  CHECK(close(percentile_of_sorted(v, 25), 1.75, 1e-15, 0));
  std::vector<SampleMetrics> s;
  for (double x : v) s.push_back({true, {{"m", x}}});
  s.push_back({false, {}});  // a failed sample: no metrics, fails every limit
  const MonteCarloStatistics st = compute_statistics(s, {{"m", 3}}, {}, 0.95);
  CHECK(st.samples == 5);
  CHECK(st.failed == 1);
  const MetricStatistics& m = st.metrics.at("m");
  CHECK(m.count == 4);
  CHECK(close(m.mean, 2.5, 1e-15, 0));
  CHECK(close(m.std, std::sqrt(5.0 / 3.0), 1e-15, 0));
  REQUIRE(m.yield);
  CHECK(m.yield->pass == 3);
  CHECK(m.yield->samples == 5);
  CHECK(close(m.yield->value, 0.6, 1e-15, 0));
  const MonteCarloStatistics lower = compute_statistics(s, {}, {{"m", 3}, {"absent", 1}}, 0.95);
  CHECK(lower.metrics.at("m").yield->pass == 2);
  REQUIRE(lower.unknown_limits.size() == 1);
  CHECK(lower.unknown_limits[0] == "absent");
}

TEST_CASE("xbar montecarlo: a binomial yield, counted again from the seeds, and each sample rerun by xbar run") {
  const auto dir = fresh_folder("xbar_test_montecarlo");
  const std::string config = std::string(XBAR_SOURCE_DIR) + "/tests/data/montecarlo/stuck_1x1.yaml";
  const ProgramRun r = run_xbar(fmt::format("montecarlo '{}' -o mc -j 2 -q", config), dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // The cell is stuck in sample k when the first draw of its stuck stream is below 0.3.
  int stuck = 0;
  for (std::uint64_t k = 0; k < 200; ++k) {
    PortableRandom rng(stream_seed(sample_seed(7, k), VariabilityStream::kStuck));
    stuck += rng.uniform() < 0.3 ? 1 : 0;
  }
  CHECK(stuck > 40);  // the stream is not degenerate
  CHECK(stuck < 80);
  const auto st = nlohmann::json::parse(file_text(dir / "mc" / "statistics.json"));
  const auto& m = st["metrics"]["max_rel_err_target"];
  CHECK(st["samples"] == 200);
  CHECK(st["interval"] == "clopper-pearson");
  CHECK(m["pass"] == 200 - stuck);
  CHECK(close(m["yield"].get<double>(), (200.0 - stuck) / 200.0, 1e-15, 0));
  const BinomialInterval b = clopper_pearson(200 - stuck, 200, 0.95);
  CHECK(m["yield_low"].get<double>() == b.low);
  CHECK(m["yield_high"].get<double>() == b.high);
  CHECK(b.low < 0.7);  // the true yield is inside this sample's interval
  CHECK(b.high > 0.7);

  // samples.csv: one line per sample; sample 5 rerun alone gives the same numbers.
  const auto lines = csv_lines(file_text(dir / "mc" / "samples.csv"));
  REQUIRE(lines.size() == 201);
  const auto header = csv_cells(lines[0]);
  CHECK(header[0] == "point");
  CHECK(header[1] == "seed");
  const auto col = std::find(header.begin(), header.end(), "max_rel_err_target") - header.begin();
  REQUIRE(col < static_cast<long>(header.size()));
  const auto row5 = csv_cells(lines[6]);
  CHECK(row5[0] == "5");
  CHECK(row5[1] == std::to_string(sample_seed(7, 5)));
  const ProgramRun one = run_xbar(fmt::format("run '{}' --set montecarlo.sample=5 -o one", config), dir);
  REQUIRE(one.exit_code == 0);
  const auto summary = nlohmann::json::parse(file_text(dir / "one" / "summary.json"));
  CHECK(summary["metrics"]["max_rel_err_target"].get<double>() == std::stod(row5[col]));

  // Other limits: statistics again without rerunning a sample (--resume).
  const ProgramRun again = run_xbar(
      fmt::format("montecarlo '{}' -o mc --resume -q --set 'montecarlo.limits={{max_rel_err_target: 2}}'", config),
      dir);
  INFO(again.err);
  REQUIRE(again.exit_code == 0);
  const auto st2 = nlohmann::json::parse(file_text(dir / "mc" / "statistics.json"));
  CHECK(st2["metrics"]["max_rel_err_target"]["pass"] == 200);
  CHECK(st2["metrics"]["max_rel_err_target"]["limit"] == 2.0);
}

TEST_CASE("xbar montecarlo refuses a config that is not one") {
  const auto dir = fresh_folder("xbar_test_montecarlo_bad");
  const std::string example = std::string(XBAR_SOURCE_DIR) + "/configs/example.yaml";
  const ProgramRun none = run_xbar(fmt::format("montecarlo '{}' -o mc", example), dir);
  CHECK(none.exit_code == 2);
  CHECK(none.err.find("no 'montecarlo:' section") != std::string::npos);
  const std::string config = std::string(XBAR_SOURCE_DIR) + "/tests/data/montecarlo/stuck_1x1.yaml";
  const ProgramRun unknown = run_xbar(
      fmt::format("montecarlo '{}' -o mc2 -q --set montecarlo.samples=3 --set 'montecarlo.limits={{nope: 1}}'", config),
      dir);
  CHECK(unknown.exit_code == 2);
  CHECK(unknown.err.find("no sample has the metric 'nope'") != std::string::npos);
  const ProgramRun both = run_xbar(
      fmt::format("montecarlo '{}' -o mc3 --set 'montecarlo.lower_limits={{max_rel_err_target: 0}}'", config), dir);
  CHECK(both.exit_code == 2);
  CHECK(both.err.find("both an upper and a lower limit") != std::string::npos);
}

TEST_CASE(
    "xbar montecarlo of a mismatched 1T1R tile on the nodal engine: samples run in the sandboxed workers and "
    "each matches the SPICE engine") {
  const auto dir = fresh_folder("xbar_test_montecarlo_1t1r");
  table_cache_dir();  // sample 0's tables are swept into it before the workers start
  std::ofstream(dir / "mc.yaml") << R"(
tile: {rows: 4, cols: 4, cell: 1T1R}
device: {g_on: 100u, g_off: 1u}
weights: {source: random, seed: 1}
inputs: {source: random, seed: 2, v_read: 0.2}
parasitics: {r_wl: 1, r_bl: 1, r_gl: 5}
periphery: {r_driver: 100, r_sense: 50}
transistor: {model: nmos, v_gate: 1.2, a_vt: 3.5e-9, a_beta: 1e-8}
simulator: {engine: nodal}
output: {cells: none}
montecarlo: {samples: 3, seed: 3}
)";
  const auto cached_tables = [] {
    return std::distance(std::filesystem::directory_iterator(table_cache_dir().dir),
                         std::filesystem::directory_iterator());
  };
  const auto before = cached_tables();
  const ProgramRun r = run_xbar("montecarlo mc.yaml -o mc -j 2", dir);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  // Sample 0's tables were swept before the workers started, into the cache
  // (a worker may write only the output folder).
  CHECK(r.err.find("transistor table(s) for sample 0") != std::string::npos);
  CHECK(cached_tables() > before);
  const auto lines = csv_lines(file_text(dir / "mc" / "samples.csv"));
  REQUIRE(lines.size() == 4);
  const auto header = csv_cells(lines[0]);
  const auto col = std::find(header.begin(), header.end(), "max_err_fs") - header.begin();
  REQUIRE(col < static_cast<long>(header.size()));
  for (int k = 0; k < 3; ++k) {
    const auto row = csv_cells(lines[k + 1]);
    CHECK(row[2] == "ok");
    // The same sample on SPICE (delvto/mulu0 per instance): the error of full
    // scale differs by what the engines differ by, below 1e-5 of full scale.
    const ProgramRun s =
        run_xbar(fmt::format("run mc.yaml --set montecarlo.sample={0} --set simulator.engine=spice -o s{0}", k), dir);
    REQUIRE(s.exit_code == 0);
    const auto summary = nlohmann::json::parse(file_text(dir / fmt::format("s{}", k) / "summary.json"));
    const double spice = summary["metrics"]["max_err_fs"].get<double>(), nodal = std::stod(row[col]);
    MESSAGE(fmt::format("sample {}: max_err_fs nodal {:.9g}, spice {:.9g}", k, nodal, spice));
    CHECK(close(nodal, spice, 0, 1e-5));
    CHECK(spice > 1e-3);  // a real error to compare
  }
}
