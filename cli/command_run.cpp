// xbar run / gen / check.
#include <filesystem>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "cli/interrupt.hpp"
#include "cli/terminal_reporter.hpp"
#include "common/atomic_file.hpp"
#include "common/exit_codes.hpp"
#include "common/output_path.hpp"
#include "config_loader/loader.hpp"
#include "report/analysis_outputs.hpp"
#include "report/failure_evidence.hpp"
#include "report/run_outputs.hpp"
#include "runner/run_job.hpp"

namespace xbar {

namespace fs = std::filesystem;

namespace {

// Ctrl-C or SIGTERM: says what was kept; the exit code shells use (130 for SIGINT).
int report_interrupt(const fs::path& dir, bool outputs_written) {
  if (outputs_written)
    fmt::print(stderr, "xbar: interrupted; this run had finished, its outputs are complete in {}\n", dir.string());
  else
    fmt::print(stderr, "xbar: interrupted; the simulation was stopped and no outputs were written{}\n",
               fs::exists(dir) ? fmt::format(" ({} holds only what was there before)", dir.string()) : "");
  return interrupted_exit_code();
}

}  // namespace

int command_run(const CommonOptions& opt, const std::string& out_dir, double time_limit_s, double max_memory_gb) {
  install_interrupt_handlers();
  TerminalReporter reporter(opt.verbose);
  const Config config = load_config(opt.config, opt.sets);
  const fs::path dir = out_dir.empty() ? fs::path(config.output.dir) : fs::path(out_dir);
  if (const std::string why = output_dir_problem(dir); !why.empty())
    throw InputError(out_dir.empty() ? config.where("output.dir") : SourcePos{"command line (-o)", 0, 0},
                     "cannot use the output folder: " + why);
  RunContext ctx;
  ctx.reporter = &reporter;
  ctx.limits.time_limit_s = time_limit_s;
  ctx.resources.time_limit_s = time_limit_s;
  // The estimate of every engine is checked against the limit before the run;
  // the simulator children also get it as a hard limit (not given (< 0): the
  // default limit; 0: none).
  ctx.resources.max_memory_bytes = memory_limit_from_option(max_memory_gb);
  ctx.limits.memory_limit_bytes = static_cast<std::size_t>(ctx.resources.max_memory_bytes);
  std::vector<std::string> netlist;
  RunResult r;
  try {
    r = run_job(config, ctx, &netlist);
  } catch (const SimulationError& e) {
    reporter.finish();
    if (interrupt_signal() != 0) return report_interrupt(dir, false);
    try {
      // Every result file of an earlier run goes, so none can be mistaken for this one's.
      write_failure_evidence(dir, {.netlist = netlist, .log = e.detail(), .error = {}});
      if (!netlist.empty() || !e.detail().empty())  // the nodal engine leaves neither
        fmt::print(stderr, "xbar: the netlist and the ngspice log are in {}\n", dir.string());
    } catch (const fs::filesystem_error& io) {
      fmt::print(stderr, "xbar: the netlist and the ngspice log could not be kept: {}\n", io.what());
    }
    throw;
  }
  if (interrupt_signal() != 0) {
    reporter.finish();
    return report_interrupt(dir, false);
  }
  {
    DeferInterrupts hold;  // all output files, or none
    reporter.phase("writing the output files");
    write_run_outputs(r, dir);
  }
  reporter.finish();
  if (interrupt_signal() != 0) return report_interrupt(dir, true);
  for (const auto& w : r.warnings) fmt::print(stderr, "{}\n", w);  // each names its source
  fmt::print("{}", terminal_summary(r));
  fmt::print("  outputs in {}\n", dir.string());
  return kExitOk;
}

int command_gen(const CommonOptions& opt, const std::string& out_file) {
  const Config config = load_config(opt.config, opt.sets);
  if (!out_file.empty() && out_file != "-")
    if (const std::string why = output_file_problem(out_file); !why.empty())
      throw InputError(SourcePos{"command line (-o)", 0, 0}, "cannot write the netlist: " + why);
  const std::vector<std::string> netlist = generate_standalone_netlist(config);
  auto write = [&](std::ostream& out) {
    for (const auto& l : netlist) out << l << '\n';
  };
  if (out_file.empty() || out_file == "-") {
    write_stdout(write);
    return kExitOk;
  }
  write_file_atomically(out_file, write);
  fmt::print(stderr, "xbar: wrote {} ({} lines); it runs as it is: ngspice -b {}\n", out_file, netlist.size(),
             out_file);
  return kExitOk;
}

int command_check(const CommonOptions& opt) {
  const Config config = load_config(opt.config, opt.sets);
  validate_job(config, RunContext{}.resources);  // the limits `xbar run` applies by default
  const std::string text = resolved_yaml(config);
  write_stdout([&](std::ostream& out) { out << text; });
  return kExitOk;
}

}  // namespace xbar
