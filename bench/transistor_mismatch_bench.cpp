// Pelgrom mismatch on the nodal engine, 256x256 1T1R with the bundled BSIM4
// card (W/L 0.5/0.1 um, gate 1.2 V), a_vt 3.5 mV um and a_beta 1 % um
// (sigma(Vth) 15.7 mV, sigma(beta)/beta 4.5 %), all in one run:
//   - the (delvto, mulu0) tables: first run into an empty cache, then from the
//     disk cache, then a second Monte-Carlo sample (another seed) on that cache;
//   - the nodal solve of the mismatched tile against the same tile without
//     mismatch (the cost of the per-cell mix of 16 tables);
//   - the SPICE engine on the mismatched tile and the column difference.
// PASS/FAIL: difference to SPICE <= 1e-5 of full scale.
//   build/bench/transistor_mismatch_bench [--no-spice]
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "config_loader/loader.hpp"
#include "device_tables/transistor_tables.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "nodal/nodal_solver.hpp"
#include "spice_reference.hpp"

using namespace xbar;

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

TileSpec tile(int sample) {
  const std::string yaml = fmt::format(
      "tile: {{rows: 256, cols: 256, cell: 1T1R}}\n"
      "device: {{g_on: 100u, g_off: 1u}}\n"
      "weights: {{source: random, seed: 5}}\n"
      "inputs: {{source: random, seed: 6, vectors: 1, v_read: 0.2}}\n"
      "parasitics: {{r_wl: 1, r_bl: 1, r_gl: 1}}\n"
      "periphery: {{r_driver: 100, r_sense: 50}}\n"
      "transistor: {{model: nmos, w: 0.5u, l: 0.1u, v_gate: 1.2, a_vt: 3.5e-9, a_beta: 1e-8}}\n"
      "montecarlo: {{sample: {}}}\n",
      sample);
  return build_tile_spec(load_config_text(yaml, "bench.yaml", ".", {}));
}

double median_solve(const TileSpec& t, const TransistorTables& tables) {
  NodalOptions opt;
  opt.transistor_tables = &tables;
  double times[3];
  for (double& dt : times) {
    const double t0 = now();
    solve_nodal(t, opt);
    dt = now() - t0;
  }
  std::sort(times, times + 3);
  return times[1];
}

}  // namespace

int main(int argc, char** argv) {
  const bool with_spice = !(argc > 1 && std::string(argv[1]) == "--no-spice");
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("xbar-mismatch-bench-{}", ::getpid());
  std::filesystem::create_directories(dir);
  ::setenv("XBAR_CACHE_DIR", dir.c_str(), 1);
  bool ok = true;

  const TileSpec t = tile(0);
  TransistorTableReport first, cached, other;
  const auto tables = transistor_tables(t, &first);
  clear_transistor_table_memo();
  transistor_tables(t, &cached);
  transistor_tables(tile(1), &other);
  std::uintmax_t bytes = 0;
  for (const auto& f : std::filesystem::directory_iterator(dir)) bytes += f.file_size();
  std::printf(
      "1T1R 256x256 BSIM4 mismatch tables: %zu (delvto, mulu0) nodes of %d drain x %d source points; first run %.2f s "
      "(%d swept), cached %.3f s; another sample on that cache %.2f s (%d more swept); cache %.1f MB\n",
      tables->node.size(), tables->node.begin()->second->drain_points(), tables->node.begin()->second->source_points(),
      first.seconds, first.characterised, cached.seconds, other.seconds, other.characterised, bytes / 1e6);

  TileSpec nominal = t;
  nominal.delta_vth.clear();
  nominal.beta_factor.clear();
  const auto nominal_tables = transistor_tables(nominal);
  const double mixed = median_solve(t, *tables), plain = median_solve(nominal, *nominal_tables);
  std::printf("1T1R 256x256 nodal solve: mismatched %.3f s, without mismatch %.3f s (median of 3 each)\n", mixed,
              plain);
  if (with_spice) {
    NodalOptions opt;
    opt.transistor_tables = tables.get();
    const TileSolution n = solve_nodal(t, opt);
    const bench::SpiceReference ref = bench::spice_reference(t, n);
    const double spice = ref.seconds, worst = ref.worst;
    std::printf("1T1R 256x256 mismatched: SPICE engine %.2f s; nodal/SPICE difference %.2e of full scale\n", spice,
                worst);
    const bool met = worst <= 1e-5;
    std::printf("%s 256x256 mismatched difference to SPICE %.2e <= 1e-5 of full scale\n", met ? "PASS" : "FAIL", worst);
    ok &= met;
  }
  std::filesystem::remove_all(dir);
  return ok ? 0 : 1;
}
