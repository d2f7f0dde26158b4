// Simulator faults through the real pipeline (config -> tile -> netlist ->
// isolated ngspice child): a missing model, a circuit with no solution, a crash
// inside the library.  Each must end in a SimulationError that carries
// ngspice's own words, and never in a result.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "config_loader/loader.hpp"
#include "netlist_gen/circuit.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "runner/run_job.hpp"
#include "runner/spice_engine.hpp"
#include "spice_bridge/testing_hooks.hpp"

using namespace xbar;

namespace {

Config small_tile() { return load_config_text("name: fault\ntile: {rows: 3, cols: 3}\n", "fault.yaml", ".", {}); }

// The generated netlist with `extra` lines inserted before `.end`.
std::vector<std::string> netlist_with(const std::vector<std::string>& extra) {
  std::vector<std::string> lines = generate_netlist(small_tile());
  REQUIRE(lines.back() == ".end");
  lines.insert(lines.end() - 1, extra.begin(), extra.end());
  return lines;
}

// Runs a tampered netlist of the small tile through the SPICE engine in an
// isolated child; returns the error (what + detail) or "" when it succeeded.
std::string fault_of(const std::vector<std::string>& netlist) {
  const Config c = small_tile();
  const TileSpec tile = build_tile_spec(c);
  const Circuit circuit = build_tile_circuit(tile);
  auto sim = make_isolated_simulator({.time_limit_s = 60});
  try {
    solve_with_spice(tile, circuit, netlist, *sim);
  } catch (const SimulationError& e) {
    return std::string(e.what()) + "\n" + e.detail();
  }
  return "";
}

}  // namespace

TEST_CASE("the untampered netlist runs: the faults below come from the tampering") {
  CHECK(fault_of(netlist_with({})).empty());
}

TEST_CASE("a missing model is a SimulationError naming the model in ngspice's words") {
  const std::string err = fault_of(netlist_with({"Dfault wl0_0 0 nosuchdiode"}));
  REQUIRE_FALSE(err.empty());
  CHECK(err.find("nosuchdiode") != std::string::npos);
}

TEST_CASE("a circuit with no solution (a voltage-source loop) is a SimulationError, not a number") {
  const std::string err = fault_of(netlist_with({"Vloopa xloop 0 1", "Vloopb xloop 0 2"}));
  REQUIRE_FALSE(err.empty());
  // ngspice's own words are kept for the user: every rung of the convergence
  // ladder with its failure, what to try, then the log that names the
  // singular matrix and the loop's source.
  CAPTURE(err);
  CHECK(err.rfind("ngspice found no operating point on any rung of the convergence ladder:\n  op (", 0) == 0);
  CHECK(err.find("relaxed (tolerances loosened 1000x") != std::string::npos);
  CHECK(err.find("what you can try:") != std::string::npos);
  CHECK(err.find("Warning: singular matrix:  check node vloopa#branch") != std::string::npos);
}

TEST_CASE("a crash inside the library ends the job with a SimulationError and no result") {
  spice::testing::set_isolated_child_crash(true);
  RunContext ctx;  // the default: every job in an isolated child
  std::vector<std::string> netlist;
  bool got_result = false;
  std::string what;
  try {
    run_job(small_tile(), ctx, &netlist);
    got_result = true;
  } catch (const SimulationError& e) {
    what = e.what();
  }
  spice::testing::set_isolated_child_crash(false);
  CHECK_FALSE(got_result);
  CHECK(what.find("crashed") != std::string::npos);
  CHECK(what.find("signal 11") != std::string::npos);
  CHECK_FALSE(netlist.empty());  // kept for the user to inspect
  // The process is intact: the next job succeeds.
  CHECK(run_job(small_tile(), ctx).spice.has_value());
}

TEST_CASE("a job past its time limit is stopped and reported, with no result") {
  // The netlist guard refuses control lines, so a slow job is made slow by
  // size: a 128x128 op takes ngspice about 0.6 s, 30x the limit (a tiny tile
  // can finish inside a millisecond once ngspice is warm, so it would not do).
  RunContext ctx;
  ctx.limits.time_limit_s = 0.02;
  const Config big = load_config_text("name: slow\ntile: {rows: 128, cols: 128}\n", "slow.yaml", ".", {});
  CHECK_THROWS_WITH_AS(run_job(big, ctx), doctest::Contains("time limit"), SimulationError);
}
