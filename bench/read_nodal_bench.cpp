// Read mode on the nodal engine (bench/README.md):
//  1. agreement: the same read solved by SPICE and by the nodal engine on
//     sizes beyond the unit test (default 64 and 128; 1T1R floating only up
//     to 64, where SPICE is slow), every bias scheme; difference = worst of
//     i_sense, i_array, i_cell, i_sneak relative to SPICE's |i_sense|;
//     PASS/FAIL at <= 1e-6;
//  2. speed: `xbar run`'s read job (three reads: stored, LRS, HRS, plus the
//     sneak-path enumeration) on the nodal engine at 1024x1024 for 1R and
//     1T1R (level-1 card), every bias scheme, each alone in a forked child:
//     wall and CPU time (the machine is shared: CPU time is the cost) and
//     peak RSS.
//   read_nodal_bench [--sizes 64,128] [--big 1024] [--no-agreement] [--no-speed]
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "config_loader/loader.hpp"
#include "netlist_gen/read_circuit.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "runner/read_job.hpp"
#include "runner/run_job.hpp"
#include "spice_bridge/simulator.hpp"

using namespace xbar;

namespace {

constexpr ReadBias kSchemes[] = {ReadBias::kFloating, ReadBias::kGrounded, ReadBias::kHalf, ReadBias::kThird};

std::string yaml(int n, const std::string& cell, const std::string& extra) {
  return fmt::format(
      "tile: {{rows: {0}, cols: {0}, cell: {1}}}\n"
      "device: {{g_on: 100u, g_off: 2u}}\n"
      "weights: {{source: random, seed: 41}}\n"
      "parasitics: {{r_wl: 2.5, r_bl: 3, r_gl: 5}}\n"
      "{2}",
      n, cell, extra);
}

Config config_of(const std::string& text) { return load_config_text(text, "bench.yaml", ".", {}); }

double seconds(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

bool agreement(const std::vector<int>& sizes) {
  std::unique_ptr<Simulator> sim = make_ngspice_simulator();
  bool ok = true;
  fmt::print("| cell | size | bias | nodal vs SPICE (of I_sense) | SPICE s | nodal s | sneak fraction |\n");
  fmt::print("| --- | --- | --- | --- | --- | --- | --- |\n");
  struct Kind {
    const char* name;
    std::string cell, extra;
    double v_read;
    int floating_max;
  };
  const Kind kinds[] = {{"1R", "1R", "", 0.2, 1 << 30},
                        {"1S1R", "1S1R", "", 1.0, 1 << 30},
                        {"1T1R level 1", "1T1R", "transistor: {model: nmos_level1}\n", 0.2, 64},
                        {"1T1R BSIM4", "1T1R", "transistor: {model: nmos}\n", 0.2, 64}};
  for (const Kind& k : kinds)
    for (int n : sizes)
      for (ReadBias b : kSchemes) {
        if (b == ReadBias::kFloating && n > k.floating_max) continue;
        const TileSpec t = build_tile_spec(config_of(yaml(n, k.cell, k.extra)));
        const ReadSetup s{n / 2, n / 3, k.v_read, b};
        try {
          auto t0 = std::chrono::steady_clock::now();
          const ReadCircuit rc = build_read_circuit(t, s);
          const ReadSample sp = solve_read(rc, *sim, write_spice_netlist(rc.circuit));
          const double t_spice = seconds(t0);
          t0 = std::chrono::steady_clock::now();
          const ReadSample nd = solve_read_nodal(t, s);
          const double t_nodal = seconds(t0);
          const double fs = std::fabs(sp.i_sense);
          double d = 0;
          for (double x :
               {nd.i_sense - sp.i_sense, nd.i_array - sp.i_array, nd.i_cell - sp.i_cell, nd.i_sneak - sp.i_sneak})
            d = std::max(d, std::fabs(x) / fs);
          ok = ok && d <= 1e-6;
          fmt::print("| {} | {} | {} | {:.2e} {} | {:.3f} | {:.4f} | {:.4f} |\n", k.name, n, to_string(b), d,
                     d <= 1e-6 ? "PASS" : "FAIL", t_spice, t_nodal, sp.sneak_fraction);
        } catch (const std::exception& e) {
          ok = false;
          fmt::print("| {} | {} | {} | FAIL: {} | | | |\n", k.name, n, to_string(b), e.what());
        }
        std::fflush(stdout);
      }
  return ok;
}

// One read job in a forked child: wall time, peak RSS (MB), and its figures.
void speed(int n, const char* name, const std::string& cell, const std::string& extra, ReadBias b) {
  int pipe_fd[2];
  if (pipe(pipe_fd) != 0) return;
  std::fflush(
      nullptr);  // else the child's characterisation (it flushes before its own fork) prints stdout's buffer again
  const auto t0 = std::chrono::steady_clock::now();
  const pid_t pid = fork();
  if (pid == 0) {
    close(pipe_fd[0]);
    std::string text;
    try {
      Config c = config_of(yaml(n, cell,
                                extra + fmt::format("analysis: {{type: read, read: {{row: {}, col: {}, bias: {}}}}}\n"
                                                    "simulator: {{engine: nodal}}\n",
                                                    n / 2, n / 3, to_string(b))));
      RunContext ctx;
      const auto t1 = std::chrono::steady_clock::now();
      const RunResult r = run_job(c, ctx);
      const double job = seconds(t1);
      text = fmt::format("{:.3f} | {:.3f} {:.3f} {:.3f} | {:.4f} | {:.4f} | {:.3e}", job, r.read->stored.elapsed_s,
                         r.read->lrs.elapsed_s, r.read->hrs.elapsed_s, r.read->read_margin,
                         r.read->stored.sneak_fraction, r.read->stored.i_sense);
    } catch (const std::exception& e) {
      text = std::string("FAIL: ") + e.what();
    }
    if (write(pipe_fd[1], text.data(), text.size()) < 0) _exit(1);
    _exit(0);
  }
  close(pipe_fd[1]);
  std::string got;
  char buf[512];
  for (ssize_t k; (k = read(pipe_fd[0], buf, sizeof buf)) > 0;) got.append(buf, static_cast<std::size_t>(k));
  close(pipe_fd[0]);
  int status = 0;
  rusage ru{};
  wait4(pid, &status, 0, &ru);
  const double cpu = static_cast<double>(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
                     1e-6 * static_cast<double>(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
  fmt::print("| {} | {} | {} | {:.2f} | {:.2f} | {} | {:.0f} |\n", name, n, to_string(b), seconds(t0), cpu, got,
             static_cast<double>(ru.ru_maxrss) / 1024.0);
  std::fflush(stdout);
}

std::vector<int> parse_sizes(const char* s) {
  std::vector<int> out;
  for (const char* p = s; *p;) {
    out.push_back(std::atoi(p));
    while (*p && *p != ',') ++p;
    if (*p == ',') ++p;
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<int> sizes = {64, 128};
  int big = 1024;
  bool do_agreement = true, do_speed = true;
  for (int k = 1; k < argc; ++k) {
    const std::string a = argv[k];
    if (a == "--sizes" && k + 1 < argc)
      sizes = parse_sizes(argv[++k]);
    else if (a == "--big" && k + 1 < argc)
      big = std::atoi(argv[++k]);
    else if (a == "--no-agreement")
      do_agreement = false;
    else if (a == "--no-speed")
      do_speed = false;
    else {
      fmt::print(stderr, "usage: read_nodal_bench [--sizes 64,128] [--big 1024] [--no-agreement] [--no-speed]\n");
      return 2;
    }
  }
  bool ok = true;
  if (do_agreement) ok = agreement(sizes);
  if (do_speed) {
    fmt::print(
        "\n| cell | size | bias | child wall s | child CPU s | read job s | stored / LRS / HRS nodal s | read margin | "
        "sneak fraction | I_sense A | peak RSS MB |\n");
    fmt::print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for (ReadBias b : kSchemes) speed(big, "1R", "1R", "", b);
    for (ReadBias b : kSchemes) speed(big, "1T1R level 1", "1T1R", "transistor: {model: nmos_level1}\n", b);
  }
  fmt::print("{}\n", ok ? "PASS" : "FAIL");
  return ok ? 0 : 1;
}
