// The SPICE convergence ladder (runner/convergence_ladder.hpp): each rung
// sends different options, the climb advances on a non-convergence and stops
// on any other failure, summary keys record the rung, and the 1T1R read with
// floating lines (which no single ngspice op solved) gives a KCL-checked
// result in every bias scheme; the warm-start seam (TileSolution -> each
// transistor's ic=).
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "netlist_gen/read_circuit.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "nodal/nodal_solver.hpp"
#include "runner/convergence_ladder.hpp"
#include "runner/read_job.hpp"
#include "runner/run_job.hpp"
#include "runner/spice_engine.hpp"
#include "support/close.hpp"
#include "support/run_helpers.hpp"

using namespace xbar;
using xbar::testing::close;

namespace {

Simulator& simulator() { return xbar::testing::shared_simulator(); }
Config cfg(const std::string& yaml) { return xbar::testing::config_from_yaml(yaml); }

// Records every netlist it is given; fails the first `fail` runs as ngspice
// fails a non-converging op (or with `other`, as a time-out), then hands the
// job to the real simulator.
class ScriptedSimulator : public Simulator {
 public:
  explicit ScriptedSimulator(int fail, std::string other = {}) : fail_(fail), other_(std::move(other)) {}
  std::string version() override { return simulator().version(); }
  bool has_klu() override { return true; }
  SimResult run(const std::vector<std::string>& netlist, const std::string& command) override {
    netlists.push_back(netlist);
    if (static_cast<int>(netlists.size()) <= fail_) {
      if (!other_.empty()) throw SimulationError(other_, "");
      throw SimulationError(
          "ngspice reported an error: Error: The operating point could not be simulated successfully.",
          "Error: The operating point could not be simulated successfully.\n");
    }
    return simulator().run(netlist, command);
  }
  std::vector<std::vector<std::string>> netlists;

 private:
  int fail_;
  std::string other_;
};

std::string options_line(const std::vector<std::string>& netlist) {
  for (const auto& l : netlist)
    if (l.rfind(".options", 0) == 0) return l;
  return "";
}

const char* kSmall =
    "tile: {rows: 4, cols: 3}\nweights: {source: constant, value: 0.5}\nparasitics: {r_wl: 1, r_bl: 1}\n";

}  // namespace

TEST_CASE("ladder: each rung sends its own options; the climb stops at the first rung that converges") {
  const TileSpec t = build_tile_spec(cfg(kSmall));
  const Circuit c = build_tile_circuit(t);
  ScriptedSimulator sim(3);  // op, gmin and source fail; relaxed runs
  std::string rung;
  const TileSolution s = solve_with_spice(t, c, write_spice_netlist(c), sim, {.rung = &rung});
  CHECK(rung == "relaxed");
  REQUIRE(sim.netlists.size() == 4u);
  const std::string op = options_line(sim.netlists[0]), gmin = options_line(sim.netlists[1]),
                    source = options_line(sim.netlists[2]), relaxed = options_line(sim.netlists[3]);
  CHECK(op.find("gminsteps=0 srcsteps=0") != std::string::npos);
  CHECK(op.find("noopiter") == std::string::npos);
  CHECK(gmin.find("noopiter gminsteps=1 srcsteps=0 dyngmin") != std::string::npos);
  CHECK(source.find("noopiter gminsteps=0 srcsteps=1") != std::string::npos);
  // Relaxed: the requested tolerances (reltol 1e-9, vntol 1e-12, abstol 1e-18) loosened 1000x.
  CHECK(relaxed.find("reltol=1e-06 vntol=1e-09 abstol=1e-15") != std::string::npos);
  CHECK(op.find("reltol=1e-9 vntol=1e-12 abstol=1e-18") != std::string::npos);
  // Only the options line differs between the attempts.
  for (std::size_t k = 0; k < sim.netlists[0].size(); ++k)
    if (sim.netlists[0][k].rfind(".options", 0) != 0) CHECK(sim.netlists[0][k] == sim.netlists[3][k]);
  // The relaxed result passed the KCL check at 1e-6, and matches the plain one.
  std::string plain_rung;
  const TileSolution plain = solve_with_spice(t, c, write_spice_netlist(c), simulator(), {.rung = &plain_rung});
  CHECK(plain_rung == "op");
  for (int j = 0; j < t.cols; ++j) CHECK(close(s.column_current[0][j], plain.column_current[0][j], 1e-5, 1e-15));
}

