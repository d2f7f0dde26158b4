// xbar regress: run the regression suite, report, optionally accept new values.
#include <algorithm>
#include <chrono>
#include <filesystem>

#include <fmt/format.h>

#include "cli/commands.hpp"
#include "common/atomic_file.hpp"
#include "common/exit_codes.hpp"
#include "regression/accept.hpp"
#include "regression/case_discovery.hpp"
#include "regression/case_pool.hpp"
#include "regression/compare.hpp"
#include "regression/evaluate_case.hpp"
#include "regression/expected_file.hpp"
#include "regression/junit.hpp"

namespace xbar {

namespace fs = std::filesystem;
using namespace regression;

namespace {

constexpr std::size_t kRowsPerCase = 12;  // the rest are in the case's diff.txt

bool selected(const CaseDef& c, const RegressOptions& opt) {
  if (!opt.cases.empty()) {
    const bool named = std::any_of(opt.cases.begin(), opt.cases.end(),
                                   [&](const std::string& n) { return c.name == n || c.name.starts_with(n + "/"); });
    if (!named) return false;
  }
  if (opt.labels.empty()) return true;
  std::error_code ec;
  if (!fs::exists(c.expected, ec)) return false;
  try {
    const ExpectedFile f = load_expected(c.expected.string());
    return std::any_of(opt.labels.begin(), opt.labels.end(), [&](const std::string& l) { return f.has_label(l); });
  } catch (const InputError&) {
    return true;  // run it, so the malformed file is reported
  }
}

std::string case_line(const CaseOutcome& o, std::size_t name_width) {
  std::string tag, what;
  switch (o.status) {
    case CaseStatus::kPassed:
      tag = "PASS";
      what = fmt::format("{} values", o.checks.size());
      break;
    case CaseStatus::kFailed:
      tag = "FAIL";
      what = fmt::format("{} of {} values outside tolerance", o.failed_checks(), o.checks.size());
      if (!o.message.empty()) what += "; " + o.message;
      break;
    case CaseStatus::kNew:
      tag = "NEW";
      what = o.message;
      break;
    default: {
      tag = "ERROR";
      const std::string first = o.message.substr(0, o.message.find('\n'));
      what = fmt::format("{}: {}", to_string(o.status), first);
    }
  }
  std::string line = fmt::format("{:<5} {:<{}}  {:7.2f} s  {}", tag, o.name, name_width, o.elapsed_s, what);
  if (!o.expected_ngspice_version.empty() && !o.ngspice_version.empty() &&
      o.expected_ngspice_version != o.ngspice_version)
    line += fmt::format(" (values from {}, ran {})", o.expected_ngspice_version, o.ngspice_version);
  if (!o.artefact_dir.empty()) line += fmt::format("\n      evidence: {}", o.artefact_dir);
  return line;
}

int accept_all(const std::vector<CaseDef>& cases, const std::vector<CaseOutcome>& outcomes) {
  int accepted = 0, refused = 0;
  for (std::size_t k = 0; k < cases.size(); ++k) {
    const CaseOutcome& o = outcomes[k];
    if (o.passed()) continue;
    const auto plan = plan_accept(cases[k], o);
    if (!plan) {
      fmt::print("not accepted: {} ({}): fix the case first\n", o.name, to_string(o.status));
      ++refused;
      continue;
    }
    fmt::print("{}", plan->diff);
    for (const auto& w : plan->warnings) fmt::print(stderr, "xbar: warning: {}\n", w);
    apply_accept(cases[k], *plan);
    fmt::print("accepted: {} -> {}\n", o.name, cases[k].expected.string());
    ++accepted;
  }
  fmt::print("accepted {} case(s); {} could not be accepted\n", accepted, refused);
  return refused == 0 ? kExitOk : kExitCheckFailed;
}

}  // namespace

int command_regress(const RegressOptions& opt) {
  const fs::path dir = opt.dir.empty() ? fs::path(bundled_cases_dir()) : fs::path(opt.dir);
  std::vector<CaseDef> cases;
  for (CaseDef& c : find_cases(dir))
    if (selected(c, opt)) cases.push_back(std::move(c));
  if (cases.empty()) {
    fmt::print(stderr, "xbar: error: no regression cases selected in {} (a case is a folder with config.yaml)\n",
               dir.string());
    return kExitBadInput;
  }
  SuiteOptions suite;
  suite.sets = opt.sets;
  suite.artefact_root = fs::path(opt.out) / "failed";
  suite.case_time_limit_s = opt.case_time_limit_s;

  std::size_t width = 0;
  for (const auto& c : cases) width = std::max(width, c.name.size());
  fmt::print("xbar regress: {} case(s) from {}, {} at a time\n", cases.size(), dir.string(), opt.jobs);
  const auto t0 = std::chrono::steady_clock::now();
  // The suite's own time limit backs up the simulator's, for cases that hang
  // outside ngspice.
  const double pool_limit = opt.case_time_limit_s > 0 ? opt.case_time_limit_s + 30 : 0;
  const auto outcomes = run_cases(
      cases, opt.jobs, pool_limit, [&](const CaseDef& c) { return evaluate_case(c, suite); },
      [&](const CaseOutcome& o) {
        fmt::print("{}\n", case_line(o, width));
        std::fflush(stdout);
      });
  const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();

  std::vector<TableRow> rows;
  std::string more;
  std::size_t passed = 0;
  for (const auto& o : outcomes) {
    passed += o.passed() ? 1 : 0;
    const auto failing = failing_rows(o);
    for (std::size_t k = 0; k < failing.size() && k < kRowsPerCase; ++k) rows.push_back(failing[k]);
    if (failing.size() > kRowsPerCase)
      more += fmt::format("  ... and {} more of {} in {}/diff.txt\n", failing.size() - kRowsPerCase, o.name,
                          o.artefact_dir);
  }
  if (!rows.empty()) fmt::print("\nvalues outside tolerance:\n{}{}", deviation_table(rows), more);
  for (const auto& o : outcomes)
    if (!o.passed() && o.status != CaseStatus::kFailed && o.status != CaseStatus::kNew &&
        o.message.find('\n') != std::string::npos)
      fmt::print("\n{} ({}):\n{}\n", o.name, to_string(o.status), o.message);
  fmt::print(
      "\n{} of {} case(s) passed in {:.1f} s{}\n", passed, outcomes.size(), elapsed,
      passed == outcomes.size() ? "" : fmt::format("; evidence of failures under {}", suite.artefact_root.string()));
  if (!opt.junit.empty()) {
    if (const fs::path parent = fs::path(opt.junit).parent_path(); !parent.empty()) fs::create_directories(parent);
    write_file_atomically(opt.junit, junit_xml(outcomes, "xbar-regress"));
  }
  if (opt.accept && passed != outcomes.size()) return accept_all(cases, outcomes);
  return passed == outcomes.size() ? kExitOk : kExitCheckFailed;
}

}  // namespace xbar
