#pragma once
// ngspice returns 0 from almost every call, even when a job failed: the verdict
// is in its log.  This turns log lines into an error (if any) and warnings.
#include <string>
#include <vector>

namespace xbar::spice {

struct LogLine {
  bool is_stderr = false;
  std::string text;  // without ngspice's "stdout "/"stderr " prefix
};

struct LogVerdict {
  std::string error;                  // empty: no failure found in the log
  std::vector<std::string> warnings;  // suspect lines, each once, in order
};

// Failure: a line beginning "Error", or containing "aborted", "not parsed",
// "timestep too small", "could not find a valid modelname" or "cannot recover".
// The error text is the first failing line plus any "can't find model" line,
// which names the missing model.  Suspect: "singular matrix", "stepping failed"
// and other lines beginning "Warning".
LogVerdict classify_log(const std::vector<LogLine>& lines);

// The lines joined by '\n'.
std::string join_log(const std::vector<LogLine>& lines);

}  // namespace xbar::spice
