// xbar montecarlo: N samples of a config on the sweep's workers, then their
// statistics (montecarlo/README.md).
#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/sweep_cli.hpp"
#include "common/diagnostics.hpp"
#include "common/exit_codes.hpp"
#include "montecarlo/montecarlo_run.hpp"

namespace xbar {

namespace fs = std::filesystem;

namespace {

SweepCli g_mc;

void print_yield(const std::string& what, const YieldResult& y, double confidence) {
  fmt::print("  {:<28} yield {:.4f}  [{:.4f}, {:.4f}] ({:g} % Clopper-Pearson), {} of {}\n", what, y.value,
             y.interval.low, y.interval.high, 100 * confidence, y.pass, y.samples);
}

}  // namespace

CLI::App* add_montecarlo_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("montecarlo", "run montecarlo.samples samples of a config; statistics and yield");
  cmd->add_option("CONFIG", g_mc.config, "YAML config file with a montecarlo: section")->required();
  add_sweep_run_options(cmd, g_mc);
  return cmd;
}

int command_montecarlo() {
  const Config config = load_montecarlo_config(g_mc.config, g_mc.sets);
  SweepOptions opt = sweep_options(g_mc);
  opt.config_path = g_mc.config;
  opt.sets = g_mc.sets;
  for (auto& s : montecarlo_sweep_sets(config)) opt.sets.push_back(std::move(s));
  // The workers are forked from here, so they share these tables in memory
  // as well as through the cache.
  if (const TransistorTableReport t = prefill_transistor_tables(config); t.characterised > 0 && !g_mc.quiet)
    fmt::print(stderr, "xbar: swept {} transistor table(s) for sample 0 in {:.1f} s{}\n", t.characterised, t.seconds,
               transistor_cache_dir().empty() ? " (no cache folder: kept in memory for the workers)" : "");
  const std::optional<SweepOutcome> run = run_sweep_with_progress(opt, g_mc);
  if (!run) return kExitOk;  // a rank other than 0: rank 0 reports
  const SweepOutcome& r = *run;
  if (r.interrupted) return report_interruption(r, "montecarlo", r.dir);
  const MonteCarloStatistics st = write_montecarlo_statistics(config, r.dir);
  fmt::print("{}: {} Monte-Carlo sample(s) of {} ({} failed), seed {}, {:.1f} s\n", config.name, st.samples,
             config.montecarlo.samples, st.failed, config.montecarlo.seed, r.progress.elapsed_s);
  for (const auto& [name, m] : st.metrics) {
    if (!m.yield) continue;
    print_yield(fmt::format("{} {} {:g}", name, m.yield->upper ? "<=" : ">=", m.yield->limit), *m.yield, st.confidence);
  }
  if (st.overall) print_yield("all limits", *st.overall, st.confidence);
  fmt::print("  outputs in {}\n", fs::absolute(r.dir).string());
  return st.failed ? kExitSimFailed : kExitOk;
}

}  // namespace xbar
