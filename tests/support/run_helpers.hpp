#pragma once
// What end-to-end tests share: a config from YAML text, the process's one
// in-process ngspice, and a job run on it.
#include <memory>
#include <string>

#include "config_loader/loader.hpp"
#include "runner/run_job.hpp"

namespace xbar::testing {

inline Config config_from_yaml(const std::string& yaml) { return load_config_text(yaml, "test.yaml", ".", {}); }

inline Simulator& shared_simulator() {
  static std::unique_ptr<Simulator> sim = make_ngspice_simulator();
  return *sim;
}

inline RunResult run_in_process(const Config& c) {
  RunContext ctx;
  ctx.simulator = &shared_simulator();
  return run_job(c, ctx);
}

// The first line of the InputError a config's run raises, or "" when it runs.
inline std::string input_error_of(const std::string& yaml) {
  try {
    run_in_process(config_from_yaml(yaml));
  } catch (const InputError& e) {
    return e.what();
  }
  return "";
}

}  // namespace xbar::testing
