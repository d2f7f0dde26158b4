// sweep_bench: the two numbers issue 5 is checked by.
//  1. Throughput of a 40-point sweep of 64x64 tiles with 2 workers against 1,
//     measured in the same run (target: at least 1.7x).
//  2. A worker's resident memory after 1,000 small jobs against after 10
//     (target: within 10 %).
// Usage: sweep_bench [POINTS] [SMALL_JOBS]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "sweep/point_job.hpp"
#include "sweep/sweep_runner.hpp"

using namespace xbar;
namespace fs = std::filesystem;

namespace {

class Quiet : public SweepObserver {};

double sweep_seconds(const std::string& config, const fs::path& out, int jobs) {
  fs::remove_all(out);
  SweepOptions opt;
  opt.config_path = config;
  opt.out_dir = out;
  opt.jobs = jobs;
  Quiet quiet;
  const auto t0 = std::chrono::steady_clock::now();
  SweepOutcome r = run_sweep(opt, quiet, nullptr);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (r.progress.failed) std::fprintf(stderr, "warning: %zu point(s) failed\n", r.progress.failed);
  return s;
}

}  // namespace

int main(int argc, char** argv) {
  const int points = argc > 1 ? std::stoi(argv[1]) : 40;
  const int small_jobs = argc > 2 ? std::stoi(argv[2]) : 1000;
  const fs::path dir = fs::temp_directory_path() / ("xbar_sweep_bench_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  const std::string big = (dir / "big.yaml").string();
  std::ofstream(big) << "name: bench\ntile: {rows: 64, cols: 64}\nsweep:\n  params:\n"
                        "    weights.seed: {from: 1, to: "
                     << points << ", steps: " << points << "}\n";
  const double t1 = sweep_seconds(big, dir / "j1", 1);
  const double t2 = sweep_seconds(big, dir / "j2", 2);
  std::printf("throughput: %d points of 64x64: -j 1 %.2f s (%.2f points/s), -j 2 %.2f s (%.2f points/s), ratio %.2f\n",
              points, t1, points / t1, t2, points / t2, t1 / t2);

  // One worker, never recycled, running small jobs; its RSS as it reports it.
  const std::string small = (dir / "small.yaml").string();
  std::ofstream(small) << "name: small\ntile: {rows: 8, cols: 8}\nsweep:\n  params:\n"
                          "    weights.seed: {from: 1, to: "
                       << small_jobs << ", steps: " << small_jobs << "}\n";
  SweepPlan plan = plan_sweep(small, {}, dir / "small");
  PoolLimits limits;
  limits.recycle_after = 0;  // never
  const SweepSetup setup = plan.setup;
  WorkerPool pool(1, limits, [&setup](std::size_t p, Simulator& sim) { return run_point(setup, p, sim); });
  std::size_t rss10 = 0, rss_last = 0, jobs = 0, failed = 0;
  const auto t0 = std::chrono::steady_clock::now();
  for (int p = 0; p < small_jobs; ++p) {
    pool.submit(static_cast<std::size_t>(p));
    while (pool.busy())
      for (auto& c : pool.wait(1000)) {
        ++jobs;
        if (!c.record.ok) ++failed;
        if (c.worker_jobs == 10) rss10 = c.worker_rss_bytes;
        rss_last = c.worker_rss_bytes;
      }
  }
  const double ts = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  pool.stop();
  std::printf(
      "memory: worker RSS after 10 jobs %.1f MB, after %zu jobs %.1f MB (%+.1f %%); %zu failed; %.2f ms per 8x8 job\n",
      rss10 / 1e6, jobs, rss_last / 1e6, 100.0 * (double(rss_last) - double(rss10)) / double(rss10), failed,
      1e3 * ts / jobs);
  fs::remove_all(dir);
  const bool ok = t1 / t2 >= 1.7 && rss_last <= rss10 * 1.1 && failed == 0;
  std::printf("%s\n", ok ? "PASS" : "FAIL (see targets above)");
  return ok ? 0 : 1;
}
