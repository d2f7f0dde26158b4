#pragma once
// A case's expected values (`expected.yaml`):
//
//   # How the values were obtained (kept verbatim by --accept).
//   format: 1
//   labels: [quick]                       # optional; `xbar regress --label quick`
//   xbar_version: 0.1.0                   # of the run that recorded the values
//   ngspice_version: ngspice-46
//   origins: [accepted, nodal-engine]     # where the values come from (below)
//   tolerances:                           # optional, per quantity kind
//     current: {rel: 1e-6, abs: 1e-15}
//   values:
//     max_rel_err: 0.1529                 # value only: the kind's tolerance
//     "i_spice[v0,c3]": {value: 1.9e-05, rel: 1e-9, origin: closed-form}
//     spice_vs_nodal: {value: 0, abs: 1e-9}
//     nrmse: ~                            # listed, no value yet: --accept fills it
//
// `origin` is `accepted` (recorded from a run; the default) or `closed-form`
// (computed independently of xbar, see the case's header comment).
//
// `origins` says where the file's values come from, every source that agrees
// with them within their tolerances:
//   closed-form     computed outside xbar (regression/closed_form.py and its siblings)
//   accepted        recorded from an xbar run by `xbar regress --accept`
//   nodal-engine    xbar's own nodal engine reproduces the SPICE values (the other engine)
//   dense-solve     an independent dense nodal solve reproduces the currents
//                   (tests/support/dense_reference.hpp, assembled from the convention text)
//   no-independent  nothing outside the recording run confirms them (the header says why)
// Every bundled case states its origins; test_regression checks each nodal-engine
// and dense-solve claim against the values.
#include <optional>
#include <string>
#include <vector>

#include "common/tolerance.hpp"
#include "regression/quantities.hpp"

namespace xbar::regression {

enum class Origin { kAccepted, kClosedForm };

struct ExpectedValue {
  std::string name;
  std::optional<double> value;     // empty: listed but not recorded yet
  std::optional<double> rel, abs;  // per-value overrides of the kind's tolerance
  Origin origin = Origin::kAccepted;
};

struct ExpectedFile {
  std::string header;  // the leading comment block, verbatim (each line starts with '#')
  std::vector<std::string> labels;
  std::string xbar_version, ngspice_version;
  std::vector<std::string> origins;                            // see above; empty when the file does not say
  std::vector<std::pair<QuantityKind, Tolerance>> tolerances;  // file-level overrides, in file order
  std::vector<ExpectedValue> values;

  // The tolerance that applies to `v`: its own overrides, else the file's for
  // its kind, else the kind's default.
  Tolerance tolerance_of(const ExpectedValue& v) const;
  bool has_label(const std::string& label) const;
};

// Throws InputError with `file:line:col` positions, every problem at once.
ExpectedFile load_expected(const std::string& path);
ExpectedFile parse_expected(const std::string& text, const std::string& display_name);

// Text that parse_expected reads back to an equal ExpectedFile; numbers are
// written in their shortest round-trip form.
std::string render_expected(const ExpectedFile& file);

// The words `origins` accepts, in the order above.
const std::vector<std::string>& known_origins();

// The version string recorded for xbar itself.
const char* xbar_version();
// The bundled suite (regression/cases, installed as share/xbar/regression/cases),
// for `xbar regress` without a folder.
std::string bundled_cases_dir();

}  // namespace xbar::regression
