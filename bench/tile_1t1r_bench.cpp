// 128x128 1T1R tile with the project's BSIM4 card, `op` through the embedded
// ngspice (KLU, one thread).  Prints the time of the SPICE run and of the
// whole job (build + netlist + run + checks); exits 1 above the 2.5 s budget.
//   build-*/bench/tile_1t1r_bench [rows] [repeats]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>

#include "config_loader/loader.hpp"
#include "runner/run_job.hpp"

using namespace xbar;

int main(int argc, char** argv) {
  const int n = argc > 1 ? std::stoi(argv[1]) : 128;
  const int repeats = argc > 2 ? std::stoi(argv[2]) : 3;
  const std::string yaml = "tile: {rows: " + std::to_string(n) + ", cols: " + std::to_string(n) +
                           ", cell: 1T1R}\n"
                           "device: {g_on: 100u, g_off: 1u}\n"
                           "parasitics: {r_wl: 1, r_bl: 1, r_gl: 1}\n"
                           "transistor: {model: nmos, w: 90n, l: 45n, v_gate: 1.0}\n";
  const Config c = load_config_text(yaml, "bench.yaml", ".", {});
  auto sim = make_ngspice_simulator();
  RunContext ctx;
  ctx.simulator = sim.get();
  double best_job = 1e9, best_spice = 1e9, err = 0;
  for (int k = 0; k < repeats; ++k) {
    const auto t0 = std::chrono::steady_clock::now();
    const RunResult r = run_job(c, ctx);
    best_job = std::min(best_job, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    best_spice = std::min(best_spice, r.spice->elapsed_s);
    err = r.analysis.metrics.max_rel_err;
  }
  std::printf("1T1R %dx%d BSIM4 op: spice %.3f s, whole job %.3f s (best of %d); max_rel_err %.4f\n", n, n, best_spice,
              best_job, repeats, err);
  return best_job <= 2.5 ? 0 : 1;
}
