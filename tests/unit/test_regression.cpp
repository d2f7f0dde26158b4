// The regression suite's parts: expected files, comparison, the diff shown by
// --accept, the process pool, and the whole loop on real cases (a broken
// circuit is caught and named; --accept makes it green again).
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <optional>
#include <sstream>

#include <doctest/doctest.h>

#include "common/diagnostics.hpp"
#include "config_loader/loader.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "regression/accept.hpp"
#include "regression/case_discovery.hpp"
#include "regression/case_pool.hpp"
#include "regression/compare.hpp"
#include "regression/evaluate_case.hpp"
#include "regression/expected_file.hpp"
#include "regression/junit.hpp"
#include "regression/outcome_codec.hpp"
#include "regression/text_diff.hpp"
#include "support/close.hpp"
#include "support/dense_reference.hpp"
#include "support/run_helpers.hpp"

using namespace xbar;
using namespace xbar::regression;
using xbar::testing::close;
namespace fs = std::filesystem;

namespace {

fs::path temp_dir(const std::string& tag) {
  const fs::path d = fs::temp_directory_path() / ("xbar_test_regression_" + tag + "_" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string read_text(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_text(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

const ValueCheck* find_check(const CaseOutcome& o, const std::string& q) {
  for (const auto& c : o.checks)
    if (c.quantity == q) return &c;
  return nullptr;
}

}  // namespace

TEST_CASE("quantity names and their kinds") {
  CHECK(quantity_kind("max_rel_err") == QuantityKind::kError);
  CHECK(quantity_kind("spice_vs_nodal") == QuantityKind::kAgreement);
  CHECK(quantity_kind("max_ir_drop_v") == QuantityKind::kVoltage);
  CHECK(quantity_kind("i_spice[v0,c3]") == QuantityKind::kCurrent);
  CHECK(quantity_kind("rel_err[v12,c0]") == QuantityKind::kError);
  CHECK_FALSE(quantity_kind("i_spice[v0,c03]"));
  CHECK_FALSE(quantity_kind("i_spice[c3,v0]"));
  CHECK_FALSE(quantity_kind("max_rel_error"));
  CHECK(column_quantity("i_nodal", 2, 7) == "i_nodal[v2,c7]");
  // read mode and transient figures, by their summary.json / columns.csv names
  CHECK(quantity_kind("i_sense") == QuantityKind::kCurrent);
  CHECK(quantity_kind("sneak_path_est") == QuantityKind::kCurrent);
  CHECK(quantity_kind("sneak_fraction") == QuantityKind::kError);
  CHECK(quantity_kind("read_margin") == QuantityKind::kError);
  CHECK(quantity_kind("max_half_selected_v") == QuantityKind::kVoltage);
  CHECK(quantity_kind("energy_per_mvm_j") == QuantityKind::kEnergy);
  CHECK(quantity_kind("max_settle_s") == QuantityKind::kTime);
  CHECK(quantity_kind("t_settle[v1,c15]") == QuantityKind::kTime);
  CHECK(quantity_kind("q[v0,c2]") == QuantityKind::kCharge);
  CHECK_FALSE(quantity_kind("t_settle"));
  CHECK_FALSE(quantity_kind("q[v0]"));
  CHECK(known_quantities_text().find("read_margin") != std::string::npos);
  for (QuantityKind k : {QuantityKind::kEnergy, QuantityKind::kTime, QuantityKind::kCharge}) {
    CHECK(parse_quantity_kind(to_string(k)) == k);
    CHECK(default_tolerance(k).rel > 0);
  }
}

TEST_CASE("an expected file reads back exactly as it was written") {
  ExpectedFile f;
  f.header = "# how these were obtained\n# second line\n";
  f.labels = {"quick", "with space"};
  f.xbar_version = "0.1.0";
  f.ngspice_version = "ngspice-46";
  f.tolerances = {{QuantityKind::kCurrent, {1e-7, 1e-16}}};
  const double awkward = 0.1 + 0.2;  // not representable in few digits
  f.values = {{"max_rel_err", awkward, {}, {}, Origin::kAccepted},
              {"i_spice[v0,c1]", 1.9940973278338154e-05, 1e-9, {}, Origin::kClosedForm},
              {"spice_vs_nodal", 0.0, {}, 1e-9, Origin::kAccepted},
              {"nrmse", std::nullopt, {}, {}, Origin::kAccepted},
              {"i_nodal[v0,c0]", std::numeric_limits<double>::infinity(), {}, {}, Origin::kAccepted},
              {"i_ideal[v0,c0]", 5e-324, {}, {}, Origin::kAccepted}};
  const std::string text = render_expected(f);
  const ExpectedFile g = parse_expected(text, "round.yaml");
  CHECK(g.header == f.header);
  CHECK(g.labels == f.labels);
  CHECK(g.xbar_version == "0.1.0");
  CHECK(g.ngspice_version == "ngspice-46");
  REQUIRE(g.values.size() == f.values.size());
  for (std::size_t k = 0; k < f.values.size(); ++k) {
    CAPTURE(f.values[k].name);
    CHECK(g.values[k].name == f.values[k].name);
    CHECK(g.values[k].value == f.values[k].value);  // bit for bit
    CHECK(g.values[k].rel == f.values[k].rel);
    CHECK(g.values[k].abs == f.values[k].abs);
    CHECK(g.values[k].origin == f.values[k].origin);
  }
  CHECK(render_expected(g) == text);
}

TEST_CASE("tolerance precedence: the value's own, then the file's kind, then the default") {
  const ExpectedFile f = parse_expected(
      "format: 1\ntolerances:\n  current: {rel: 1e-3}\nvalues:\n"
      "  \"i_spice[v0,c0]\": 1.0\n  \"i_spice[v0,c1]\": {value: 1.0, abs: 0.5}\n  nrmse: 0.1\n",
      "t.yaml");
  const Tolerance a = f.tolerance_of(f.values[0]);
  CHECK(a.rel == 1e-3);
  CHECK(a.abs_floor == default_tolerance(QuantityKind::kCurrent).abs_floor);
  const Tolerance b = f.tolerance_of(f.values[1]);
  CHECK(b.rel == 1e-3);
  CHECK(b.abs_floor == 0.5);
  CHECK(f.tolerance_of(f.values[2]).rel == default_tolerance(QuantityKind::kError).rel);
}

TEST_CASE("a malformed expected file reports every problem with its position") {
  const std::string text =
      "format: 1\n"
      "colour: red\n"
      "values:\n"
      "  max_rel_eror: 0.1\n"
      "  nrmse: zero\n"
      "  \"i_spice[v0,c0]\": {value: 1, rel: -1}\n";
  try {
    parse_expected(text, "bad.yaml");
    FAIL("no error");
  } catch (const InputError& e) {
    const std::string s = e.diagnostics().str();
    CHECK(e.diagnostics().size() == 4);
    CHECK(s.find("bad.yaml:2:1: error: unknown key 'colour'") != std::string::npos);
    CHECK(s.find("bad.yaml:4:3: error: unknown quantity 'max_rel_eror'") != std::string::npos);
    CHECK(s.find("bad.yaml:5:10: error: nrmse must be a number, not 'zero'") != std::string::npos);
    CHECK(s.find("bad.yaml:6:") != std::string::npos);
  }
  CHECK_THROWS_AS(parse_expected("values: [1, 2\n", "broken.yaml"), InputError);
  CHECK_THROWS_AS(parse_expected("format: 1\n", "novalues.yaml"), InputError);
}

TEST_CASE("comparison: within tolerance, outside it, missing on either side") {
  const ExpectedFile f = parse_expected(
      "values:\n  max_rel_err: {value: 0.1, rel: 0.01}\n  nrmse: {value: 0.1, rel: 0.01}\n"
      "  \"i_nodal[v0,c0]\": 1e-5\n  mean_rel_err: ~\n",
      "c.yaml");
  const Observed got{{"max_rel_err", 0.1009}, {"nrmse", 0.1011}, {"mean_rel_err", 0.05}};
  const auto checks = compare_values(f, got);
  REQUIRE(checks.size() == 4);
  CHECK(checks[0].ok());
  CHECK_FALSE(checks[1].ok());
  CHECK(close(checks[1].ratio, 1.1, 1e-9, 0));
  CHECK_FALSE(checks[2].ok());  // not produced by the run
  CHECK_FALSE(checks[2].got);
  CHECK_FALSE(checks[3].ok());  // no expected value yet
  CaseOutcome o;
  o.name = "demo";
  o.checks = checks;
  const auto rows = failing_rows(o);
  REQUIRE(rows.size() == 3);
  CHECK(rows.back().check.quantity == "nrmse");  // worst first: the missing ones lead
  const std::string table = deviation_table(rows);
  CHECK(table.find("demo") != std::string::npos);
  CHECK(table.find("nrmse") != std::string::npos);
  CHECK(table.find("not produced") != std::string::npos);
}

TEST_CASE("unified diff of two texts") {
  CHECK(unified_diff("a\nb\n", "a\nb\n", "x", "y").empty());
  const std::string d = unified_diff("1\n2\n3\n4\n5\n6\n7\n8\n9\n", "1\n2\n3\n4\nFIVE\n6\n7\n8\n9\n", "old", "new", 2);
  CHECK(d == "--- old\n+++ new\n@@ -3,5 +3,5 @@\n 3\n 4\n-5\n+FIVE\n 6\n 7\n");
  const std::string added = unified_diff("", "a\n", "old", "new");
  CHECK(added == "--- old\n+++ new\n@@ -0,0 +1,1 @@\n+a\n");
}

TEST_CASE("case outcomes survive the pipe, inf and nan included") {
  CaseOutcome o;
  o.name = "x/y";
  o.status = CaseStatus::kFailed;
  o.message = "bad \xff bytes";
  o.elapsed_s = 0.25;
  o.ngspice_version = "ngspice-46";
  o.observed = {{"max_rel_err", 0.1 + 0.2}, {"nrmse", std::numeric_limits<double>::infinity()}};
  o.checks = {{"nrmse", 0.5, std::nullopt, {1e-3, 1e-9}, 0.0}, {"max_rel_err", 0.3, std::nan(""), {1e-3, 0}, 2.0}};
  const CaseOutcome p = decode_outcome(encode_outcome(o));
  CHECK(p.name == "x/y");
  CHECK(p.status == CaseStatus::kFailed);
  CHECK(p.observed == o.observed);
  REQUIRE(p.checks.size() == 2);
  CHECK_FALSE(p.checks[0].got);
  CHECK(std::isnan(*p.checks[1].got));
  CHECK(p.checks[1].tolerance.rel == 1e-3);
  CHECK_THROWS(decode_outcome("{\"name\": 1}"));
}

TEST_CASE("the pool runs cases in child processes and survives crashes and hangs") {
  std::vector<CaseDef> cases(4);
  for (int k = 0; k < 4; ++k) cases[k].name = "c" + std::to_string(k);
  std::vector<std::string> reported;
  const auto outcomes = run_cases(
      cases, 2, 2.0,
      [](const CaseDef& c) {
        if (c.name == "c1") ::raise(SIGSEGV);
        if (c.name == "c2") ::sleep(30);
        if (c.name == "c3") throw std::runtime_error("boom");
        CaseOutcome o;
        o.status = CaseStatus::kPassed;
        o.observed = {{"pid", static_cast<double>(::getpid())}};
        return o;
      },
      [&](const CaseOutcome& o) { reported.push_back(o.name); });
  REQUIRE(outcomes.size() == 4);
  CHECK(reported.size() == 4);
  CHECK(outcomes[0].name == "c0");
  CHECK(outcomes[0].status == CaseStatus::kPassed);
  CHECK(outcomes[0].observed.at(0).second != static_cast<double>(::getpid()));  // ran elsewhere
  CHECK(outcomes[1].status == CaseStatus::kCrashed);
  CHECK(outcomes[1].message.find("signal 11") != std::string::npos);
  CHECK(outcomes[2].status == CaseStatus::kCrashed);
  CHECK(outcomes[2].message.find("time limit") != std::string::npos);
  CHECK(outcomes[2].elapsed_s < 10);
  CHECK(outcomes[3].status == CaseStatus::kInternal);
  CHECK(outcomes[3].message == "boom");
}

TEST_CASE("cases are found in nested folders and named by their path") {
  const fs::path d = temp_dir("find");
  fs::create_directories(d / "a");
  fs::create_directories(d / "group" / "b");
  fs::create_directories(d / "not_a_case");
  write_text(d / "a" / "config.yaml", "name: a\n");
  write_text(d / "group" / "b" / "config.yaml", "name: b\n");
  const auto cases = find_cases(d);
  REQUIRE(cases.size() == 2);
  CHECK(cases[0].name == "a");
  CHECK(cases[1].name == "group/b");
  CHECK(cases[1].expected == d / "group" / "b" / "expected.yaml");
  CHECK_THROWS_AS(find_cases(d / "missing"), InputError);
  fs::remove_all(d);
}

TEST_CASE("a closed-form case passes, and a changed wire resistance fails naming the case and the value") {
  const fs::path d = temp_dir("ladder");
  const fs::path src = fs::path(XBAR_SOURCE_DIR) / "regression" / "cases" / "cf_wordline_ladder_16";
  fs::create_directories(d / "cases");
  fs::copy(src, d / "cases" / "ladder");
  const auto cases = find_cases(d / "cases");
  REQUIRE(cases.size() == 1);
  SuiteOptions opt;
  opt.artefact_root = d / "out" / "failed";

  const CaseOutcome good = evaluate_case(cases[0], opt);
  CHECK(good.status == CaseStatus::kPassed);
  CHECK(good.checks.size() == 33);
  CHECK_FALSE(fs::exists(opt.artefact_root / "ladder"));

  opt.sets = {"parasitics.r_wl=2.02"};  // the config says 2
  const CaseOutcome bad = evaluate_case(cases[0], opt);
  CHECK(bad.status == CaseStatus::kFailed);
  const ValueCheck* c15 = find_check(bad, "i_spice[v0,c15]");
  REQUIRE(c15);
  CHECK_FALSE(c15->ok());
  CHECK(find_check(bad, "i_spice[v0,c0]")->ok());  // the driven node is not moved by the wire
  const fs::path evidence = opt.artefact_root / "ladder";
  CHECK(bad.artefact_dir == evidence.string());
  CHECK(fs::exists(evidence / "netlist.cir"));
  CHECK(fs::exists(evidence / "ngspice.log"));
  const std::string diff = read_text(evidence / "diff.txt");
  CHECK(diff.find("ladder") != std::string::npos);
  CHECK(diff.find("i_spice[v0,c15]") != std::string::npos);
  CHECK(diff.find("ngspice-46") != std::string::npos);

  const std::string xml = junit_xml({good, bad}, "suite");
  CHECK(xml.find("failures=\"1\"") != std::string::npos);
  CHECK(xml.find("i_spice[v0,c15]") != std::string::npos);

  // Accepting replaces closed-form values only where they are out of
  // tolerance, and says so.
  const auto plan = plan_accept(cases[0], bad);
  REQUIRE(plan);
  CHECK_FALSE(plan->warnings.empty());
  CHECK(plan->warnings.front().find("closed form") != std::string::npos);
  CHECK(plan->new_text.find("origin: closed-form") != std::string::npos);  // c0 still is
  fs::remove_all(d);
}

namespace {

double observed_value(const CaseOutcome& o, const std::string& name) {
  for (const auto& [q, v] : o.observed)
    if (q == name) return v;
  return std::numeric_limits<double>::quiet_NaN();
}

}  // namespace

TEST_CASE("a read-mode case pins the read figures, and a changed bias fails on them") {
  const fs::path d = temp_dir("read");
  fs::create_directories(d / "cases");
  fs::copy(fs::path(XBAR_SOURCE_DIR) / "regression" / "cases" / "cf_read_floating_2x2", d / "cases" / "read");
  const auto cases = find_cases(d / "cases");
  REQUIRE(cases.size() == 1);
  SuiteOptions opt;
  const CaseOutcome good = evaluate_case(cases[0], opt);
  CHECK(good.status == CaseStatus::kPassed);
  // One sneak path of three cells: i_sense = g V (1 + 1/3), computed here, not read from the file.
  CHECK(close(observed_value(good, "i_sense"), 100e-6 * 0.2 * 4 / 3, 1e-9, 0));
  CHECK(close(observed_value(good, "sneak_fraction"), 0.25, 1e-9, 0));
  CHECK(std::isnan(observed_value(good, "max_rel_err")));  // op figures do not apply to a read

  opt.sets = {"analysis.read.bias=half"};
  const CaseOutcome bad = evaluate_case(cases[0], opt);
  CHECK(bad.status == CaseStatus::kFailed);
  REQUIRE(find_check(bad, "i_sense"));
  CHECK_FALSE(find_check(bad, "i_sense")->ok());
  CHECK(find_check(bad, "i_cell")->ok());  // the selected cell still sees V
  fs::remove_all(d);
}

TEST_CASE("a transient case pins energy, settling and charge, and a larger capacitance fails on them") {
  const fs::path d = temp_dir("tran");
  fs::create_directories(d / "cases");
  fs::copy(fs::path(XBAR_SOURCE_DIR) / "regression" / "cases" / "cf_tran_rc_cell", d / "cases" / "rc");
  const auto cases = find_cases(d / "cases");
  REQUIRE(cases.size() == 1);
  SuiteOptions opt;
  const CaseOutcome good = evaluate_case(cases[0], opt);
  CHECK(good.status == CaseStatus::kPassed);
  CHECK(observed_value(good, "energy_per_mvm_j") > 0);
  CHECK(observed_value(good, "max_settle_s") == observed_value(good, "t_settle[v0,c0]"));
  CHECK(observed_value(good, "q[v0,c0]") > 0);

  opt.sets = {"parasitics.c_wl=2p"};  // the config says 1p: tau doubles
  const CaseOutcome bad = evaluate_case(cases[0], opt);
  CHECK(bad.status == CaseStatus::kFailed);
  CHECK_FALSE(find_check(bad, "t_settle[v0,c0]")->ok());
  CHECK_FALSE(find_check(bad, "energy_per_mvm_j")->ok());
  // Nine time constants by the sample instant: the sampled current is close to, but not at, its pin.
  CHECK(close(observed_value(bad, "i_spice[v0,c0]"), observed_value(good, "i_spice[v0,c0]"), 1e-3, 0));
  CHECK_FALSE(find_check(bad, "i_spice[v0,c0]")->ok());
  fs::remove_all(d);
}

TEST_CASE("a new case is recorded by --accept, caught when the circuit changes, and accepted again") {
  const fs::path d = temp_dir("accept");
  fs::create_directories(d / "mine");
  write_text(d / "mine" / "config.yaml",
             "name: mine\ntile: {rows: 6, cols: 5}\nweights: {source: random, seed: 3}\n"
             "inputs: {source: random, seed: 4, vectors: 2}\nparasitics: {r_wl: 2, r_bl: 3}\n"
             "simulator: {engine: both}\n");
  const CaseDef c = find_cases(d).at(0);
  SuiteOptions opt;
  opt.artefact_root = d / "out" / "failed";

  const CaseOutcome fresh = evaluate_case(c, opt);
  REQUIRE(fresh.status == CaseStatus::kNew);
  auto plan = plan_accept(c, fresh);
  REQUIRE(plan);
  CHECK(plan->old_text.empty());
  CHECK(plan->diff.find("+  \"i_spice[v1,c4]\": ") != std::string::npos);
  CHECK(plan->diff.find("+  \"i_nodal[v0,c0]\": ") != std::string::npos);
  CHECK(plan->diff.find("+  spice_vs_nodal: ") != std::string::npos);
  apply_accept(c, *plan);
  const ExpectedFile recorded = load_expected(c.expected.string());
  CHECK(recorded.ngspice_version == fresh.ngspice_version);
  CHECK(recorded.xbar_version == xbar_version());

  const CaseOutcome again = evaluate_case(c, opt);
  CHECK(again.status == CaseStatus::kPassed);
  CHECK(again.checks.size() == recorded.values.size());
  CHECK_FALSE(plan_accept(c, again));  // nothing to accept

  opt.sets = {"parasitics.r_bl=3.3"};
  const CaseOutcome changed = evaluate_case(c, opt);
  REQUIRE(changed.status == CaseStatus::kFailed);
  CHECK_FALSE(find_check(changed, "i_spice[v0,c0]")->ok());
  plan = plan_accept(c, changed);
  REQUIRE(plan);
  CHECK(plan->diff.find("\n-  \"i_spice[v0,c0]\": ") != std::string::npos);
  CHECK(plan->diff.find("\n+  \"i_spice[v0,c0]\": ") != std::string::npos);
  CHECK(plan->warnings.empty());
  apply_accept(c, *plan);
  CHECK(evaluate_case(c, opt).status == CaseStatus::kPassed);
  opt.sets.clear();
  CHECK(evaluate_case(c, opt).status == CaseStatus::kFailed);  // the original circuit now differs
  fs::remove_all(d);
}

TEST_CASE("a case whose config is malformed is an error of that case, with the position") {
  const fs::path d = temp_dir("badcfg");
  fs::create_directories(d / "broken");
  write_text(d / "broken" / "config.yaml", "tile: {rows: -3}\n");
  SuiteOptions opt;
  opt.artefact_root = d / "failed";
  const CaseOutcome o = evaluate_case(find_cases(d).at(0), opt);
  CHECK(o.status == CaseStatus::kBadInput);
  CHECK(o.message.find("config.yaml:1:") != std::string::npos);
  CHECK(fs::exists(d / "failed" / "broken" / "diff.txt"));
  CHECK_FALSE(plan_accept(find_cases(d).at(0), o));
  fs::remove_all(d);
}

TEST_CASE("a case at the root of DIR is named by the folder, and evidence never reaches outside its folder") {
  const fs::path d = temp_dir("rootcase");
  fs::create_directories(d / "suite");
  write_text(d / "suite" / "config.yaml", "name: r\n");
  for (const fs::path& given : {d / "suite", fs::path(d / "suite") / "", d / "suite" / "."}) {
    const auto cases = find_cases(given);
    REQUIRE(cases.size() == 1);
    CHECK(cases[0].name == "suite");
  }
  const fs::path root = d / "out" / "failed";
  CHECK(evidence_dir(root, "suite") == root / "suite");
  CHECK(evidence_dir(root, "group/b") == root / "group" / "b");
  for (const char* bad : {".", "..", "", "/etc", "a/../..", "a/./b"}) {
    CAPTURE(bad);
    CHECK(evidence_dir(root, bad).empty());
  }
  // Evaluating a case named "." (as find_cases once named a root case) must
  // not clear the evidence of other cases.
  fs::create_directories(root / "other");
  write_text(root / "other" / "diff.txt", "keep");
  CaseDef c;
  c.name = ".";
  c.dir = d / "suite";
  c.config = d / "suite" / "config.yaml";
  c.expected = d / "suite" / "expected.yaml";
  SuiteOptions opt;
  opt.artefact_root = root;
  evaluate_case(c, opt);
  CHECK(fs::exists(root / "other" / "diff.txt"));
  fs::remove_all(d);
}

// ---- Where the bundled cases' values come from -------------------------------

namespace {

const fs::path kBundled = fs::path(XBAR_SOURCE_DIR) / "regression" / "cases";

std::vector<fs::path> bundled_case_dirs() {
  std::vector<fs::path> dirs;
  for (const auto& e : fs::directory_iterator(kBundled))
    if (fs::exists(e.path() / "config.yaml")) dirs.push_back(e.path());
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

bool claims(const ExpectedFile& f, const std::string& origin) {
  return std::find(f.origins.begin(), f.origins.end(), origin) != f.origins.end();
}

// "i_spice[v2,c13]" -> {"i_spice", 2, 13}; nullopt for a metric.
struct ColumnName {
  std::string what;
  int vector = 0, col = 0;
};
std::optional<ColumnName> column_name(const std::string& name) {
  const auto open = name.find('[');
  if (open == std::string::npos) return std::nullopt;
  ColumnName c{name.substr(0, open)};
  if (std::sscanf(name.c_str() + open, "[v%d,c%d]", &c.vector, &c.col) != 2) return std::nullopt;
  return c;
}

struct ClaimingCase {
  fs::path dir;
  ExpectedFile expected;
};

// The bundled cases whose `origins` list `origin`.
std::vector<ClaimingCase> cases_claiming(const std::string& origin) {
  std::vector<ClaimingCase> out;
  for (const auto& dir : bundled_case_dirs()) {
    ExpectedFile f = load_expected((dir / "expected.yaml").string());
    if (claims(f, origin)) out.push_back({dir, std::move(f)});
  }
  return out;
}

}  // namespace

TEST_CASE("every bundled case says where its values come from, and recorded values name a second origin or none") {
  const auto dirs = bundled_case_dirs();
  REQUIRE(dirs.size() >= 43);
  for (const auto& dir : dirs) {
    CAPTURE(dir.filename().string());
    const ExpectedFile f = load_expected((dir / "expected.yaml").string());
    REQUIRE_FALSE(f.origins.empty());
    const bool independent = claims(f, "closed-form") || claims(f, "nodal-engine") || claims(f, "dense-solve");
    if (claims(f, "accepted")) CHECK((independent || claims(f, "no-independent")));
    CHECK_FALSE((independent && claims(f, "no-independent")));
    if (claims(f, "no-independent")) CHECK(f.header.find("no independent origin") != std::string::npos);
  }
}

TEST_CASE("an unknown origin is refused at its position") {
  CHECK_THROWS_WITH_AS(parse_expected("origins: [accepted, hearsay]\nvalues: {}\n", "o.yaml"),
                       doctest::Contains("o.yaml:1:21: error: unknown origin 'hearsay'"), InputError);
  const ExpectedFile f = parse_expected("origins: [accepted, dense-solve]\nvalues: {}\n", "o.yaml");
  CHECK(f.origins == std::vector<std::string>{"accepted", "dense-solve"});
  CHECK(render_expected(f).find("origins: [accepted, dense-solve]\n") != std::string::npos);
}

TEST_CASE("cases that claim the nodal engine: it reproduces every value within the case's tolerance") {
  const auto cases = cases_claiming("nodal-engine");
  CHECK(cases.size() == 32u);
  for (const auto& [dir, f] : cases) {
    CAPTURE(dir.filename().string());
    const RunResult r =
        testing::run_in_process(load_config((dir / "config.yaml").string(), {"simulator.engine=nodal"}));
    const Observed observed = observe(r);
    int checked = 0;
    for (const auto& v : f.values) {
      if (!v.value || v.name == "spice_vs_nodal") continue;  // agreement needs both engines
      std::string name = v.name;
      if (const auto c = column_name(v.name); c && c->what == "i_spice")
        name = column_quantity("i_nodal", c->vector, c->col);
      const auto got = std::find_if(observed.begin(), observed.end(), [&](const auto& o) { return o.first == name; });
      CAPTURE(v.name);
      REQUIRE(got != observed.end());
      const Tolerance t = f.tolerance_of(v);
      CHECK(close(got->second, *v.value, t.rel, t.abs_floor));
      ++checked;
    }
    CHECK(checked > 0);
  }
}

// A dense LU of a 32x32 tile (about 2000 nodes, 4000 for 2T2R) takes minutes
// under the sanitizers and exercises no code a small tile does not: the
// sanitizer build (scripts/test) solves the cases up to 16x16 cells, the release
// build every case.
#ifdef XBAR_UNDER_SANITIZERS
constexpr int kMaxDenseCells = 16 * 16;
#else
constexpr int kMaxDenseCells = std::numeric_limits<int>::max();
#endif

TEST_CASE("cases that claim a dense solve: the independent dense nodal solve reproduces every current") {
  const auto cases = cases_claiming("dense-solve");
  CHECK(cases.size() == 7u);
  int solved = 0;
  for (const auto& [dir, f] : cases) {
    CAPTURE(dir.filename().string());
    const TileSpec t = build_tile_spec(load_config((dir / "config.yaml").string()));
    if (t.rows * t.phys_cols() > kMaxDenseCells) continue;
    ++solved;
    const std::vector<std::vector<double>> phys = testing::dense_column_currents_each(t, t.inputs);  // per vector
    int checked = 0;
    for (const auto& v : f.values) {
      const auto c = column_name(v.name);
      if (!v.value || !c || (c->what != "i_spice" && c->what != "i_nodal")) continue;
      const auto& p = phys.at(c->vector);
      const double dense = t.cell == cell_kind("2T2R") ? p.at(2 * c->col) - p.at(2 * c->col + 1) : p.at(c->col);
      const Tolerance tol = f.tolerance_of(v);
      CAPTURE(v.name);
      CHECK(close(dense, *v.value, tol.rel, tol.abs_floor));
      ++checked;
    }
    CHECK(checked > 0);
  }
  CHECK(solved >= 2);  // the sanitizer build's small cases too
}
