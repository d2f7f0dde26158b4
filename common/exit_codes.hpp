#pragma once
// Exit codes of the xbar program (docs/cli.md).
namespace xbar {
enum ExitCode : int {
  kExitOk = 0,
  kExitCheckFailed = 1,  // a check or regression fell outside its tolerance
  kExitBadInput = 2,     // config, data file or command line
  kExitSimFailed = 3,    // ngspice error, non-convergence, invalid result
  kExitInternal = 4,
};
}  // namespace xbar
