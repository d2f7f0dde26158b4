// netlist_bench: the work `xbar run` does before ngspice can start, on a
// config's tile: TileSpec -> Circuit (build_tile_circuit), the structural
// check (require_sound_circuit), and the netlist lines (write_spice_netlist).
// CPU seconds of each phase, median of REPEATS, the total of the first
// repetition (what one `xbar run` pays: every page fresh) and the best total,
// and a checksum (FNV-1a of the netlist text) so two builds can be checked to
// write the same bytes.
//   netlist_bench [CONFIG] [REPEATS] [SIZE...]   (default configs/example.yaml 7 256 512)
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "config_loader/loader.hpp"
#include "netlist_gen/circuit.hpp"
#include "netlist_gen/tile_builder.hpp"

using namespace xbar;

namespace {

double cpu_now() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

std::uint64_t fnv1a(const std::vector<std::string>& lines) {
  std::uint64_t h = 1469598103934665603ull;
  for (const auto& l : lines) {
    for (unsigned char ch : l) h = (h ^ ch) * 1099511628211ull;
    h = (h ^ '\n') * 1099511628211ull;
  }
  return h;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const std::string config = argc > 1 ? argv[1] : "configs/example.yaml";
  const int repeats = argc > 2 ? std::max(1, std::atoi(argv[2])) : 7;
  std::vector<int> sizes;
  for (int k = 3; k < argc; ++k) sizes.push_back(std::atoi(argv[k]));
  if (sizes.empty()) sizes = {256, 512};
  std::printf("%-8s %10s %10s %10s %10s %11s %10s %8s %18s\n", "size", "build_s", "check_s", "write_s", "total_s",
              "first_tot_s", "best_tot_s", "lines", "checksum");
  for (int n : sizes) {
    const std::string r = "tile.rows=" + std::to_string(n), c = "tile.cols=" + std::to_string(n);
    const TileSpec tile = build_tile_spec(load_config(config, {r, c}));
    std::vector<double> build, check, write, total;
    std::size_t lines = 0;
    std::uint64_t sum = 0;
    for (int k = 0; k < repeats; ++k) {
      const double t0 = cpu_now();
      const Circuit circuit = build_tile_circuit(tile);
      const double t1 = cpu_now();
      require_sound_circuit(circuit, tile, "circuit");
      const double t2 = cpu_now();
      const std::vector<std::string> netlist = write_spice_netlist(circuit);
      const double t3 = cpu_now();
      build.push_back(t1 - t0);
      check.push_back(t2 - t1);
      write.push_back(t3 - t2);
      total.push_back(t3 - t0);
      lines = netlist.size();
      sum = fnv1a(netlist);
    }
    std::printf("%-8s %10.4f %10.4f %10.4f %10.4f %11.4f %10.4f %8zu %016llx\n",
                (std::to_string(n) + "x" + std::to_string(n)).c_str(), median(build), median(check), median(write),
                median(total), total.front(), *std::min_element(total.begin(), total.end()), lines,
                static_cast<unsigned long long>(sum));
  }
  return 0;
}
