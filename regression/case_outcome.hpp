#pragma once
// What one regression case produced: its verdict, every value it checked and
// every value it observed (so --accept can record them).
#include <optional>
#include <string>
#include <vector>

#include "common/tolerance.hpp"
#include "regression/quantities.hpp"

namespace xbar::regression {

enum class CaseStatus {
  kPassed,
  kFailed,     // values outside tolerance (or expected values missing)
  kNew,        // no expected.yaml yet
  kBadInput,   // the config, a data file or expected.yaml is malformed
  kSimFailed,  // the simulation failed
  kCrashed,    // the case's process died or ran out of time
  kInternal,   // an unexpected exception
};
const char* to_string(CaseStatus s);

// One expected value against what the run gave.
struct ValueCheck {
  std::string quantity;
  std::optional<double> expected;  // empty: listed without a value
  std::optional<double> got;       // empty: the run did not produce it
  Tolerance tolerance;
  double ratio = 0;  // |got - expected| / allowed; > 1 fails
  bool ok() const { return expected && got && ratio <= 1.0; }
};

struct CaseOutcome {
  std::string name;
  CaseStatus status = CaseStatus::kInternal;
  std::string message;  // for errors: what went wrong
  double elapsed_s = 0;
  std::string ngspice_version;  // of this run ("" when SPICE did not run)
  std::string expected_ngspice_version;
  Observed observed;
  std::vector<ValueCheck> checks;
  std::string artefact_dir;  // where the evidence of a failure was kept

  bool passed() const { return status == CaseStatus::kPassed; }
  std::size_t failed_checks() const;
};

}  // namespace xbar::regression
