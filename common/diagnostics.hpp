#pragma once
// Positioned problem reports.  Every stage that reads user input collects its
// problems here and reports them all at once as `FILE:LINE:COL: error: MESSAGE`.
#include <stdexcept>
#include <string>
#include <vector>

namespace xbar {

// A place in the user's input.  line and col are 1-based; 0 means unknown.
struct SourcePos {
  std::string file;
  int line = 0;
  int col = 0;
  std::string str() const;  // "file:line:col", or less where unknown
};

struct Diagnostic {
  SourcePos pos;
  std::string message;
  std::string str() const;  // "file:line:col: error: message"
};

class Diagnostics {
 public:
  void error(SourcePos pos, std::string message);
  bool empty() const { return items_.empty(); }
  std::size_t size() const { return items_.size(); }
  const std::vector<Diagnostic>& items() const { return items_; }
  void append(const Diagnostics& other);
  std::string str() const;  // one line per problem
 private:
  std::vector<Diagnostic> items_;
};

// Bad user input (exit code 2).  Carries every problem found.
class InputError : public std::runtime_error {
 public:
  explicit InputError(Diagnostics diags);
  InputError(SourcePos pos, const std::string& message);
  const Diagnostics& diagnostics() const { return diags_; }

 private:
  Diagnostics diags_;
};

// The simulation failed (exit code 3): simulator error, non-convergence,
// invalid result.  `detail` carries the simulator's own words.
class SimulationError : public std::runtime_error {
 public:
  SimulationError(const std::string& what, std::string detail = {})
      : std::runtime_error(what), detail_(std::move(detail)) {}
  const std::string& detail() const { return detail_; }

 private:
  std::string detail_;
};

// A result check (KCL, tolerance) failed (exit code 1 where it is the verdict
// of a check command; a failed KCL check of a simulation is a SimulationError).
class CheckFailed : public std::runtime_error {
  using std::runtime_error::runtime_error;
};

}  // namespace xbar
