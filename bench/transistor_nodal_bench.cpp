// 1T1R tiles with the project's BSIM4 card (W/L 90/45 nm, gate 1.0 V) on the
// nodal engine against the SPICE engine, all in one run:
//   - 256x256: SPICE engine (circuit, netlist, embedded ngspice with KLU,
//     mapping back) vs nodal, first run (transistor characterisation into an
//     empty cache) and cached (median of 3); column difference to SPICE;
//   - 512x512 and 1024x1024 nodal: a first run into an empty table cache and a
//     run from the disk cache, each alone in a forked child (peak RSS), wall
//     and CPU time (the machine is shared: CPU says what the solve costs).
// The characterisation is timed on its own (wall, and CPU including the
// ngspice children it starts), then the solve with those tables: a first run
// is the two together, as solve_nodal does them.
// PASS/FAIL (first run, characterisation included): SPICE/nodal >= 50 at
// 256x256, 512x512 <= 2 s, 1024x1024 <= 10 s and <= 2 GB; difference to SPICE
// <= 1e-5 of full scale.
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
#include <fstream>
#include <memory>
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

double seconds(const rusage& ru) {
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + 1e-6 * (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

// CPU time of this process (all threads), s: the machine is shared, so wall
// times carry other people's load and CPU times say what the solve costs.
// With `children`, also that of its finished children (the ngspice children
// of a characterisation).
double cpu(bool children = false) {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  double s = seconds(ru);
  if (children) getrusage(RUSAGE_CHILDREN, &ru), s += seconds(ru);
  return s;
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

// The transistor tables of a tile, timed: wall, and CPU with the ngspice children.
struct Timed {
  std::shared_ptr<const TransistorTables> tables;
  double seconds = 0, cpu_s = 0;
};

Timed timed_tables(const TileSpec& t) {
  const double t0 = now(), c0 = cpu(true);
  Timed r;
  r.tables = transistor_tables(t);
  r.seconds = now() - t0;
  r.cpu_s = cpu(true) - c0;
  return r;
}

// What one forked run measured; -1 where it failed.
struct ChildRun {
  double tables_s = -1, tables_cpu_s = -1;  // the tables: characterised (empty cache) or read from disk
  double solve_s = -1, solve_cpu_s = -1;    // the nodal solve with them
  double drain_points = 0, source_points = 0, rss_mb = -1;
  double total() const { return tables_s + solve_s; }
};

// One nodal solve of an n x n tile alone in a forked child, its tables from
// the cache folder `cache` (`empty`: cleared first, so they are characterised).
ChildRun child_solve(int n, const std::filesystem::path& root, const std::string& cache, bool empty) {
  int fds[2];
  if (pipe(fds) != 0) return {};
  // The child gets a copy of stdout's buffer: emptied here, or the child's own
  // children (the characterisation's, which flush before they fork) print it again.
  std::fflush(nullptr);
  const pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    if (empty)
      fresh_cache(root, cache);
    else
      ::setenv("XBAR_CACHE_DIR", (root / cache).c_str(), 1), clear_transistor_table_memo();
    const TileSpec t = tile(n);
    const Timed tables = timed_tables(t);
    NodalOptions opt;
    opt.transistor_tables = tables.tables.get();
    const double t0 = now(), c0 = cpu();
    const TileSolution s = solve_nodal(t, opt);
    const DrainCurrentTable& table = *tables.tables->drain_current[0];
    const double out[6] = {tables.seconds,
                           tables.cpu_s,
                           now() - t0,
                           cpu() - c0,
                           static_cast<double>(table.drain_points()),
                           static_cast<double>(table.source_points())};
    if (write(fds[1], out, sizeof out) != sizeof out) _exit(2);
    _exit(s.vectors == 1 ? 0 : 1);
  }
  close(fds[1]);
  ChildRun r;
  double out[6];
  const bool got = read(fds[0], out, sizeof out) == sizeof out;
  close(fds[0]);
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0 || !got) return r;
  rusage ru{};
  getrusage(RUSAGE_CHILDREN, &ru);  // the largest child so far: runs go in increasing size
  r = {out[0], out[1], out[2], out[3], out[4], out[5], static_cast<double>(ru.ru_maxrss) / 1024.0};
  return r;
}

// The first three fields of /proc/loadavg and a newline (the machine is shared).
std::string load_average() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c + "\n";
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
  std::printf("load average %s", load_average().c_str());
  for (int size : {512, 1024}) {
    const std::string cache = fmt::format("c{}", size);
    const ChildRun first = child_solve(size, root, cache, true);
    const ChildRun cached = child_solve(size, root, cache, false);
    std::printf(
        "1T1R %dx%d BSIM4 nodal: first run %.2f s = characterisation %.2f s (CPU %.2f s with ngspice; %.0f drain x "
        "%.0f source points) + solve %.2f s (CPU %.2f s); cached run %.2f s = tables from disk %.3f s + solve %.2f s "
        "(CPU %.2f s); peak RSS %.0f MB\n",
        size, size, first.total(), first.tables_s, first.tables_cpu_s, first.drain_points, first.source_points,
        first.solve_s, first.solve_cpu_s, cached.total(), cached.tables_s, cached.solve_s, cached.solve_cpu_s,
        std::max(first.rss_mb, cached.rss_mb));
    const bool ran = first.solve_s >= 0 && cached.solve_s >= 0;
    if (size == 512)
      ok &= target(ran && first.total() <= 2, fmt::format("512x512 first run {:.2f} s <= 2 s", first.total()));
    if (size == 1024) {
      ok &= target(ran && first.total() <= 10, fmt::format("1024x1024 first run {:.2f} s <= 10 s", first.total()));
      ok &= target(first.rss_mb > 0 && first.rss_mb <= 2048,
                   fmt::format("1024x1024 peak RSS {:.0f} MB <= 2048 MB", first.rss_mb));
    }
  }
  const TileSpec t = tile(256);
  fresh_cache(root, "c256");
  const Timed characterised = timed_tables(t);
  clear_transistor_table_memo();
  const Timed from_disk = timed_tables(t);
  const std::shared_ptr<const TransistorTables>& tables = characterised.tables;
  NodalOptions opt;
  opt.transistor_tables = tables.get();
  std::vector<double> times;
  NodalReport nrep;
  TileSolution n;
  double cpu_total = 0;
  for (int k = 0; k < 3; ++k) {
    const double t0 = now(), c0 = cpu();
    n = solve_nodal(t, opt, &nrep);
    times.push_back(now() - t0);
    cpu_total += cpu() - c0;
  }
  std::sort(times.begin(), times.end());
  const double nodal = times[1], first = characterised.seconds + nodal, cached = from_disk.seconds + nodal;
  std::printf(
      "1T1R 256x256 BSIM4: characterisation %.2f s (CPU %.2f s with ngspice; %d gate voltage(s), %d drain x %d "
      "source points), tables from disk %.3f s; nodal %.3f s (median of 3; CPU %.3f s each), %d Newton, %d CG "
      "iterations\n",
      characterised.seconds, characterised.cpu_s, static_cast<int>(tables->v_gate.size()),
      tables->drain_current[0]->drain_points(), tables->drain_current[0]->source_points(), from_disk.seconds, nodal,
      cpu_total / 3, nrep.newton_iterations, nrep.linear_iterations);
  if (with_spice) {
    const bench::SpiceReference ref = bench::spice_reference(t, n);
    const TileSolution& s = ref.solution;
    const double spice = ref.seconds, worst = ref.worst;
    std::printf(
        "1T1R 256x256 BSIM4: SPICE engine %.2f s (ngspice %.2f s); nodal/SPICE difference %.2e of full "
        "scale; SPICE/nodal first run %.0f (characterisation included), cached %.0f\n",
        spice, s.elapsed_s, worst, spice / first, spice / cached);
    ok &= target(spice / first >= 50,
                 fmt::format("256x256 SPICE/nodal {:.0f} >= 50 (first run, characterisation included)", spice / first));
    ok &= target(worst <= 1e-5, fmt::format("256x256 difference to SPICE {:.2e} <= 1e-5 of full scale", worst));
  }
  std::printf("load average %s", load_average().c_str());
  std::filesystem::remove_all(root);
  return ok ? 0 : 1;
}
