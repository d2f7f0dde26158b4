// nodal_bench: structured nodal solver vs the general sparse direct solve
// (CHOLMOD) on random 1R tiles, plus a batch of 1000 input vectors, then
// PASS/FAIL lines for the targets: 512x512 <= 1 s, 1024x1024 <= 5 s and
// <= 1 GB (measured in a forked child, so nothing else counts), batch of 1000
// on 128x128 <= 2 s.  Exit code 1 on any FAIL, or if any column current differs
// by more than 1e-9 relative between the two solvers.
//   nodal_bench [--no-direct]   (--no-direct: skip CHOLMOD, the slow part)
// The SPICE comparison is bench/nodal_vs_spice.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <random>
#include <string>
#include <vector>

#include "nodal/nodal_solver.hpp"
#include "nodal/sparse_reference.hpp"

using namespace xbar;

namespace {

TileSpec random_tile(int n, double r_wire, SenseKind sense, int vectors, unsigned seed) {
  TileSpec t;
  t.name = "bench";
  t.rows = t.cols = n;
  std::mt19937 rng(seed);
  std::uniform_real_distribution<double> g(1e-6, 100e-6), v(0.0, 0.2);
  t.g.resize(static_cast<std::size_t>(n) * n);
  for (auto& x : t.g) x = g(rng);
  t.inputs.assign(vectors, std::vector<double>(n));
  for (auto& vec : t.inputs)
    for (auto& x : vec) x = v(rng);
  t.r_wl = t.r_bl = r_wire;
  t.sense = sense;
  return t;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

double max_rel_diff(const TileSolution& a, const TileSolution& b) {
  double m = 0;
  for (std::size_t v = 0; v < a.column_current.size(); ++v)
    for (std::size_t j = 0; j < a.column_current[v].size(); ++j) {
      const double ref = b.column_current[v][j];
      m = std::max(m, std::abs(a.column_current[v][j] - ref) / std::abs(ref));
    }
  return m;
}

// Peak resident memory of one solve of an n x n tile, alone in a forked child:
// MB, or -1 if the child failed.
double solve_peak_rss_mb(int n) {
  std::fflush(nullptr);  // else the child holds a copy of stdout's buffer, which a flush there prints again
  const pid_t pid = fork();
  if (pid == 0) {
    const TileSolution s = solve_nodal(random_tile(n, 1.0, SenseKind::kVirtualGround, 1, 42));
    _exit(s.vectors == 1 ? 0 : 1);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) return -1;
  rusage ru{};
  getrusage(RUSAGE_CHILDREN, &ru);
  return static_cast<double>(ru.ru_maxrss) / 1024.0;
}

void target(bool& ok, bool met, const char* what, double value, const char* unit, double limit) {
  std::printf("%s %s: %.3f %s, target <= %.0f %s\n", met ? "PASS" : "FAIL", what, value, unit, limit, unit);
  ok = ok && met;
}

}  // namespace

int main(int argc, char** argv) {
  const bool direct = !(argc > 1 && std::string(argv[1]) == "--no-direct");
  bool ok = true;
  const double rss_1024 = solve_peak_rss_mb(1024);
  double wall_512 = 0, wall_1024 = 0;
  // Wall times on a shared machine vary with its load; nodal_cpu_s is the
  // process CPU time of the nodal solve (single-threaded for one vector).
  std::printf("%-22s %8s %11s %9s %8s %6s %12s\n", "case", "nodal_s", "nodal_cpu_s", "direct_s", "ratio", "cg_it",
              "max_rel_diff");
  struct Case {
    int n;
    double r;
    SenseKind sense;
    const char* label;
  };
  const Case cases[] = {{128, 1.0, SenseKind::kVirtualGround, "vg"}, {256, 1.0, SenseKind::kVirtualGround, "vg"},
                        {512, 1.0, SenseKind::kVirtualGround, "vg"}, {1024, 1.0, SenseKind::kVirtualGround, "vg"},
                        {512, 2.5, SenseKind::kVirtualGround, "vg"}, {512, 2.5, SenseKind::kTia, "tia"}};
  for (const auto& c : cases) {
    const TileSpec t = random_tile(c.n, c.r, c.sense, 1, 42);
    NodalReport rep;
    auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    const TileSolution a = solve_nodal(t, {}, &rep);
    const double cpu_nodal = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    const double t_nodal = seconds_since(t0);
    if (c.n == 512 && c.r == 1.0) wall_512 = t_nodal;
    if (c.n == 1024) wall_1024 = t_nodal;
    double t_direct = NAN, diff = NAN;
    if (direct) {
      t0 = std::chrono::steady_clock::now();
      const TileSolution b = solve_tile_sparse_direct(t);
      t_direct = seconds_since(t0);
      diff = max_rel_diff(a, b);
      ok = ok && diff <= 1e-9;
    }
    const std::string name =
        std::to_string(c.n) + "x" + std::to_string(c.n) + " r=" + std::to_string(c.r).substr(0, 3) + " " + c.label;
    std::printf("%-22s %8.3f %11.3f %9.3f %8.1f %6d %12.2e\n", name.c_str(), t_nodal, cpu_nodal, t_direct,
                t_direct / t_nodal, rep.linear_iterations, diff);
    std::fflush(stdout);
  }
  double wall_batch = 0;
  {
    const TileSpec t = random_tile(128, 1.0, SenseKind::kVirtualGround, 1000, 7);
    NodalReport rep;
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    const TileSolution a = solve_nodal(t, {}, &rep);
    const double cpu_batch = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    const double t_batch = seconds_since(t0);
    wall_batch = t_batch;
    std::printf(
        "batch 1000 x 128x128 vg: wall %.3f s, cpu %.3f s (all threads), "
        "%.2f ms cpu/vector, %.1f CG iterations/vector\n",
        t_batch, cpu_batch, cpu_batch, rep.linear_iterations / 1000.0);
    ok = ok && a.vectors == 1000;
    if (direct) {
      TileSpec first = t;
      first.inputs.resize(20);
      const double diff = max_rel_diff(solve_nodal(first), solve_tile_sparse_direct(first));
      std::printf("batch first 20 vectors vs direct: max_rel_diff %.2e\n", diff);
      ok = ok && diff <= 1e-9;
    }
  }
  target(ok, wall_512 <= 1.0, "512x512 nodal wall", wall_512, "s", 1.0);
  target(ok, wall_1024 <= 5.0, "1024x1024 nodal wall", wall_1024, "s", 5.0);
  target(ok, rss_1024 > 0 && rss_1024 <= 1024.0, "1024x1024 nodal peak memory (alone)", rss_1024, "MB", 1024.0);
  target(ok, wall_batch <= 2.0, "batch 1000 x 128x128 wall", wall_batch, "s", 2.0);
  return ok ? 0 : 1;
}
