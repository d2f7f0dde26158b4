#pragma once
// Runs the built `xbar` program (or any shell command) as a user would, and
// keeps what it printed.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <fmt/format.h>

#include "support/temp_folder.hpp"

namespace xbar::testing {

struct ProgramRun {
  int exit_code = -1;
  std::string out, err;
};

// `command` run by /bin/sh in `cwd`, stdin from /dev/null.
inline ProgramRun run_shell(const std::string& command, const std::filesystem::path& cwd) {
  static int serial = 0;
  const auto base = std::filesystem::temp_directory_path() / fmt::format("xbar_run_{}_{}", ::getpid(), ++serial);
  const std::string out = base.string() + ".out", err = base.string() + ".err";
  // The command on lines of its own, so a trailing `# comment` ends there.
  const std::string line = fmt::format("cd '{}' && (\n{}\n) </dev/null >'{}' 2>'{}'", cwd.string(), command, out, err);
  const int status = std::system(line.c_str());
  ProgramRun r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = file_text(out);
  r.err = file_text(err);
  std::filesystem::remove(out);
  std::filesystem::remove(err);
  return r;
}

// `xbar ARGS` in `cwd`.
inline ProgramRun run_xbar(const std::string& args, const std::filesystem::path& cwd) {
  return run_shell(fmt::format("'{}' {}", XBAR_PROGRAM, args), cwd);
}

}  // namespace xbar::testing