TEST_CASE("ladder: a failure other than convergence ends the climb at once") {
  const TileSpec t = build_tile_spec(cfg(kSmall));
  const Circuit c = build_tile_circuit(t);
  ScriptedSimulator sim(1, "time limit of 5 s exceeded");
  CHECK_THROWS_WITH_AS(solve_with_spice(t, c, write_spice_netlist(c), sim), "time limit of 5 s exceeded",
                       SimulationError);
  CHECK(sim.netlists.size() == 1u);
}

TEST_CASE("ladder: forced failures (testing hook) advance the rung recorded in the run result; none left fails") {
  const Config c = cfg(std::string(kSmall) + "simulator: {engine: spice}\n");
  struct Reset {
    ~Reset() { xbar::testing::set_forced_rung_failures(0); }
  } reset;
  xbar::testing::set_forced_rung_failures(2);
  CHECK(xbar::testing::run_in_process(c).spice_convergence == "source");
  xbar::testing::set_forced_rung_failures(0);
  CHECK(xbar::testing::run_in_process(c).spice_convergence == "op");
  xbar::testing::set_forced_rung_failures(4);
  try {
    xbar::testing::run_in_process(c);
    FAIL("no rung was left, yet the run succeeded");
  } catch (const SimulationError& e) {
    const std::string msg = e.what();
    for (const char* part : {"op (", "gmin (", "source (", "relaxed (", "what you can try", "simulator.engine: nodal",
                             "analysis.read.bias"})
      CHECK_MESSAGE(msg.find(part) != std::string::npos, part);
  }
}

TEST_CASE("1T1R 8x8 read converges in every bias scheme, with floating lines too, and passes the KCL check") {
  const std::string yaml =
      "tile: {rows: 8, cols: 8, cell: 1T1R}\nweights: {source: constant, value: 1}\nparasitics: {r_wl: 1, r_bl: 1}\n"
      "device: {g_on: 100u, g_off: 1u}\n";
  const TileSpec t = build_tile_spec(cfg(yaml));
  for (ReadBias bias : {ReadBias::kFloating, ReadBias::kGrounded, ReadBias::kHalf, ReadBias::kThird}) {
    CAPTURE(to_string(bias));
    const ReadCircuit rc = build_read_circuit(t, ReadSetup{0, 7, 0.2, bias});
    std::string rung;
    const ReadSample s =
        solve_read(rc, simulator(), write_spice_netlist(rc.circuit), {.rung = &rung});  // KCL-checked inside
    MESSAGE(std::string(to_string(bias)), ": rung ", rung, ", i_sense ", s.i_sense, " A, i_cell ", s.i_cell, " A");
    // The selected cell (g_on in series with an on transistor) conducts
    // nearly all of the sensed current: off transistors cut the sneak paths.
    CHECK(s.i_cell > 0.5 * 100e-6 * 0.2 * 0.5);
    CHECK(close(s.i_sense, s.i_cell, 1e-3, 1e-12));
  }
}

TEST_CASE("ladder: relaxed first tries the relaxed rung, then the strict ones from the first") {
  const TileSpec t = build_tile_spec(cfg(kSmall));
  const Circuit c = build_tile_circuit(t);
  const auto accept = [](const SimResult&) {};
  ScriptedSimulator first(0);
  const LadderOutcome a =
      run_convergence_ladder(first, c, write_spice_netlist(c), "op", accept, "op", RungOrder::kRelaxedFirst);
  CHECK(a.rung == "relaxed");
  REQUIRE(first.netlists.size() == 1u);
  CHECK(options_line(first.netlists[0]).find("reltol=1e-06") != std::string::npos);
  ScriptedSimulator second(1);  // relaxed fails: op comes next
  const LadderOutcome b =
      run_convergence_ladder(second, c, write_spice_netlist(c), "op", accept, "op", RungOrder::kRelaxedFirst);
  CHECK(b.rung == "op");
  REQUIRE(second.netlists.size() == 2u);
  CHECK(options_line(second.netlists[1]).find("gminsteps=0 srcsteps=0") != std::string::npos);
  REQUIRE(b.failures.size() == 1u);
  CHECK(b.failures[0].rfind("relaxed (", 0) == 0);
  ScriptedSimulator none(4);  // every rung fails: all four were tried
  CHECK_THROWS_AS(run_convergence_ladder(none, c, write_spice_netlist(c), "op", accept, "op", RungOrder::kRelaxedFirst),
                  SimulationError);
  CHECK(none.netlists.size() == 4u);
}

