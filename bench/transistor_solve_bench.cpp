// The nodal engine's outer iteration on transistor cells (nodal/README.md,
// "Transistor tiles"): CPU time, Newton and CG iterations of
//   - op: the 256x256 1T1R BSIM4 tile of transistor_nodal_bench;
//   - read: one read (the stored pattern) of an N x N 1T1R tile (level-1 card,
//     read_nodal_bench's tile) in every bias scheme;
//   - images: a 128x128 1T1R BSIM4 tile of the network benchmark's card (W/L
//     0.5/0.1 um, gate 1.2 V, 1 ohm wires, virtual ground) with K input
//     vectors, 8-bit DAC levels of Fashion-MNIST pixels (rows 256..383 of each
//     image's 784, as the network's first layer feeds its third row tile).
// Tables are built before the clock starts; every solve runs on one thread.
// Prints a checksum of the currents, so two builds can be compared.
//   build/bench/transistor_solve_bench [--read-size N] [--images K] [--repeats R] [--only op|read|images]
#include <sys/resource.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <omp.h>

#include "config_loader/loader.hpp"
#include "device_tables/transistor_tables.hpp"
#include "netlist_gen/read_circuit.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "network/idx_reader.hpp"
#include "nodal/nodal_solver.hpp"

using namespace xbar;

namespace {

double cpu() {
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec + 1e-6 * (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

TileSpec tile_of(const std::string& yaml) { return build_tile_spec(load_config_text(yaml, "bench.yaml", ".", {})); }

// Best CPU time of `repeats` solves; the report and the column-current sum of the last.
struct Timed {
  double cpu_s = 1e300;
  NodalReport report;
  double checksum = 0;
};

Timed timed(const TileSpec& t, const NodalOptions& opt, int repeats) {
  Timed r;
  for (int k = 0; k < repeats; ++k) {
    const double c0 = cpu();
    const TileSolution s = solve_nodal(t, opt, &r.report);
    r.cpu_s = std::min(r.cpu_s, cpu() - c0);
    r.checksum = 0;
    for (const auto& v : s.column_current)
      for (double i : v) r.checksum += i;
  }
  return r;
}

void print(const std::string& what, const Timed& r, int vectors) {
  fmt::print("| {} | {:.4f} | {} | {} | {:.3f} | {:.17g} |\n", what, r.cpu_s, r.report.newton_iterations,
             r.report.linear_iterations, static_cast<double>(r.report.linear_iterations) / std::max(vectors, 1),
             r.checksum);
  std::fflush(stdout);
}

void op(int repeats) {
  const TileSpec t = tile_of(
      "tile: {rows: 256, cols: 256, cell: 1T1R}\n"
      "device: {g_on: 100u, g_off: 1u}\n"
      "weights: {source: random, seed: 5}\n"
      "inputs: {source: random, seed: 6, vectors: 1, v_read: 0.3}\n"
      "parasitics: {r_wl: 1, r_bl: 1, r_gl: 1}\n"
      "periphery: {r_driver: 100, r_sense: 50}\n"
      "transistor: {model: nmos, w: 90n, l: 45n, v_gate: 1.0}\n");
  const auto tables = transistor_tables(t);
  NodalOptions opt;
  opt.transistor_tables = tables.get();
  print("op 256x256 BSIM4", timed(t, opt, repeats), 1);
}

void reads(int n, int repeats) {
  const TileSpec t =
      tile_of(fmt::format("tile: {{rows: {0}, cols: {0}, cell: 1T1R}}\n"
                          "device: {{g_on: 100u, g_off: 2u}}\n"
                          "weights: {{source: random, seed: 41}}\n"
                          "parasitics: {{r_wl: 2.5, r_bl: 3, r_gl: 5}}\n"
                          "transistor: {{model: nmos_level1}}\n",
                          n));
  for (ReadBias b : {ReadBias::kFloating, ReadBias::kGrounded, ReadBias::kHalf, ReadBias::kThird}) {
    const ReadSetup s{n / 2, n / 3, 0.2, b};
    const ReadLines lowered = read_lines(t, s);
    const auto tables = transistor_tables(lowered.tile);
    NodalOptions opt;
    opt.transistor_tables = tables.get();
    opt.terminals = &lowered.lines;
    print(fmt::format("read {0}x{0} level 1 {1}", n, to_string(b)), timed(lowered.tile, opt, repeats), 1);
  }
}

void images(int k, int repeats) {
  TileSpec t = tile_of(
      "tile: {rows: 128, cols: 128, cell: 1T1R}\n"
      "device: {g_on: 100u, g_off: 1u}\n"
      "weights: {source: random, seed: 7}\n"
      "inputs: {vectors: 1, v_read: 0.2}\n"
      "parasitics: {r_wl: 1, r_bl: 1}\n"
      "periphery: {r_driver: 0, r_sense: 0, sense: virtual_ground}\n"
      "transistor: {model: nmos, w: 0.5u, l: 0.1u, v_gate: 1.2}\n");
  const std::string dir = "/usr/share/datasets/fashion-mnist/";
  const IdxDataset d = read_idx_dataset(dir + "t10k-images-idx3-ubyte.gz", dir + "t10k-labels-idx1-ubyte.gz", k);
  t.inputs.assign(k, std::vector<double>(128));
  for (int v = 0; v < k; ++v)
    for (int i = 0; i < 128; ++i)
      t.inputs[v][i] = 0.2 * std::round(255 * d.pixels[static_cast<std::size_t>(v) * 784 + 256 + i]) / 255;
  const auto tables = transistor_tables(t);
  NodalOptions opt;
  opt.transistor_tables = tables.get();
  opt.node_voltages = false;
  print(fmt::format("128x128 BSIM4, {} images", k), timed(t, opt, repeats), k);
}

}  // namespace

int main(int argc, char** argv) {
  int read_size = 256, image_count = 64, repeats = 3;
  std::string only;
  for (int a = 1; a < argc; ++a) {
    const std::string s = argv[a];
    if (s == "--read-size" && a + 1 < argc)
      read_size = std::atoi(argv[++a]);
    else if (s == "--images" && a + 1 < argc)
      image_count = std::atoi(argv[++a]);
    else if (s == "--repeats" && a + 1 < argc)
      repeats = std::atoi(argv[++a]);
    else if (s == "--only" && a + 1 < argc)
      only = argv[++a];
    else {
      fmt::print(stderr,
                 "usage: transistor_solve_bench [--read-size N] [--images K] [--repeats R] [--only op|read|images]\n");
      return 2;
    }
  }
  omp_set_num_threads(1);
  fmt::print(
      "| case | CPU s (best of {}) | Newton | CG | CG per vector | checksum A |\n| --- | --- | --- | --- | --- | --- "
      "|\n",
      repeats);
  if (only.empty() || only == "op") op(repeats);
  if (only.empty() || only == "read") reads(read_size, repeats);
  if (only.empty() || only == "images") images(image_count, repeats);
  return 0;
}
