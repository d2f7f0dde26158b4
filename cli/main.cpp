// xbar: SPICE-level co-simulation of analog in-memory-computing crossbars.
// The only place that prints to the terminal and decides exit codes.
#include <cerrno>
#include <clocale>
#include <exception>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

#include "cli/commands.hpp"
#include "cli/limit_options.hpp"
#include "common/atomic_file.hpp"
#include "common/diagnostics.hpp"
#include "common/exit_codes.hpp"

using namespace xbar;

namespace {

void add_common(CLI::App* cmd, CommonOptions& o) {
  cmd->add_option("CONFIG", o.config, "YAML config file")->required();
  cmd->add_option("--set", o.sets, "override a config key by its dotted path: --set parasitics.r_wl=2.5")
      ->allow_extra_args(false);  // one KEY=VALUE per --set, repeatable
  cmd->add_flag("-v,--verbose", o.verbose, "say what is being done");
}

void print_tail(const std::string& log, std::size_t max_lines) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start < log.size()) {
    std::size_t end = log.find('\n', start);
    if (end == std::string::npos) end = log.size();
    if (end > start) lines.push_back(log.substr(start, end - start));
    start = end + 1;
  }
  const std::size_t from = lines.size() > max_lines ? lines.size() - max_lines : 0;
  for (std::size_t k = from; k < lines.size(); ++k) fmt::print(stderr, "  | {}\n", lines[k]);
}

}  // namespace

int main(int argc, char** argv) {
  std::setlocale(LC_ALL, "C");
  CLI::App app{"xbar: SPICE-level co-simulation of analog in-memory-computing crossbars"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "xbar 0.1.0");

  CommonOptions common;
  std::string out;
  double time_limit = 0, max_memory = -1;  // -1: the default memory limit
  std::string model_name;

  auto* run = app.add_subcommand("run", "simulate one config and write its outputs");
  add_common(run, common);
  run->add_option("-o,--output", out, "output folder (default: output.dir of the config)");
  run->add_option("--time-limit", time_limit, "seconds one simulation may take (0: none)")
      ->check(limit_check(kMaxTimeLimitS, "seconds"));
  run->add_option("--max-memory", max_memory,
                  "GB a run may need by estimate, and a hard limit for the simulator children (default: half the RAM; "
                  "0: none)")
      ->check(limit_check(kMaxMemoryLimitGb, "GB"));

  auto* gen = app.add_subcommand("gen", "write the netlist only");
  add_common(gen, common);
  gen->add_option("-o,--output", out, "netlist file (default: standard output)");

  auto* check = app.add_subcommand("check", "validate a config; print it with every default filled in");
  add_common(check, common);

  auto* network = app.add_subcommand("network", "a classifier's accuracy and energy on the config's tiles");
  add_common(network, common);
  network->add_option("-o,--output", out, "output folder (default: output.dir of the config)");

  auto* models = app.add_subcommand("models", "list the device models, or one model's parameters");
  models->add_option("NAME", model_name, "a model name");
  auto* sweep = add_sweep_command(app);
  auto* montecarlo = add_montecarlo_command(app);

  RegressOptions regress_opt;
  auto* regress = app.add_subcommand("regress",
                                     "run the regression suite: every folder under DIR with a config.yaml "
                                     "is a case checked against its expected.yaml");
  regress->add_option("DIR", regress_opt.dir, "folder of cases (default: the suite of this source tree)");
  regress->add_option("-j,--jobs", regress_opt.jobs, "cases run at once, each in its own process")
      ->check(CLI::Range(1, 256));
  regress->add_flag("--accept", regress_opt.accept,
                    "rewrite the expected values of failed and new cases from this run (shows the diff first)");
  regress->add_option("--junit", regress_opt.junit, "also write a JUnit XML report to FILE");
  regress->add_option("-o,--output", regress_opt.out, "folder for the evidence of failures (OUT/failed/<case>/)")
      ->capture_default_str();
  regress->add_option("--label", regress_opt.labels, "run only cases with this label (repeatable), e.g. quick")
      ->allow_extra_args(false);
  regress->add_option("--case", regress_opt.cases, "run only this case, or the cases under this folder (repeatable)")
      ->allow_extra_args(false);
  regress->add_option("--set", regress_opt.sets, "override a config key in every case: --set parasitics.r_wl=2.5")
      ->allow_extra_args(false);
  regress->add_option("--case-time-limit", regress_opt.case_time_limit_s, "seconds one case may take (0: none)")
      ->check(limit_check(kMaxTimeLimitS, "seconds"))
      ->capture_default_str();

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitBadInput;
  }

  try {
    auto dispatch = [&] {
      if (*run) return command_run(common, out, time_limit, max_memory);
      if (*gen) return command_gen(common, out);
      if (*check) return command_check(common);
      if (*models) return command_models(model_name);
      if (*network) return command_network(common, out);
      if (*sweep) return command_sweep();
      if (*montecarlo) return command_montecarlo();
      if (*regress) return command_regress(regress_opt);
      return static_cast<int>(kExitBadInput);
    };
    const int code = dispatch();
    flush_stdout();  // output that never arrived is not success
    return code;
  } catch (const InputError& e) {
    fmt::print(stderr, "{}", e.diagnostics().str());
    return kExitBadInput;
  } catch (const SimulationError& e) {
    fmt::print(stderr, "xbar: error: simulation failed: {}\n", e.what());
    if (!e.detail().empty()) print_tail(e.detail(), 15);
    return kExitSimFailed;
  } catch (const std::filesystem::filesystem_error& e) {
    // The output path turned out unusable while writing (e.g. a read-only
    // file system that passed the checks made before the run).
    fmt::print(stderr, "xbar: error: cannot write the outputs: {}\n", e.what());
    return kExitBadInput;
  } catch (const std::system_error& e) {
    // fmt::print to a standard output that is full or closed.
    const int err = e.code().value();
    if (e.code().category() == std::generic_category() || e.code().category() == std::system_category())
      if (err == ENOSPC || err == EIO || err == EPIPE || err == EDQUOT || err == EFBIG || err == EBADF) {
        fmt::print(stderr, "xbar: error: cannot write the outputs: {}\n", e.what());
        return kExitBadInput;
      }
    fmt::print(stderr, "xbar: internal error: {}\n", e.what());
    return kExitInternal;
  } catch (const std::exception& e) {
    fmt::print(stderr, "xbar: internal error: {}\n", e.what());
    return kExitInternal;
  }
}