TEST_CASE("1T1R 8x8 floating read: the relaxed rung first, the same currents as the strict climb") {
  const std::string yaml =
      "tile: {rows: 8, cols: 8, cell: 1T1R}\nweights: {source: constant, value: 1}\nparasitics: {r_wl: 1, r_bl: 1}\n"
      "device: {g_on: 100u, g_off: 1u}\n";
  const TileSpec t = build_tile_spec(cfg(yaml));
  CHECK(read_rung_order(build_read_circuit(t, ReadSetup{0, 7, 0.2, ReadBias::kHalf})) == RungOrder::kStrictFirst);
  const ReadCircuit rc = build_read_circuit(t, ReadSetup{0, 7, 0.2, ReadBias::kFloating});
  REQUIRE(read_rung_order(rc) == RungOrder::kRelaxedFirst);
  std::string fast_rung, strict_rung;
  const ReadSample fast = solve_read(rc, simulator(), write_spice_netlist(rc.circuit), {.rung = &fast_rung});
  const ReadSample strict = solve_read(rc, simulator(), write_spice_netlist(rc.circuit),
                                       {.rung = &strict_rung, .order = RungOrder::kStrictFirst});
  MESSAGE("floating 8x8: strict climb on ", strict_rung, ", i_sense ", strict.i_sense, " A; relaxed first ",
          fast.i_sense, " A");
  CHECK(fast_rung == "relaxed");
  CHECK(close(fast.i_sense, strict.i_sense, 1e-6, 1e-15));
  CHECK(close(fast.i_cell, strict.i_cell, 1e-6, 1e-15));
  CHECK(close(fast.i_sneak, strict.i_sneak, 1e-6, 1e-6 * std::fabs(strict.i_sense)));
}

TEST_CASE(
    "warm start: each transistor starts at the nodal solution's terminal voltages; SPICE ends where it ends cold") {
  const TileSpec t =
      build_tile_spec(cfg("tile: {rows: 8, cols: 8, cell: 1T1R}\ntransistor: {model: nmos, v_gate: 1.0}\n"
                          "parasitics: {r_wl: 1, r_bl: 1}\nperiphery: {r_driver: 100, r_sense: 50}\n"));
  const Circuit c = build_tile_circuit(t);
  const TileSolution nodal = solve_nodal(t);
  const std::vector<std::string> cold = write_spice_netlist(c);
  const std::vector<std::string> warm = warm_started_netlist(c, nodal, cold);
  REQUIRE(warm.size() == cold.size());
  int started = 0;
  for (std::size_t k = 0; k < cold.size(); ++k) {
    if (!cold[k].empty() && cold[k][0] == 'm') {
      CHECK(warm[k].rfind(cold[k] + " ic=", 0) == 0);
      ++started;
    } else {
      CHECK(warm[k] == cold[k]);  // only the transistor lines change
    }
  }
  CHECK(started == t.rows * t.phys_cols());
  // Cell (0,0): drain at the junction, source on the bit line, gate on its
  // source's voltage, bulk at ground; vds, vgs, vbs at full precision.
  const auto cell = std::find_if(c.elements.begin(), c.elements.end(),
                                 [](const Element& e) { return e.kind == ElementKind::kMosfet; });
  REQUIRE(cell != c.elements.end());
  REQUIRE(cell->nodes[0] == c.map.cell_mid[0]);
  REQUIRE(cell->nodes[2] == c.map.bl[0]);
  REQUIRE(cell->nodes[3] == kGround);
  const auto gate = std::find_if(c.elements.begin(), c.elements.end(),
                                 [&](const Element& e) { return e.name == c.map.gate_source[0]; });
  REQUIRE(gate != c.elements.end());
  const double vd = nodal.v_mid[0][0], vs = nodal.v_bl[0][0];
  CHECK(vd - vs > 1e-6);  // a cell that conducts: the values below are not all zero
  const std::string ic = fmt::format(" ic={:.17g},{:.17g},{:.17g}", vd - vs, gate->value - vs, -vs);
  const auto line =
      std::find_if(warm.begin(), warm.end(), [&](const std::string& l) { return l.rfind(cell->name + " ", 0) == 0; });
  REQUIRE(line != warm.end());
  CHECK(line->ends_with(ic));
  // From there SPICE converges to its own answer: the cold run's, to well
  // within the KCL check's tolerance.
  ScriptedSimulator sim(0);
  std::string rung;
  const TileSolution from_warm = solve_with_spice(t, c, cold, sim, {.warm_start = &nodal, .rung = &rung});
  CHECK(rung == "op");
  REQUIRE(sim.netlists.size() == 1u);
  REQUIRE(sim.netlists[0].size() == warm.size());
  for (std::size_t k = 0; k < warm.size(); ++k)
    if (warm[k].rfind(".options", 0) != 0) CHECK(sim.netlists[0][k] == warm[k]);  // each rung sets its options
  const TileSolution from_cold = solve_with_spice(t, c, cold, simulator());
  for (int j = 0; j < t.phys_cols(); ++j)
    CHECK(close(from_warm.column_current[0][j], from_cold.column_current[0][j], 1e-8, 1e-15));
}

