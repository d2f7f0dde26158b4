// The seams the library API stands on: a built tile run on new inputs
// (run_tile_job, tile_inputs) and the data folder found beside the binary.
#include <doctest/doctest.h>

#include <filesystem>

#include "common/data_dir.hpp"
#include "config_loader/loader.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "runner/run_job.hpp"

using namespace xbar;

namespace {

Config tile_config(const std::string& extra = "") {
  return load_config_text("name: t\ntile: {rows: 6, cols: 5}\nsimulator: {engine: nodal}\n" + extra, "t.yaml", ".");
}

}  // namespace

TEST_CASE("run_tile_job: a built tile on new inputs gives what a fresh run with those inputs gives") {
  const Config base = tile_config();
  const Config constant = tile_config("inputs: {source: constant, value: 0.5, vectors: 2}\n");
  TileSpec tile = build_tile_spec(base);
  tile.inputs = tile_inputs(base, {std::vector<double>(6, 0.5), std::vector<double>(6, 0.5)});
  RunContext ctx;
  const RunResult batch = run_tile_job(base, tile, ctx);
  const RunResult fresh = run_job(constant, ctx);
  REQUIRE(batch.analysis.columns.size() == 10);
  REQUIRE(fresh.analysis.columns.size() == 10);
  // The same conductances, the same driver voltages (0.5 x v_read) and the same
  // deterministic solver: the same doubles.
  for (std::size_t k = 0; k < 10; ++k) {
    CAPTURE(k);
    CHECK(batch.analysis.columns[k].i_ideal == fresh.analysis.columns[k].i_ideal);
    CHECK(*batch.analysis.columns[k].i_nodal == *fresh.analysis.columns[k].i_nodal);
  }
  CHECK(batch.analysis.metrics.max_rel_err == fresh.analysis.metrics.max_rel_err);
  CHECK(batch.tile.inputs[0][0] == 0.5 * 0.2);
}

TEST_CASE("run_tile_job refuses analyses other than op at analysis.type") {
  const Config read = tile_config("analysis: {type: read}\n");
  RunContext ctx;
  try {
    run_tile_job(read, build_tile_spec(tile_config()), ctx);
    FAIL("no error");
  } catch (const InputError& e) {
    CHECK(e.diagnostics().items().at(0).pos.line == 4);
  }
}

TEST_CASE("tile_inputs: the rules of an inputs file, positioned by vector and value") {
  const Config c = tile_config();
  std::vector<double> ok(6, 1.0);
  std::vector<double> bad = ok;
  bad[3] = 1.5;
  try {
    tile_inputs(c, {ok, bad, std::vector<double>(5, 0.0)});
    FAIL("no error");
  } catch (const InputError& e) {
    const auto& items = e.diagnostics().items();
    REQUIRE(items.size() == 2);
    CHECK(items[0].str() == "input batch:2:4: error: normalized input 1.5 is outside [0, 1]");
    CHECK(items[1].pos.line == 3);
  }
  CHECK_THROWS_AS(tile_inputs(c, {}), InputError);
  // Voltage inputs are taken as volts.
  const Config volts = tile_config("inputs: {kind: voltage}\n");
  CHECK(tile_inputs(volts, {std::vector<double>(6, -0.3)})[0][5] == -0.3);
}

TEST_CASE("the data folder is found beside the binary (build/share/xbar in the build tree)") {
  CHECK(std::filesystem::exists(data_dir() / "models" / "nmos_bsim4.lib"));
  CHECK(std::filesystem::is_directory(data_dir() / "regression" / "cases"));
}
