// 1T1R tiles with the project's BSIM4 card (W/L 90/45 nm, gate 1.0 V) on the
// nodal engine against the SPICE engine, all in one run:
//   - 256x256: SPICE engine (circuit, netlist, embedded ngspice with KLU,
//     mapping back) vs nodal, first run (transistor characterisation into an
//     empty cache) and cached (median of 3); column difference to SPICE;
//   - 512x512 and 1024x1024 nodal: a first run into an empty cache and a run
//     from the disk cache, each alone in a forked child (peak RSS), wall and
//     CPU time (the machine is shared: CPU says what the solve costs).
// PASS/FAIL: SPICE/nodal >= 50 at 256x256 (cached), 512x512 <= 2 s, 1024x1024
// <= 10 s and <= 2 GB first run, difference to SPICE <= 1e-5 of full scale.
//   build/bench/transistor_nodal_bench [--no-spice]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "config_loader/loader.hpp"
#include "device_tables/transistor_tables.hpp"
#include "netlist_gen/circuit.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "nodal/nodal_solver.hpp"
#include "runner/spice_engine.hpp"
#include "spice_bridge/simulator.hpp"
#include "spice_reference.hpp"

using namespace xbar;

namespace {

double now() { return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count(); }

// CPU time of this process (all threads), s: the machine is shared, so wall
// times carry other people's load and CPU times say what the solve costs.
double cpu() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + 1e-6 * (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

TileSpec tile(int n) {
  const std::string yaml = fmt::format(
      "tile: {{rows: {0}, cols: {0}, cell: 1T1R}}\n"
      "device: {{g_on: 100u, g_off: 1u}}\n"
      "weights: {{source: random, seed: 5}}\n"
      "inputs: {{source: random, seed: 6, vectors: 1, v_read: 0.3}}\n"
      "parasitics: {{r_wl: 1, r_bl: 1, r_gl: 1}}\n"
      "periphery: {{r_driver: 100, r_sense: 50}}\n"
      "transistor: {{model: nmos, w: 90n, l: 45n, v_gate: 1.0}}\n",
      n);
  return build_tile_spec(load_config_text(yaml, "bench.yaml", ".", {}));
}

// A fresh, empty cache folder (so the next solve characterises the transistor).
void fresh_cache(const std::filesystem::path& root, const std::string& name) {
  const auto dir = root / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  ::setenv("XBAR_CACHE_DIR", dir.c_str(), 1);
  clear_transistor_table_memo();
}

struct ChildRun {
  double seconds = -1, cpu_s = -1, rss_mb = -1;
};

// One nodal solve of an n x n tile alone in a forked child: wall time
// (tables included) and peak RSS.  `cache`: the cache folder; `empty`: clear it first.
ChildRun child_solve(int n, const std::filesystem::path& root, const std::string& cache, bool empty) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    if (empty)
      fresh_cache(root, cache);
    else
      ::setenv("XBAR_CACHE_DIR", (root / cache).c_str(), 1), clear_transistor_table_memo();
    const TileSpec t = tile(n);
    const double t0 = now(), c0 = cpu();
    const TileSolution s = solve_nodal(t);
    const double dt[2] = {now() - t0, cpu() - c0};  // the ngspice child's CPU is not in it
    if (write(fds[1], dt, sizeof dt) != sizeof dt) _exit(2);
    _exit(s.vectors == 1 ? 0 : 1);
  }
  close(fds[1]);
  ChildRun r;
  double dt[2] = {-1, -1};
  const bool got = read(fds[0], dt, sizeof dt) == sizeof dt;
  close(fds[0]);
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || !got) return r;
  rusage ru{};
  getrusage(RUSAGE_CHILDREN, &ru);  // the largest child so far: runs go in increasing size
  r.seconds = dt[0];
  r.cpu_s = dt[1];
  r.rss_mb = static_cast<double>(ru.ru_maxrss) / 1024.0;
  return r;
}

