#pragma once
// Runs the built `xbar` program (or any shell command) as a user would, and
// keeps what it printed.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>

namespace xbar::testing {

struct ProgramRun {
  int exit_code = -1;
  std::string out, err;
};

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A fresh scratch folder for one test, removed by the caller when done.
inline std::filesystem::path scratch_dir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() / fmt::format("xbar_{}_{}", name, ::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// `command` run by /bin/sh in `cwd`, stdin from /dev/null.
inline ProgramRun run_shell(const std::string& command, const std::filesystem::path& cwd) {
  static int serial = 0;
  const auto base = std::filesystem::temp_directory_path() / fmt::format("xbar_run_{}_{}", ::getpid(), ++serial);
  const std::string out = base.string() + ".out", err = base.string() + ".err";
  const std::string line = fmt::format("cd '{}' && ( {} ) </dev/null >'{}' 2>'{}'", cwd.string(), command, out, err);
  const int status = std::system(line.c_str());
  ProgramRun r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

// `xbar ARGS` in `cwd`.
inline ProgramRun run_xbar(const std::string& args, const std::filesystem::path& cwd) {
  return run_shell(fmt::format("'{}' {}", XBAR_PROGRAM, args), cwd);
}

}  // namespace xbar::testing
