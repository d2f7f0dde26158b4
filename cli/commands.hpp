#pragma once
// One function per `xbar` command; each returns the exit code (docs/cli.md)
// and lets InputError / SimulationError escape to main(), which reports them.
#include <string>
#include <vector>

namespace CLI {
class App;
}

namespace xbar {

struct CommonOptions {
  std::string config;
  std::vector<std::string> sets;  // --set KEY=VALUE, in order
  bool verbose = false;
};

int command_run(const CommonOptions& opt, const std::string& out_dir, double time_limit_s, double max_memory_gb);
int command_gen(const CommonOptions& opt, const std::string& out_file);
int command_check(const CommonOptions& opt);
int command_models(const std::string& name);
int command_network(const CommonOptions& opt, const std::string& out_dir);
// xbar sweep registers its own options; command_sweep() runs it after parsing.
CLI::App* add_sweep_command(CLI::App& app);
int command_sweep();
// xbar montecarlo: the same options; runs its samples as a sweep.
CLI::App* add_montecarlo_command(CLI::App& app);
int command_montecarlo();

struct RegressOptions {
  std::string dir;  // empty: the suite of this source tree
  int jobs = 1;
  bool accept = false;
  std::string junit;                // JUnit XML report file, if any
  std::string out = "regress-out";  // failures are kept in OUT/failed/<case>/
  std::vector<std::string> labels, cases, sets;
  double case_time_limit_s = 600;
};
int command_regress(const RegressOptions& opt);

}  // namespace xbar
