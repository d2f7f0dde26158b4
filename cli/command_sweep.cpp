// xbar sweep: many points of one config on worker processes, with progress on
// stderr, a journal that survives any crash, shards and merging for clusters.
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <csignal>
#include <filesystem>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/limit_options.hpp"
#include "cli/sweep_cli.hpp"
#include "common/diagnostics.hpp"
#include "common/exit_codes.hpp"
#include "runner/resource_guard.hpp"
#include "sweep/mpi_sweep.hpp"
#include "sweep/sweep_runner.hpp"
#include "sweep/sweep_store.hpp"

namespace xbar {

namespace fs = std::filesystem;

namespace {

SweepCli g_cli;
volatile std::sig_atomic_t g_stop_signal = 0;

extern "C" void on_stop_signal(int sig) { g_stop_signal = sig; }

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = 0;  // no SA_RESTART: a signal must wake the supervisor's poll
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

std::string clock_text(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return "?";
  const long s = std::lround(seconds);
  return s >= 3600 ? fmt::format("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
                   : fmt::format("{}:{:02}", s / 60, s % 60);
}

// Progress on stderr: a live bar on a terminal, a plain line every 10 s otherwise.
class ProgressPrinter : public SweepObserver {
 public:
  explicit ProgressPrinter(bool quiet) : live_(::isatty(STDERR_FILENO) == 1), quiet_(quiet) {}

  void started(const SweepProgress& p, const fs::path& dir) override {
    if (quiet_) return;
    fmt::print(stderr, "sweep: {} point(s) into {}", p.total, dir.string());
    if (p.resumed) fmt::print(stderr, " ({} already finished)", p.resumed);
    fmt::print(stderr, "\n");
  }

  void point_finished(const PointRecord& r, const SweepProgress& p) override {
    if (!r.ok) {
      clear_bar();
      fmt::print(stderr, "sweep: point {} failed: {}\n", r.point, r.error);
    }
    if (quiet_) return;
    const auto now = std::chrono::steady_clock::now();
    const bool last = p.done == p.total;
    if (!last && now - last_print_ < (live_ ? std::chrono::milliseconds(200) : std::chrono::seconds(10))) return;
    last_print_ = now;
    const std::size_t ran = p.done - p.resumed;
    const double rate = p.elapsed_s > 0 ? ran / p.elapsed_s : 0;
    const double eta = rate > 0 ? (p.total - p.done) / rate : NAN;
    const std::string text = fmt::format("{}/{} done, {} failed, {:.2f} points/s, elapsed {}, ETA {}", p.done, p.total,
                                         p.failed, rate, clock_text(p.elapsed_s), last ? "0:00" : clock_text(eta));
    if (live_) {
      constexpr int kWidth = 30;
      const int filled = p.total ? static_cast<int>(kWidth * p.done / p.total) : kWidth;
      fmt::print(stderr, "\r\033[K[{}{}] {}", std::string(filled, '#'), std::string(kWidth - filled, '.'), text);
      bar_shown_ = true;
      if (last) clear_bar(false);
    } else {
      fmt::print(stderr, "sweep: {}\n", text);
    }
  }

  void finish() { clear_bar(false); }

 private:
  void clear_bar(bool erase = true) {
    if (!bar_shown_) return;
    std::fputs(erase ? "\r\033[K" : "\n", stderr);
    bar_shown_ = false;
  }
  bool live_;
  bool quiet_;
  bool bar_shown_ = false;
  std::chrono::steady_clock::time_point last_print_{};
};

}  // namespace

void add_sweep_run_options(CLI::App* cmd, SweepCli& cli) {
  cmd->add_option("--set", cli.sets, "override a config key of every point: --set parasitics.r_wl=2.5")
      ->allow_extra_args(false);
  cmd->add_option("-o,--output", cli.out, "sweep folder (default: output.dir of the config)");
  cmd->add_option("-j,--jobs", cli.jobs, "worker processes (default: one per core)")->check(CLI::Range(1, 1024));
  cmd->add_flag("--resume", cli.resume, "finish an interrupted sweep in the same folder; finished points are kept");
  cmd->add_option("--shard", cli.shard, "run only points with index % N == K (K from 0, as Slurm array indices)");
  cmd->add_option("--time-limit", cli.time_limit_s, "seconds one point may take (0: none)")
      ->check(limit_check(kMaxTimeLimitS, "seconds"));
  cmd->add_option("--max-memory", cli.max_memory_gb,
                  "GB of resident memory one worker may use (default: half the RAM; 0: none)")
      ->check(limit_check(kMaxMemoryLimitGb, "GB"));
  cmd->add_option("--recycle", cli.recycle_after, "points per worker before a fresh worker replaces it")
      ->check(CLI::Range(1, 1000000))
      ->capture_default_str();
  cmd->add_flag("--mpi", cli.mpi, "run under mpirun: rank 0 hands points to every rank");
  cmd->add_flag("-q,--quiet", cli.quiet, "no progress, only failures and the result");
}

SweepOptions sweep_options(const SweepCli& cli) {
  SweepOptions opt;
  opt.out_dir = cli.out;
  const long cores = ::sysconf(_SC_NPROCESSORS_ONLN);
  opt.jobs = cli.jobs > 0 ? cli.jobs : static_cast<int>(cores > 0 ? cores : 1);
  opt.resume = cli.resume;
  if (!cli.shard.empty()) opt.shard = parse_shard(cli.shard);
  opt.limits.time_limit_s = cli.time_limit_s;
  opt.limits.memory_limit_bytes = static_cast<std::size_t>(memory_limit_from_option(cli.max_memory_gb));
  opt.limits.recycle_after = cli.recycle_after;
  return opt;
}

std::optional<SweepOutcome> run_sweep_with_progress(const SweepOptions& opt, const SweepCli& cli) {
  install_stop_handlers();
  ProgressPrinter printer(cli.quiet);
  SweepOutcome r;
  if (cli.mpi) {
    if (!mpi_built()) throw InputError({"--mpi", 1, 1}, "this xbar was built without MPI (cmake -DXBAR_MPI=ON)");
    auto mr = run_sweep_mpi(opt, printer, &g_stop_signal);
    if (!mr) return std::nullopt;
    r = *mr;
  } else {
    r = run_sweep(opt, printer, &g_stop_signal);
  }
  printer.finish();
  return r;
}

int report_interruption(const SweepOutcome& r, const char* command, const fs::path& results) {
  const int sig = g_stop_signal;
  fmt::print(stderr,
             "{}: stopped by {}; {} of {} point(s) finished and kept in {} (running points dropped); "
             "finish with --resume\n",
             command, sig == SIGINT ? "SIGINT" : "SIGTERM", r.progress.done, r.progress.total, results.string());
  return 128 + sig;
}

namespace {

int run_merge() {
  if (g_cli.out.empty()) throw InputError({"--merge", 1, 1}, "give the folder for the merged results with -o DIR");
  std::vector<fs::path> dirs(g_cli.merge.begin(), g_cli.merge.end());
  if (!g_cli.config.empty()) dirs.insert(dirs.begin(), g_cli.config);  // `--merge A B` parses A as CONFIG
  const MergeOutcome m = merge_sweeps(dirs, g_cli.out);
  fmt::print(stderr, "sweep: merged {} of {} point(s) from {} folder(s) into {}\n", m.finished, m.points, dirs.size(),
             (fs::path(g_cli.out) / "sweep.csv").string());
  if (m.finished < m.points)
    fmt::print(stderr, "sweep: {} point(s) missing; run the missing shards (with --resume) and merge again\n",
               m.points - m.finished);
  return m.finished == m.points ? kExitOk : kExitSimFailed;
}

}  // namespace

CLI::App* add_sweep_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("sweep", "run the points of a config's sweep: section on worker processes");
  cmd->add_option("CONFIG", g_cli.config, "YAML config file with a sweep: section");
  add_sweep_run_options(cmd, g_cli);
  cmd->add_option("--merge", g_cli.merge, "join the sweep folders of shards into -o DIR")->allow_extra_args(true);
  return cmd;
}

int command_sweep() {
  if (!g_cli.merge.empty()) return run_merge();
  if (g_cli.config.empty()) throw InputError({"xbar sweep", 0, 0}, "give a CONFIG (or --merge DIR...)");
  SweepOptions opt = sweep_options(g_cli);
  opt.config_path = g_cli.config;
  opt.sets = g_cli.sets;
  const std::optional<SweepOutcome> run = run_sweep_with_progress(opt, g_cli);
  if (!run) return kExitOk;  // a rank other than 0: rank 0 reports
  const SweepOutcome& r = *run;
  const SweepProgress& p = r.progress;
  const fs::path csv = r.dir / "sweep.csv";
  if (r.interrupted) return report_interruption(r, "sweep", csv);
  fmt::print(stderr, "sweep: {} point(s), {} ok, {} failed, {:.1f} s; results in {}\n", p.total, p.done - p.failed,
             p.failed, p.elapsed_s, csv.string());
  return p.failed ? kExitSimFailed : kExitOk;
}

}  // namespace xbar
