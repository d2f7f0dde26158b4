// simulator.temperature: ngspice's temp for the transistors (and only through
// this key), the cell models' tcg and the wires' tcr where the tile is built.
#include <cmath>

#include <doctest/doctest.h>
#include <fmt/format.h>

#include "netlist_gen/circuit.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "support/close.hpp"
#include "support/run_helpers.hpp"

using namespace xbar;
using namespace xbar::testing;

namespace {

std::string cell_1t1r(double temperature) {
  return fmt::format(R"(
tile: {{rows: 1, cols: 1, cell: 1T1R}}
device: {{model: linear, g_on: 1m, params: {{tcg: 0}}}}
weights: {{source: constant, value: 1}}
inputs: {{source: constant, value: 1, v_read: 0.2}}
parasitics: {{tcr: 0}}
simulator: {{temperature: {}}}
output: {{cells: none}}
)",
                     temperature);
}

std::string options_line(const TileSpec& t) {
  for (const auto& line : write_spice_netlist(build_tile_circuit(t)))
    if (line.rfind(".options", 0) == 0) return line;
  return "";
}

}  // namespace

TEST_CASE("temperature reaches ngspice as its temp option, and the transistor current moves with it") {
  const Config hot = config_from_yaml(cell_1t1r(125));
  CHECK(options_line(build_tile_spec(hot)).find(" temp=125") != std::string::npos);
  // 27 C is ngspice's own default: the option is left out, the netlist unchanged.
  CHECK(options_line(build_tile_spec(config_from_yaml(cell_1t1r(27)))).find("temp") == std::string::npos);
  const double i_hot = run_in_process(hot).spice->column_current[0][0];
  const double i_room = run_in_process(config_from_yaml(cell_1t1r(27))).spice->column_current[0][0];
  MESSAGE(fmt::format("1T1R cell current: {:.6g} A at 27 C, {:.6g} A at 125 C", i_room, i_hot));
  CHECK(std::fabs(i_hot / i_room - 1) > 0.01);  // mobility falls with temperature: a visible change
  // The old way in, simulator.options.temp, is refused in favour of the key.
  const std::string refused = input_error_of("tile: {rows: 1, cols: 1}\nsimulator: {options: {temp: 50}}\n");
  CHECK(refused.find("set the temperature with 'simulator.temperature'") != std::string::npos);
}

TEST_CASE("tcg and tcr scale the placed conductances and the wires") {
  const Config c = config_from_yaml(R"(
tile: {rows: 2, cols: 2}
device: {model: sinh, g_on: 100u, g_off: 1u}
weights: {source: constant, value: 1}
parasitics: {r_wl: 2, r_bl: 3, tcr: 0.0039}
simulator: {temperature: 85, engine: nodal}
)");
  const TileSpec t = build_tile_spec(c);
  CHECK(close(t.g[0], 100e-6 * std::exp(-1e-3 * (85 - 27)), 1e-14, 0));  // the sinh model's default tcg
  CHECK(close(t.g_intended[0], 100e-6, 1e-15, 0));                       // the intended product stays at 27 C
  const double f = (1 + 0.0039 * (85 - 20)) / (1 + 0.0039 * 7);
  CHECK(close(t.r_wl, 2 * f, 1e-14, 0));
  CHECK(close(t.r_bl, 3 * f, 1e-14, 0));
}
