#include "regression/evaluate_case.hpp"

#include <chrono>
#include <optional>

#include <fmt/format.h>

#include "common/atomic_file.hpp"
#include "common/diagnostics.hpp"
#include "config_loader/loader.hpp"
#include "regression/compare.hpp"
#include "regression/expected_file.hpp"
#include "report/failure_evidence.hpp"
#include "runner/run_job.hpp"

namespace xbar::regression {

namespace fs = std::filesystem;

fs::path evidence_dir(const fs::path& root, const std::string& case_name) {
  const fs::path name(case_name);
  if (root.empty() || case_name.empty() || name.is_absolute()) return {};
  for (const auto& part : name)
    if (part.empty() || part == "." || part == "..") return {};
  return root / name;
}

namespace {

// Best effort: a failure to keep evidence must not hide the verdict.
void keep_evidence(CaseOutcome& o, const SuiteOptions& opt, const std::vector<std::string>& netlist,
                   const std::string& log, const std::string& diff) {
  const fs::path dir = evidence_dir(opt.artefact_root, o.name);
  if (dir.empty()) return;
  try {
    write_failure_evidence(dir, {.netlist = netlist, .log = log, .error = {}});
    write_file_atomically(dir / "diff.txt", diff);  // the case's own verdict beside the run's evidence
    o.artefact_dir = dir.string();
  } catch (const std::exception& e) {
    o.message += fmt::format(" (could not keep the evidence in {}: {})", dir.string(), e.what());
  }
}

std::string diff_text(const CaseOutcome& o) {
  std::string text =
      fmt::format("case {}: {} of {} values outside tolerance\n", o.name, o.failed_checks(), o.checks.size());
  text += fmt::format("expected values recorded with {}; this run used {}\n\n",
                      o.expected_ngspice_version.empty() ? "(no ngspice version)" : o.expected_ngspice_version,
                      o.ngspice_version.empty() ? "no ngspice" : o.ngspice_version);
  return text + deviation_table(failing_rows(o));
}

}  // namespace

CaseOutcome evaluate_case(const CaseDef& c, const SuiteOptions& opt) {
  const auto t0 = std::chrono::steady_clock::now();
  CaseOutcome o;
  o.name = c.name;
  std::error_code ec;
  if (const fs::path dir = evidence_dir(opt.artefact_root, c.name); !dir.empty())
    fs::remove_all(dir, ec);  // no stale evidence
  std::vector<std::string> netlist;
  try {
    std::optional<ExpectedFile> expected;
    if (fs::exists(c.expected, ec)) {
      expected = load_expected(c.expected.string());
      o.expected_ngspice_version = expected->ngspice_version;
    }
    const Config config = load_config(c.config.string(), opt.sets);
    RunContext ctx;  // SPICE runs in its own child process, so a crash keeps its log
    ctx.limits.time_limit_s = opt.case_time_limit_s;
    const RunResult r = run_job(config, ctx, &netlist);
    o.ngspice_version = r.ngspice_version;
    o.observed = observe(r);
    if (!expected || expected->values.empty()) {
      o.status = CaseStatus::kNew;
      o.message = expected ? "expected.yaml lists no values: run with --accept to record them"
                           : "no expected.yaml: run with --accept to record its values";
    } else {
      o.checks = compare_values(*expected, o.observed);
      o.status = o.failed_checks() == 0 ? CaseStatus::kPassed : CaseStatus::kFailed;
      if (o.status == CaseStatus::kFailed) keep_evidence(o, opt, r.netlist, r.spice ? r.spice->log : "", diff_text(o));
    }
  } catch (const InputError& e) {
    o.status = CaseStatus::kBadInput;
    o.message = e.diagnostics().str();
    keep_evidence(o, opt, netlist, "", o.message);
  } catch (const SimulationError& e) {
    o.status = CaseStatus::kSimFailed;
    o.message = e.what();
    keep_evidence(o, opt, netlist, e.detail(), o.message + "\n");
  } catch (const std::exception& e) {
    o.status = CaseStatus::kInternal;
    o.message = e.what();
    keep_evidence(o, opt, netlist, "", o.message + "\n");
  }
  while (!o.message.empty() && o.message.back() == '\n') o.message.pop_back();
  o.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return o;
}

}  // namespace xbar::regression
