// xbar network: a classifier's accuracy and energy on the config's tiles.
#include <unistd.h>
#include <filesystem>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "common/diagnostics.hpp"
#include "common/exit_codes.hpp"
#include "common/output_path.hpp"
#include "config_loader/loader.hpp"
#include "network/network_outputs.hpp"
#include "network/network_run.hpp"

namespace xbar {

namespace fs = std::filesystem;

int command_network(const CommonOptions& opt, const std::string& out_dir) {
  const Config config = load_config(opt.config, opt.sets);
  const fs::path dir = out_dir.empty() ? fs::path(config.output.dir) : fs::path(out_dir);
  if (const std::string why = output_dir_problem(dir); !why.empty())
    throw InputError(SourcePos{out_dir.empty() ? opt.config : "-o", 0, 0}, why);
  const bool tty = isatty(STDERR_FILENO) != 0;
  const NetworkProgress progress = [&](const std::string& msg) {
    if (tty || opt.verbose) fmt::print(stderr, "  {}\n", msg);
  };
  const NetworkResult r = run_network(config, progress);
  write_network_outputs(dir, config, r);
  fmt::print("{}: {} test images, {} layers on {}x{} tiles ({} engine), {:.1f} s\n", config.name, r.images,
             r.layers.size(), config.tile.rows, config.tile.cols, r.engine, r.seconds);
  fmt::print("  accuracy float {:.4f}  quantized {:.4f}  circuit {:.4f}\n", r.acc_float, r.acc_quantized,
             r.acc_circuit);
  fmt::print("  per inference: energy {:.4e} J  latency {:.3e} s  {:.3g} TOPS/W\n", r.energy, r.latency, r.tops_per_w);
  if (r.transfer_check_images)
    fmt::print("  transfer matrix vs direct nodal: {:.2e} (worst tile, {} images)\n", r.transfer_check_max_rel,
               r.transfer_check_images);
  if (r.spice_images) fmt::print("  SPICE vs nodal: {:.2e} (worst tile, {} images)\n", r.spice_max_rel, r.spice_images);
  fmt::print("  outputs in {}\n", fs::absolute(dir).string());
  return kExitOk;
}

}  // namespace xbar