bool target(bool met, const std::string& what) {
  std::printf("%s %s\n", met ? "PASS" : "FAIL", what.c_str());
  return met;
}

}  // namespace

int main(int argc, char** argv) {
  const bool with_spice = !(argc > 1 && std::string(argv[1]) == "--no-spice");
  const auto root = std::filesystem::temp_directory_path() / fmt::format("xbar-transistor-bench-{}", ::getpid());
  bool ok = true;

  // The large tiles first, each in a child forked from this still small
  // process (a child's peak RSS counts the pages it inherits).
  for (int size : {512, 1024}) {
    const std::string cache = fmt::format("c{}", size);
    const ChildRun first = child_solve(size, root, cache, true);
    const ChildRun cached = child_solve(size, root, cache, false);
    std::printf(
        "1T1R %dx%d BSIM4 nodal: first run %.2f s (characterisation included; CPU %.2f s without the ngspice "
        "child), cached %.2f s (CPU %.2f s); peak RSS %.0f MB\n",
        size, size, first.seconds, first.cpu_s, cached.seconds, cached.cpu_s, std::max(first.rss_mb, cached.rss_mb));
    if (size == 512)
      ok &= target(first.seconds >= 0 && first.seconds <= 2,
                   fmt::format("512x512 first run {:.2f} s <= 2 s", first.seconds));
    if (size == 1024) {
      ok &= target(first.seconds >= 0 && first.seconds <= 10,
                   fmt::format("1024x1024 first run {:.2f} s <= 10 s", first.seconds));
      ok &= target(first.rss_mb > 0 && first.rss_mb <= 2048,
                   fmt::format("1024x1024 peak RSS {:.0f} MB <= 2048 MB", first.rss_mb));
    }
  }
  const TileSpec t = tile(256);
  fresh_cache(root, "c256");
  double t0 = now();
  TransistorTableReport rep;
  const auto tables = transistor_tables(t, &rep);
  const double characterise = now() - t0;
  NodalOptions opt;
  opt.transistor_tables = tables.get();
  std::vector<double> times;
  NodalReport nrep;
  TileSolution n;
  double cpu_total = 0;
  for (int k = 0; k < 3; ++k) {
    t0 = now();
    const double c0 = cpu();
    n = solve_nodal(t, opt, &nrep);
    times.push_back(now() - t0);
    cpu_total += cpu() - c0;
  }
  std::sort(times.begin(), times.end());
  const double nodal = times[1];
  std::printf(
      "1T1R 256x256 BSIM4: characterisation %.2f s (%d gate voltage(s), %d drain x %d source points), nodal %.3f s "
      "(median of 3; CPU %.3f s each), %d Newton, %d CG iterations\n",
      characterise, static_cast<int>(tables->v_gate.size()), tables->drain_current[0]->drain_points(),
      tables->drain_current[0]->source_points(), nodal, cpu_total / 3, nrep.newton_iterations, nrep.linear_iterations);
  if (with_spice) {
    const bench::SpiceReference ref = bench::spice_reference(t, n);
    const TileSolution& s = ref.solution;
    const double spice = ref.seconds, worst = ref.worst;
    std::printf(
        "1T1R 256x256 BSIM4: SPICE engine %.2f s (ngspice %.2f s); nodal/SPICE difference %.2e of full "
        "scale; ratio cached %.0f, with characterisation %.0f\n",
        spice, s.elapsed_s, worst, spice / nodal, spice / (nodal + characterise));
    ok &= target(spice / nodal >= 50, fmt::format("256x256 SPICE/nodal {:.0f} >= 50 (cached tables)", spice / nodal));
    ok &= target(worst <= 1e-5, fmt::format("256x256 difference to SPICE {:.2e} <= 1e-5 of full scale", worst));
  }
  std::filesystem::remove_all(root);
  return ok ? 0 : 1;
}
