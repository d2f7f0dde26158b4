#pragma once
#include "common/reporter.hpp"

namespace xbar {

// Notes and warnings on stderr; notes only when verbose.
class TerminalReporter : public Reporter {
 public:
  explicit TerminalReporter(bool verbose) : verbose_(verbose) {}
  void note(std::string_view text) override;
  void warning(std::string_view text) override;

 private:
  bool verbose_;
};

}  // namespace xbar
