#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "config_loader/config.hpp"
#include "config_loader/loader.hpp"
#include "config_loader/schema.hpp"
#include "config_loader/spice_number.hpp"
#include "support/close.hpp"

using namespace xbar;
using xbar::testing::close;
namespace fs = std::filesystem;

namespace {

const std::string kFixtures = std::string(XBAR_SOURCE_DIR) + "/tests/data/config";

Config load(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  return load_config_text(yaml, "t.yaml", kFixtures, sets);
}

// Every diagnostic line of a load that must fail; empty if it loaded.
std::vector<std::string> errors_of(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  try {
    load(yaml, sets);
  } catch (const InputError& e) {
    std::vector<std::string> out;
    for (const auto& d : e.diagnostics().items()) out.push_back(d.str());
    return out;
  }
  return {};
}

// The single diagnostic of a load that must fail with exactly one problem.
std::string one_error(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  auto errs = errors_of(yaml, sets);
  REQUIRE_MESSAGE(errs.size() == 1, "got " << errs.size() << " errors");
  return errs[0];
}

bool starts_with(const std::string& s, const std::string& prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace

TEST_CASE("SPICE numbers: every suffix, exponents, case") {
  struct Case {
    const char* text;
    double value;
  } cases[] = {{"1f", 1e-15}, {"1p", 1e-12},  {"1n", 1e-9},    {"2.5u", 2.5e-6}, {"3m", 3e-3},
               {"1k", 1e3},   {"1meg", 1e6},  {"1MEG", 1e6},   {"1M", 1e-3},     {"2g", 2e9},
               {"1t", 1e12},  {"1e-3", 1e-3}, {"1.5E3", 1500}, {"-4", -4},       {"+.5", 0.5},
               {"5.", 5},     {"1e3k", 1e6},  {"0", 0},        {"1e-400", 0}};
  for (const auto& c : cases) {
    CAPTURE(c.text);
    auto v = parse_spice_number(c.text);
    REQUIRE(v.has_value());
    CHECK(close(*v, c.value, 1e-15, 0));
  }
  for (const char* bad : {"", "1.5x", "1e", "1ms", " 1", "1 ", "meg", "1..2", "0x10", "1,5", "--1", "1e3.5"}) {
    CAPTURE(bad);
    CHECK_FALSE(parse_spice_number(bad).has_value());
    CHECK(parse_spice_number_ex(bad).problem == NumberProblem::kSyntax);
  }
  CHECK(parse_spice_number_ex("nan").problem == NumberProblem::kNaN);
  CHECK(parse_spice_number_ex(".NaN", true).problem == NumberProblem::kNaN);
  CHECK(parse_spice_number_ex("inf").problem == NumberProblem::kInfinity);
  CHECK(parse_spice_number_ex("1e400").problem == NumberProblem::kOverflow);
  CHECK(parse_spice_number_ex("1e300t").problem == NumberProblem::kOverflow);
  CHECK(*parse_spice_number("Infinity", true) == INFINITY);
  CHECK(*parse_spice_number("-inf", true) == -INFINITY);
  CHECK(number_problem_text("1.5x", NumberProblem::kSyntax) ==
        "'1.5x' is not a number; suffixes are f p n u m k meg g t");
}

TEST_CASE("format_number round-trips exactly") {
  for (double v : {0.1, 1e-4, 1.0 / 3.0, 6.02214076e23, -2.5e-15, 1e22, 0.0, 123456789.0}) {
    CAPTURE(v);
    auto back = parse_spice_number(format_number(v));
    REQUIRE(back.has_value());
    CHECK(*back == v);
  }
  CHECK(format_number(1e-4) == "0.0001");
  // Suffixes scale in decimal: 100u is the same double as 1e-4, not 100 * 1e-6.
  CHECK(*parse_spice_number("100u") == 1e-4);
  CHECK(*parse_spice_number("0.1m") == 1e-4);
  CHECK(*parse_spice_number("1e2u") == 1e-4);
  CHECK(*parse_spice_number("3.3k") == 3300.0);
}

TEST_CASE("the key table is consistent") {
  CHECK(config_keys().size() >= 40);
  const KeyInfo* k = find_key("parasitics.r_wl");
  REQUIRE(k != nullptr);
  CHECK(k->type == KeyType::kReal);
  CHECK(find_key("parasitics") == nullptr);
  CHECK(is_section("device.variability"));
  CHECK(find_key("device.variability.sigma") != nullptr);
  // Enum names in the table and to_string() agree, in enum order.
  CHECK(find_key("tile.cell")->allowed[2] == std::string(to_string(cell_kind("2T2R"))));
  CHECK(find_key("periphery.sense")->allowed[1] == std::string(to_string(SenseKind::kTia)));
  CHECK(find_key("analysis.type")->allowed[2] == std::string(to_string(AnalysisKind::kRead)));
  CHECK(find_key("simulator.engine")->allowed[1] == std::string(to_string(EngineKind::kNodal)));
  CHECK(default_text(*find_key("device.g_on")) == "0.0001");
  CHECK(load("device: {g_on: 100u}\n").device.g_on == 100e-6);
  CHECK(range_text(*find_key("tile.rows")) == "1 .. 4096");
  CHECK(range_text(*find_key("device.g_on")) == "> 0");
  // Paths are unique.
  for (std::size_t i = 0; i < config_keys().size(); ++i)
    for (std::size_t j = i + 1; j < config_keys().size(); ++j) CHECK(config_keys()[i].path != config_keys()[j].path);
}

TEST_CASE("defaults load and paths are made absolute from the config folder") {
  Config c = load("name: a\n");
  CHECK(c.name == "a");
  CHECK(c.tile.rows == 64);
  CHECK(c.device.g_on == 100e-6);
  CHECK(c.weights.source == Source::kRandom);
  CHECK(c.output.dir == (fs::path(kFixtures) / "out/xbar").lexically_normal().string());
  CHECK(c.origin.count("name") == 1);
  CHECK(c.origin.count("tile.rows") == 0);
  CHECK(c.where("name").str() == "t.yaml:1:7");
  CHECK(c.where("tile.rows").str() == "t.yaml");  // never set: the file, no line
}

TEST_CASE("the bundled example loads cleanly") {
  std::string path = std::string(XBAR_SOURCE_DIR) + "/configs/example.yaml";
  Config c = load_config(path, {});
  CHECK(c.name == "example");
  CHECK(c.tile.rows == 64);
  CHECK(c.tile.cols == 64);
  CHECK(c.tile.cell == cell_kind("1R"));
  CHECK(c.device.model == "linear");
  CHECK(c.weights.seed == 1);
  CHECK(c.inputs.seed == 2);
  CHECK(c.inputs.v_read == 0.2);
  CHECK(c.parasitics.r_wl == 1.0);
  CHECK(c.periphery.r_driver == 0.0);
  CHECK(c.simulator.engine == EngineKind::kSpice);
  CHECK(c.output.dir == (fs::path(XBAR_SOURCE_DIR) / "configs/out/example").lexically_normal().string());
  CHECK(c.config_file == path);
}

TEST_CASE("a full config sets every field") {
  Config c = load_config(kFixtures + "/full.yaml", {});
  CHECK(c.name == "full-test.1");
  CHECK(c.tile.rows == 2);
  CHECK(c.tile.cell == cell_kind("1T1R"));
  CHECK(close(c.device.params.at("alpha"), 2e-3, 1e-15, 0));
  CHECK(c.device.params.at("beta") == 3.0);
  CHECK(c.device.g_off == 0.0);
  CHECK(c.device.levels == 4);
  CHECK(c.device.variability_sigma == 0.1);
  CHECK(c.device.variability_seed == 42);
  CHECK(c.weights.source == Source::kFile);
  CHECK(c.weights.file == kFixtures + "/w2x2.csv");
  CHECK(c.inputs.kind == InputKind::kVoltage);
  CHECK(c.inputs.v_read == -0.3);
  CHECK(c.parasitics.r_bl == 1e3);
  CHECK(close(c.parasitics.c_wl, 1e-15, 1e-15, 0));
  CHECK(c.periphery.sense == SenseKind::kTia);
  CHECK(c.periphery.tia_gain == 1e6);
  CHECK(c.periphery.tia_r_f == 1e4);
  CHECK(c.periphery.adc_bits == 8);
  CHECK(close(c.transistor.l, 100e-9, 1e-15, 0));
  REQUIRE(c.transistor.include.size() == 1);
  CHECK(c.transistor.include[0] == kFixtures + "/extra.lib");
  CHECK(c.analysis.type == AnalysisKind::kTran);
  CHECK(c.simulator.engine == EngineKind::kBoth);
  CHECK(c.simulator.options.at("reltol") == "0.0001");
  CHECK(c.simulator.options.at("method") == "gear");
  CHECK(c.output.dir == kFixtures + "/results/full");
  CHECK(c.where("device.g_on").str() == kFixtures + "/full.yaml:6:9");
}

TEST_CASE("resolved_yaml reloads to an equal config") {
  Config a = load_config(kFixtures + "/full.yaml", {});
  std::string text = resolved_yaml(a);
  Config b = load_config_text(text, "resolved.yaml", "/elsewhere", {});
  CHECK(resolved_yaml(b) == text);
  CHECK(b.weights.file == a.weights.file);
  CHECK(b.device.params == a.device.params);
  CHECK(b.simulator.options == a.simulator.options);
  CHECK(b.transistor.include == a.transistor.include);
  CHECK(b.parasitics.c_bl == a.parasitics.c_bl);
  CHECK(b.output.dir == a.output.dir);
  // Every key appears, defaults included (weights.file of random weights excepted).
  Config d = load("name: d\n");
  std::string dt = resolved_yaml(d);
  CHECK(dt.find("r_gl: 0") != std::string::npos);
  CHECK(dt.find("params: {}") != std::string::npos);
  CHECK(resolved_yaml(load_config_text(dt, "r.yaml", "/", {})) == dt);
}

TEST_CASE("a tab in the indentation is named as such, at the tab") {
  CHECK(one_error("tile:\n\trows: 4\n") ==
        "t.yaml:2:1: error: tabs are not allowed in YAML indentation; indent with spaces");
  CHECK(one_error("tile:\n  rows: 4\n  \tcols: 4\n") ==
        "t.yaml:3:3: error: tabs are not allowed in YAML indentation; indent with spaces");
  // A tab after the indentation is no indentation: the value parses.
  CHECK(one_error("name:\tabc\ntile: {rows: 0}\n").find("tabs") == std::string::npos);
}

TEST_CASE("YAML-level errors have exact positions") {
  CHECK(one_error("tile: [1, 2\nname: a\n") == "t.yaml:2:5: error: YAML syntax error: end of sequence flow not found");
  CHECK(one_error("") == "t.yaml:1:1: error: the config file is empty");
  CHECK(one_error("# only a comment\n") == "t.yaml:1:1: error: the config file is empty");
  CHECK(one_error("- 1\n- 2\n") == "t.yaml:1:1: error: the config must be a map of keys, got a list");
  CHECK(one_error(std::string("name: a\n\0x", 10)) ==
        "t.yaml:2:1: error: the config file contains a NUL byte; is it a binary file?");
  CHECK(one_error("name: a\ntile: \xff\n") == "t.yaml:2:7: error: the config file is not valid UTF-8 (byte 0xFF)");
  CHECK(one_error("name: a\n---\nname: b\n") == "t.yaml:3:1: error: a config holds one YAML document; this file has 2");
  std::string deep = "name: " + std::string(3000, '[') + std::string(3000, ']') + "\n";
  CHECK(one_error(deep).find("nested too deeply") != std::string::npos);
  std::string huge = "name: a\n# " + std::string(kMaxConfigBytes, 'x') + "\n";
  CHECK(one_error(huge).find("too large") != std::string::npos);
}

TEST_CASE("key errors: duplicates, unknown keys, types") {
  CHECK(one_error("tile:\n  rows: 2\n  rows: 3\n") == "t.yaml:3:3: error: duplicate key 'tile.rows' (first at line 2)");
  CHECK(one_error("parasitics:\n  r_wll: 2\n") ==
        "t.yaml:2:3: error: unknown key 'r_wll' in 'parasitics'; did you mean 'r_wl'?");
  CHECK(one_error("nam: a\n") == "t.yaml:1:1: error: unknown key 'nam'; did you mean 'name'?");
  // Two swapped letters are one typo, like one wrong letter: both get a suggestion.
  CHECK(one_error("tile:\n  rwos: 4\n") == "t.yaml:2:3: error: unknown key 'rwos' in 'tile'; did you mean 'rows'?");
  CHECK(one_error("tile:\n  colums: 4\n") == "t.yaml:2:3: error: unknown key 'colums' in 'tile'; did you mean 'cols'?");
  CHECK(one_error("zzzz: a\n") == "t.yaml:1:1: error: unknown key 'zzzz'");  // nothing close
  CHECK(one_error("tile:\n  rows: {a: 1}\n") == "t.yaml:2:9: error: 'tile.rows' expects an integer, got a map");
  CHECK(one_error("parasitics:\n  r_wl: [1, 2]\n") ==
        "t.yaml:2:9: error: 'parasitics.r_wl' expects a number, got a list");
  CHECK(one_error("tile: 5\n") == "t.yaml:1:7: error: 'tile' must be a map of keys, got a scalar");
  CHECK(one_error("tile:\n  rows:\n") == "t.yaml:2:3: error: 'tile.rows' has no value; expected an integer");
  CHECK(one_error("tile: {rows: 2.5}\n") == "t.yaml:1:14: error: 'tile.rows' expects an integer, got '2.5'");
}

TEST_CASE("value errors: ranges, suffixes, enums, non-finite") {
  CHECK(one_error("tile:\n  rows: 5000\n") ==
        "t.yaml:2:9: error: 'tile.rows' = 5000 is out of range; expected 1 .. 4096");
  CHECK(one_error("device:\n  g_on: 1.5x\n") ==
        "t.yaml:2:9: error: '1.5x' is not a number; suffixes are f p n u m k meg g t (in 'device.g_on')");
  CHECK(one_error("tile: {cell: 3R}\n") ==
        "t.yaml:1:14: error: '3R' is not a valid 'tile.cell'; expected one of: 1R, 1T1R, 2T2R, 1S1R");
  CHECK(one_error("inputs: {v_read: .nan}\n").find("NaN") != std::string::npos);
  CHECK(one_error("parasitics: {r_wl: inf}\n").find("must be finite") != std::string::npos);
  CHECK(one_error("device: {g_on: 0}\n").find("expected > 0") != std::string::npos);
  CHECK(one_error("device: {g_on: 1u, g_off: 1u}\n") ==
        "t.yaml:1:27: error: 'device.g_off' (1e-06) must be less than 'device.g_on' (1e-06)");
  CHECK(one_error("device: {levels: 1}\n").find("levels must be 0 (analog) or at least 2") != std::string::npos);
  CHECK(one_error("device: {levels: 70000}\n").find("0 .. 65536") != std::string::npos);
  CHECK(one_error("weights: {seed: -1}\n").find("out of range") != std::string::npos);
  CHECK(one_error("weights: {seed: 9223372036854775808}\n").find("out of range") != std::string::npos);
  CHECK(load("weights: {seed: 9223372036854775807}\n").weights.seed == 9223372036854775807ull);
  CHECK(one_error("device: {variability: {sigma: 5.1}}\n").find("expected 0 .. 5") != std::string::npos);
  CHECK(one_error("inputs: {vectors: 0}\n").find("1 .. 100000") != std::string::npos);
  CHECK(one_error("inputs: {v_read: 101}\n").find("-100 .. 100") != std::string::npos);
  CHECK(one_error("periphery: {adc: {bits: 25}}\n").find("0 .. 24") != std::string::npos);
  CHECK(one_error("transistor: {w: 0}\n").find("> 0") != std::string::npos);
  CHECK(one_error("parasitics: {c_bl: -1f}\n").find(">= 0") != std::string::npos);
  CHECK(load("tile: {rows: 1k}\n").tile.rows == 1000);
}

TEST_CASE("every problem is reported at once, in file order") {
  auto errs = errors_of("tile:\n  rows: 0\n  colz: 4\nparasitics:\n  r_bl: 2q\n");
  REQUIRE(errs.size() == 3);
  CHECK(starts_with(errs[0], "t.yaml:2:9: error: 'tile.rows' = 0 is out of range"));
  CHECK(starts_with(errs[1], "t.yaml:3:3: error: unknown key 'colz' in 'tile'; did you mean 'cols'?"));
  CHECK(starts_with(errs[2], "t.yaml:5:9: error: '2q' is not a number"));
}

TEST_CASE("strings that could reach a netlist are refused") {
  auto e = one_error("name: \"x\\n.control\\nshell rm -rf /\"\n");
  CHECK(starts_with(e, "t.yaml:1:7: error: 'x\\n.control\\nshell rm -rf /' is not a valid 'name'"));
  CHECK(one_error("name: \"a b\"\n").find("not a valid 'name'") != std::string::npos);
  CHECK(one_error("name: \"a;b\"\n").find("not a valid 'name'") != std::string::npos);
  CHECK(one_error(std::string("name: ") + std::string(65, 'a') + "\n").find("not a valid") != std::string::npos);
  CHECK(one_error("device: {model: \"lin ear\"}\n").find("not a valid 'device.model'") != std::string::npos);
  CHECK(one_error("device: {model: 9lin}\n").find("not a valid 'device.model'") != std::string::npos);
  CHECK(one_error("transistor: {model: \"n'mos\"}\n").find("transistor.model") != std::string::npos);
  CHECK(one_error("device: {params: {\"a b\": 1}}\n") ==
        "t.yaml:1:19: error: bad name 'a b' in 'device.params': use a letter or _ then up to 63 characters from A-Z "
        "a-z 0-9 _ .");
  CHECK(one_error("device: {params: {a: x}}\n").find("'x' is not a number") != std::string::npos);
  CHECK(one_error("simulator: {options: {method: \"gear\\n.control\"}}\n").find("expects a number or an identifier") !=
        std::string::npos);
  CHECK(one_error("simulator: {options: {\".control\": 1}}\n").find("bad name '.control'") != std::string::npos);
  std::string many = "simulator:\n  options:\n";
  for (int i = 0; i < 33; ++i) many += "    o" + std::to_string(i) + ": 1\n";
  CHECK(one_error(many).find("at most 32") != std::string::npos);
}

TEST_CASE("paths: relative to the config, data files must exist") {
  Config c = load("weights: {source: file, file: w2x2.csv}\n");
  CHECK(c.weights.file == kFixtures + "/w2x2.csv");
  CHECK(one_error("weights: {source: file, file: nope.csv}\n") ==
        "t.yaml:1:31: error: 'weights.file': file not found (or not a regular file): " + kFixtures + "/nope.csv");
  CHECK(one_error("inputs: {source: file}\n") ==
        "t.yaml:1:18: error: 'inputs.source' is 'file' but 'inputs.file' is not set");
  CHECK(one_error("weights: {source: file, file: .}\n").find("not a regular file") != std::string::npos);
  // A file named while the source is random is not checked.
  CHECK(load("weights: {file: nope.csv}\n").weights.file == kFixtures + "/nope.csv");
  CHECK(one_error("weights: {file: \"\"}\n") == "t.yaml:1:17: error: bad path in 'weights.file': the path is empty");
  CHECK(one_error("weights: {file: \"a\\0b\"}\n").find("NUL byte") != std::string::npos);
  CHECK(one_error("transistor: {include: [extra.lib, missing.lib]}\n") ==
        "t.yaml:1:35: error: 'transistor.include': file not found (or not a regular file): " + kFixtures +
            "/missing.lib");
  CHECK(one_error("output: {dir: \"a\\nb\"}\n").find("control character") != std::string::npos);
}

TEST_CASE("--set overrides by dotted path, with --set:N:COL positions") {
  Config c = load("name: a\n", {"tile.rows=8", "parasitics.r_wl=2.5", "device.variability={sigma: 0.2}"});
  CHECK(c.tile.rows == 8);
  CHECK(c.parasitics.r_wl == 2.5);
  CHECK(c.device.variability_sigma == 0.2);
  CHECK(c.device.variability_seed == 1);  // untouched
  CHECK(c.where("tile.rows").str() == "--set:1:11");
  CHECK(c.where("device.variability.sigma").str() == "--set:3:28");
  // The later of file and --set wins.
  CHECK(load("tile: {rows: 4}\n", {"tile.rows=16"}).tile.rows == 16);

  CHECK(one_error("name: a\n", {"tile.rows=8", "parasitics.r_wl=1.5x"}) ==
        "--set:2:17: error: '1.5x' is not a number; suffixes are f p n u m k meg g t (in 'parasitics.r_wl')");
  CHECK(one_error("name: a\n", {"parasitics.r_wll=2"}) ==
        "--set:1:12: error: unknown key 'r_wll' in 'parasitics'; did you mean 'r_wl'?");
  CHECK(one_error("name: a\n", {"tile.rows"}) == "--set:1:1: error: expected KEY=VALUE, got 'tile.rows'");
  CHECK(one_error("name: a\n", {"tile={rows: 0}"}).rfind("--set:1:13: error: 'tile.rows' = 0", 0) == 0);
  CHECK(one_error("name: a\n", {"tile.rows.x=1"}).rfind("--set:1:6: error:", 0) == 0);
  CHECK(one_error("name: a\n", {"name=[1"}).rfind("--set:1:", 0) == 0);
  CHECK(one_error("name: a\n", {"name=a b;c"}).find("not a valid 'name'") != std::string::npos);
  // File problems and --set problems come together.
  auto errs = errors_of("tile: {rows: 0}\n", {"tile.cols=-1"});
  REQUIRE(errs.size() == 2);
  CHECK(starts_with(errs[0], "t.yaml:1:14:"));
  CHECK(starts_with(errs[1], "--set:1:11:"));
}

TEST_CASE("unreadable config files") {
  try {
    load_config("/nonexistent/dir/x.yaml", {});
    FAIL("expected an InputError");
  } catch (const InputError& e) {
    CHECK(std::string(e.what()) == "/nonexistent/dir/x.yaml: error: cannot read the config file: no such file");
  }
  CHECK_THROWS_AS(load_config(kFixtures, {}), InputError);  // a folder
}

TEST_CASE("mutated configs and --set texts fail cleanly, never crash") {
  std::ifstream in(std::string(XBAR_SOURCE_DIR) + "/configs/example.yaml", std::ios::binary);
  std::string base((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  REQUIRE(base.size() > 100);
  const std::string specials = "{}[]:,-?&*!|>'\"%@`#\n\t \\\0\xff";
  std::mt19937 rng(2024);
  int loaded = 0, refused = 0;
  for (int trial = 0; trial < 400; ++trial) {
    std::string text = base;
    int edits = 1 + static_cast<int>(rng() % 4);
    for (int e = 0; e < edits; ++e) {
      std::size_t at = rng() % text.size();
      char c = specials[rng() % specials.size()];
      switch (rng() % 3) {
        case 0: text[at] = c; break;
        case 1: text.insert(text.begin() + static_cast<long>(at), c); break;
        default: text.erase(at, 1 + rng() % 8); break;
      }
    }
    std::string set = "tile." + std::string(1, specials[rng() % specials.size()]) + "=" + text.substr(0, rng() % 20);
    // Every other trial without the --set: a key "tile.<special>" never loads,
    // and the mutated file alone must be able to (an edit in a comment, say).
    const std::vector<std::string> sets = trial % 2 ? std::vector<std::string>{set} : std::vector<std::string>{};
    try {
      load_config_text(text, "m.yaml", kFixtures, sets);
      ++loaded;
    } catch (const InputError& e) {
      ++refused;
      CHECK_FALSE(e.diagnostics().empty());
    } catch (const std::exception& e) {  // anything but a positioned InputError is a bug
      FAIL_CHECK("not an InputError: " << e.what() << "\n" << text);
    }
  }
  // Both outcomes happen, so the loop exercised the loader and the refusals.
  MESSAGE(loaded, " mutated configs loaded, ", refused, " refused");
  CHECK(loaded > 0);
  CHECK(refused > 0);
}

TEST_CASE("a huge number stays huge whatever its suffix or exponent (issue 14)") {
  // 1 followed by 400 zeros, then a suffix: 1e397, not 0.
  const std::string huge = "1" + std::string(400, '0');
  for (const std::string& text : {huge + "m", huge + "f", huge + "e-3", huge, "-" + huge + "u", huge + ".5e-10n"}) {
    CAPTURE(text);
    CHECK(parse_spice_number_ex(text).problem == NumberProblem::kOverflow);
  }
  // Below the doubles' range it is 0, as before; a zero mantissa is 0 with any exponent.
  const std::string tiny = "0." + std::string(400, '0') + "1";
  for (const std::string& text : {tiny, tiny + "k", tiny + "e5", std::string("1e-400m"), std::string("0e99999999999k"),
                                  std::string("1e-99999999999")}) {
    CAPTURE(text);
    const SpiceNumber n = parse_spice_number_ex(text);
    REQUIRE(n.value.has_value());
    CHECK(*n.value == 0.0);
  }
  CHECK(*parse_spice_number(std::string(300, '0') + "1" + std::string(300, '0') + "e-300m") == 1e-3);
  const std::string msg = one_error("parasitics: {r_wl: " + huge + "m}\n");
  CHECK(starts_with(msg, "t.yaml:1:20: error: '1000000000"));
  CHECK(msg.find("out of range") != std::string::npos);
}

TEST_CASE("a dotted key in the file is refused at its position, not read as a path (issue 14)") {
  const std::string msg = one_error("tile: {rows: 8, cols: 8}\ntile.rows: 4\n");
  CHECK(msg ==
        "t.yaml:2:1: error: key 'tile.rows' has a dot: in a config, sections are nested (tile: {rows: ...}); "
        "dotted paths are for --set and sweep.params");
  CHECK(starts_with(one_error("analysis:\n  tran.step: 1n\n"),
                    "t.yaml:2:3: error: key 'analysis.tran.step' has a dot: in a config, sections are nested "
                    "(tran: {step: ...})"));
  // --set keeps its dotted paths, and its map values follow the file's rule.
  CHECK(load("name: a\n", {"tile.rows=4"}).tile.rows == 4);
  CHECK(starts_with(one_error("name: a\n", {"tile={rows.x: 4}"}), "--set:1:7: error: key 'tile.rows.x' has a dot"));
}

TEST_CASE("nan, inf and overflowing numbers in simulator.options are refused as numbers (issue 14)") {
  for (const char* value : {"nan", "inf", "-.inf", ".NaN", "1e999"}) {
    CAPTURE(value);
    const std::string msg = one_error(std::string("simulator: {options: {reltol: ") + value + "}}\n");
    CHECK(starts_with(msg, "t.yaml:1:31: error: '"));
    CHECK(msg.find("(in 'simulator.options.reltol')") != std::string::npos);
  }
  // Identifiers and numbers still pass.
  const Config c = load("simulator: {options: {method: gear, reltol: 1u}}\n");
  CHECK(c.simulator.options.at("method") == "gear");
  CHECK(c.simulator.options.at("reltol") == "1e-06");
}
