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
#include "report/result_set.hpp"
#include "report/run_outputs.hpp"
#include "runner/noise_job.hpp"
#include "runner/read_job.hpp"
#include "runner/run_job.hpp"
#include "runner/transient_job.hpp"

namespace xbar {

namespace fs = std::filesystem;

namespace {

// Leaves the simulator's own words and the netlist where the user can read
// them, as the folder's whole result set: every result file of an earlier run
// goes, so none can be mistaken for this one's.
void keep_failure_evidence(const fs::path& dir, const std::vector<std::string>& netlist, const std::string& log) {
  ResultSetWriter set(dir);
  if (!netlist.empty())
    set.write("netlist.cir", [&](std::ostream& out) {
      for (const auto& l : netlist) out << l << '\n';
    });
  if (!log.empty()) set.write("ngspice.log", log);
  set.commit();
}

// Ctrl-C or SIGTERM: says what was kept; the exit code shells use (130 for SIGINT).
int report_interrupt(const fs::path& dir, bool outputs_written) {
  if (outputs_written)
    fmt::print(stderr, "xbar: interrupted; this run had finished, its outputs are complete in {}\n", dir.string());
  else
    fmt::print(stderr, "xbar: interrupted; the simulation was stopped and no outputs were written{}\n",
               fs::exists(dir) ? fmt::format(" ({} holds only what was there before)", dir.string()) : "");
  return interrupted_exit_code();
}

// The few figures a user looks at first; the files hold the rest.
void print_run_summary(const RunResult& r) {
  const Config& c = r.config;
  fmt::print("{}: {}x{} {} {} via {}, {} vector(s), {:.3f} s\n", c.name, r.tile.rows, r.tile.cols,
             to_string(r.tile.cell), to_string(c.analysis.type), to_string(c.simulator.engine), r.tile.vectors(),
             r.elapsed_s);
  if (r.read) {
    const ReadSample& s = r.read->stored;
    fmt::print("  i_sense {:.4e} A  i_cell {:.4e} A  i_sneak {:.4e} A  sneak_fraction {:.4f}\n", s.i_sense, s.i_cell,
               s.i_sneak, s.sneak_fraction);
    fmt::print("  read_margin {:.4f}{}\n", r.read->read_margin,
               r.read->path_factor ? fmt::format("  path estimate / SPICE sneak {:.3g}", *r.read->path_factor) : "");
    return;
  }
  const Metrics& m = r.analysis.metrics;
  auto shown = [](const std::optional<double>& v) { return v ? fmt::format("{:.4e}", *v) : "not computed"; };
  const std::string rel = fmt::format("max_rel_err {:.4e}  mean_rel_err {:.4e}  nrmse {:.4e}  max_ir_drop {}",
                                      m.max_rel_err, m.mean_rel_err, m.nrmse, shown(m.max_ir_drop));
  const std::string fs = fmt::format("max_err_fs {}  mean_err_fs {}  (of full scale {:.4e} A)", shown(m.max_err_fs),
                                     shown(m.mean_err_fs), r.tile.i_full_scale);
  // A signed output (2T2R) crosses 0, where a relative error means nothing:
  // the error over the column's full scale leads there.
  if (r.tile.cell->differential)
    fmt::print("  {}\n  {}\n", fs, rel);
  else
    fmt::print("  {}\n  {}\n", rel, fs);
  fmt::print("  against the intended weights: max_rel_err_target {}  nrmse_target {}\n", shown(m.max_rel_err_target),
             shown(m.nrmse_target));
  if (m.spice_vs_nodal) fmt::print("  spice_vs_nodal {:.3e}\n", *m.spice_vs_nodal);
  if (r.noise) {
    const NoiseSummary sum = summarize_noise(r);
    fmt::print("  noise over {:g}..{:g} Hz: max {:.4e} A rms  min ENOB {:.2f}  min SNR {}{}\n", r.noise->options.f_min,
               r.noise->options.f_max, sum.max_i_rms, sum.min_enob,
               sum.min_snr_db ? fmt::format("{:.2f} dB", *sum.min_snr_db) : "not computed",
               r.noise->spice_vs_nodal ? fmt::format("  ngspice vs xbar {:.3e}", *r.noise->spice_vs_nodal) : "");
  }
  if (r.transient) {
    const TransientSummary sum = summarize_transient(*r.transient);
    fmt::print("  energy per MVM {:.4e} J  max settling time {:.4e} s\n", sum.energy_per_mvm_j, sum.max_settle_s);
  }
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
  ctx.resources.max_memory_bytes = max_memory_gb >= 0 ? max_memory_gb * 1e9 : default_memory_limit_bytes();
  ctx.limits.memory_limit_bytes = static_cast<std::size_t>(ctx.resources.max_memory_bytes);
  std::vector<std::string> netlist;
  RunResult r;
  try {
    r = run_job(config, ctx, &netlist);
  } catch (const SimulationError& e) {
    reporter.finish();
    if (interrupt_signal() != 0) return report_interrupt(dir, false);
    try {
      keep_failure_evidence(dir, netlist, e.detail());
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
  print_run_summary(r);
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
