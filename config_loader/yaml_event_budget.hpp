#pragma once
// A guard against yaml-cpp 0.7 looping forever.  Found by fuzzing: a document
// starting with "," and a non-ASCII character ("\xC3\xA9" is enough) makes the
// parser emit events without end, allocating nodes until memory runs out.  A
// real document yields at most a few events per byte, so the text is first
// parsed with a handler that only counts events and stops past that budget.
#include <string>

namespace xbar {

// Throws YAML::ParserException (with the mark of the event where it stopped)
// when parsing `yaml` emits more events than its length allows; other YAML
// errors propagate as yaml-cpp throws them.
void check_yaml_event_budget(const std::string& yaml);

}  // namespace xbar