TEST_CASE("warm start of reads: each read's transistors start at its nodal solution; the currents are the cold ones") {
  const std::string yaml =
      "tile: {rows: 8, cols: 8, cell: 1T1R}\nweights: {source: random, seed: 7}\ntransistor: {model: nmos}\n"
      "parasitics: {r_wl: 1, r_bl: 1, r_gl: 2}\ndevice: {g_on: 100u, g_off: 1u}\nsimulator: {engine: spice}\n";
  for (ReadBias bias : {ReadBias::kFloating, ReadBias::kGrounded, ReadBias::kHalf, ReadBias::kThird}) {
    CAPTURE(to_string(bias));
    Config c =
        cfg(yaml + fmt::format("analysis: {{type: read, read: {{row: 2, col: 6, bias: {}}}}}\n", to_string(bias)));
    const TileSpec t = build_tile_spec(c);
    ScriptedSimulator warm_sim(0);
    const ReadReport warm = run_read_job(c, t, &warm_sim, {});
    // Three reads, each on its own solution: every transistor line (gate
    // nodes behind the gate-line resistors included) carries `ic=`, and
    // the ic= of the stored read and of the HRS read differ (their
    // selected cells differ).
    REQUIRE(warm_sim.netlists.size() >= 3u);
    std::vector<std::string> first_ic, last_ic;
    for (const auto& netlist : warm_sim.netlists) {
      int transistors = 0, started = 0;
      for (const auto& line : netlist)
        if (!line.empty() && line[0] == 'm') {
          ++transistors;
          started += line.find(" ic=") != std::string::npos;
        }
      CHECK(transistors == t.rows * t.phys_cols());
      CHECK(started == transistors);
    }
    for (const auto& line : warm_sim.netlists.front())
      if (!line.empty() && line[0] == 'm') first_ic.push_back(line);
    for (const auto& line : warm_sim.netlists.back())
      if (!line.empty() && line[0] == 'm') last_ic.push_back(line);
    CHECK(first_ic != last_ic);
    // The same reads from SPICE's own start (cold): the same currents, to
    // far inside the KCL check (a floating read's relaxed rung to its
    // loosened tolerance); and the nodal engine's, to the read agreement.
    const double rel = bias == ReadBias::kFloating ? 1e-6 : 1e-9;
    const std::pair<const ReadSample*, double> reads[] = {
        {&warm.stored, t.g_at(2, 6)}, {&warm.lrs, c.device.g_on}, {&warm.hrs, c.device.g_off}};
    for (const auto& [read, g] : reads) {
      TileSpec selected = t;
      selected.g[static_cast<std::size_t>(2) * t.phys_cols() + 6] = g;
      const ReadCircuit rc = build_read_circuit(selected, warm.setup);
      const ReadSample cold = solve_read(rc, simulator(), write_spice_netlist(rc.circuit));
      const double fs = std::fabs(cold.i_sense);
      MESSAGE(fmt::format("{} g {:g}: warm vs cold i_sense {:.2e} relative", to_string(bias), g,
                          std::fabs(read->i_sense - cold.i_sense) / fs));
      CHECK(close(read->i_sense, cold.i_sense, rel, 0));
      CHECK(close(read->i_array, cold.i_array, rel, 0));
      CHECK(close(read->i_cell, cold.i_cell, rel, 0));
      CHECK(close(read->i_sneak, cold.i_sneak, 0, rel * fs));
    }
    c.simulator.engine = EngineKind::kBoth;
    const ReadReport both = run_read_job(c, t, &simulator(), {});
    REQUIRE(both.spice_vs_nodal);
    CHECK(*both.spice_vs_nodal <= 1e-6);
  }
}
