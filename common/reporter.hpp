#pragma once
// How library code tells the user something without printing: the command
// line hands in a Reporter and decides where its words go.
#include <string_view>

namespace xbar {

class Reporter {
 public:
  virtual ~Reporter() = default;
  virtual void note(std::string_view) {}      // progress, facts worth a line
  virtual void phase(std::string_view) {}     // a job's next step begins ("running ngspice on 200000 lines")
  virtual void progress(std::string_view) {}  // the phase's own progress ("tran 45%"), until the next phase
  virtual void warning(std::string_view) {}   // something the user should act on
};

}  // namespace xbar
