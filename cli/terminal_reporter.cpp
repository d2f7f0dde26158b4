#include "cli/terminal_reporter.hpp"

#include <fmt/format.h>

namespace xbar {

void TerminalReporter::note(std::string_view text) {
  if (verbose_) fmt::print(stderr, "xbar: {}\n", text);
}

void TerminalReporter::warning(std::string_view text) { fmt::print(stderr, "xbar: warning: {}\n", text); }

}  // namespace xbar
