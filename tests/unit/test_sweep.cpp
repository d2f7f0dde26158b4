// Sweeps: the sweep: section, point order and overrides, the journal and
// sweep.csv, and whole sweeps on worker processes (crash, failure, time
// limit, resume, shards + merge).  Tiles are 4x4 to keep this quick.
#include <doctest/doctest.h>

#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config_loader/loader.hpp"
#include "support/temp_folder.hpp"
#include "sweep/point_record.hpp"
#include "sweep/sweep_points.hpp"
#include "sweep/sweep_runner.hpp"
#include "sweep/sweep_store.hpp"
#include "sweep/testing_hooks.hpp"

using namespace xbar;
namespace fs = std::filesystem;

namespace {

Config load_text(const std::string& yaml, const std::vector<std::string>& sets = {}) {
  return load_config_text(yaml, "t.yaml", "/tmp", sets);
}

std::string problems(const std::string& yaml) {
  try {
    load_text(yaml);
  } catch (const InputError& e) {
    return e.diagnostics().str();
  }
  return "";
}

struct TempDir {
  fs::path path;
  TempDir() {
    path = fs::temp_directory_path() /
           ("xbar_sweep_test_" + std::to_string(::getpid()) + "_" + std::to_string(counter()++));
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~TempDir() { fs::remove_all(path); }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

std::string read_file(const fs::path& p) { return testing::file_text(p); }

// sweep.csv without the elapsed_s column, the only one allowed to differ.
std::string without_timing(const std::string& csv) {
  std::stringstream in(csv), out;
  std::string line;
  int col = -1;
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::string cell;
    std::stringstream ls(line);
    while (std::getline(ls, cell, ',')) cells.push_back(cell);
    if (col < 0)
      for (std::size_t k = 0; k < cells.size(); ++k)
        if (cells[k] == "elapsed_s") col = static_cast<int>(k);
    for (std::size_t k = 0; k < cells.size(); ++k)
      if (static_cast<int>(k) != col) out << cells[k] << ';';
    out << '\n';
  }
  return out.str();
}

// A 4x4 sweep of 6 points; point 4 (value 40 V into a sinh cell) fails in ngspice.
std::string write_sweep_config(const fs::path& dir) {
  const fs::path p = dir / "sweep.yaml";
  std::ofstream(p) << "name: t\n"
                      "tile: {rows: 4, cols: 4}\n"
                      "device: {model: sinh, params: {v0: 0.05}}\n"
                      "inputs: {source: constant, kind: voltage}\n"
                      "sweep:\n"
                      "  mode: grid\n"
                      "  params:\n"
                      "    parasitics.r_wl: [0.5, 2]\n"
                      "    inputs.value: [0.1, 40, 0.2]\n";
  return p.string();
}

class Quiet : public SweepObserver {};

SweepOutcome sweep(const std::string& config, const fs::path& out, int jobs, bool resume = false, Shard shard = {},
                   PoolLimits limits = {}) {
  SweepOptions opt;
  opt.config_path = config;
  opt.out_dir = out;
  opt.jobs = jobs;
  opt.resume = resume;
  opt.shard = shard;
  opt.limits = limits;
  Quiet quiet;
  return run_sweep(opt, quiet, nullptr);
}

}  // namespace

TEST_CASE("grid points: the last key varies fastest; values keep their canonical text") {
  Config c = load_text("sweep:\n  params:\n    tile.rows: [4, 8]\n    device.g_on: [1m, 200u, 3e-4]\n");
  REQUIRE(c.sweep);
  CHECK(sweep_point_count(*c.sweep) == 6);
  CHECK(sweep_point_values(*c.sweep, 0) == std::vector<std::string>{"4", "0.001"});
  CHECK(sweep_point_values(*c.sweep, 1) == std::vector<std::string>{"4", "0.0002"});
  CHECK(sweep_point_values(*c.sweep, 5) == std::vector<std::string>{"8", "0.0003"});
  // A point's config is the base config plus the point's overrides.
  Config p = load_text("tile: {cols: 4}\n", sweep_point_overrides(*c.sweep, 4));
  CHECK(p.tile.rows == 8);
  CHECK(p.device.g_on == 200e-6);
}

TEST_CASE("zip points walk the lists together; enum and path values round-trip") {
  Config c = load_text(
      "sweep:\n  mode: zip\n  params:\n    periphery.sense: [tia, virtual_ground]\n"
      "    parasitics.r_bl: [1, 2k]\n");
  REQUIRE(c.sweep);
  CHECK(sweep_point_count(*c.sweep) == 2);
  Config p = load_text("name: x\n", sweep_point_overrides(*c.sweep, 1));
  CHECK(p.periphery.sense == SenseKind::kVirtualGround);
  CHECK(p.parasitics.r_bl == 2000);
  Config q = load_text("name: x\n", sweep_point_overrides(*c.sweep, 0));
  CHECK(q.periphery.sense == SenseKind::kTia);
}

TEST_CASE("ranges: lin and log, exact ends, integers rounded") {
  Config c = load_text(
      "sweep:\n  params:\n    parasitics.r_wl: {from: 0.1, to: 10, steps: 5, scale: log}\n"
      "    tile.rows: {from: 4, to: 10, steps: 3}\n");
  REQUIRE(c.sweep);
  CHECK(c.sweep->params[0].values == std::vector<std::string>{"0.1", "0.316227766017", "1", "3.16227766017", "10"});
  CHECK(c.sweep->params[1].values == std::vector<std::string>{"4", "7", "10"});
}

TEST_CASE("a log range spanning the doubles is computed in logs; its refused values are reported once (issue 14)") {
  // to / from overflows here: every inner value was inf, each one an error.
  Config c = load_text("sweep:\n  params:\n    parasitics.r_wl: {from: 1e-308, to: 1e308, steps: 1000, scale: log}\n");
  REQUIRE(c.sweep);
  const auto& v = c.sweep->params[0].values;
  REQUIRE(v.size() == 1000);
  // 10^(-308 + 616 k / 999) to 12 digits (computed independently in Python).
  CHECK(v[1] == "4.13634368406e-308");
  CHECK(v[500] == "2.03380030585");
  CHECK(v[998] == "2.41759407917e+307");
  CHECK(v[999] == "1e+308");
  // Refused values of one range: the first message and a count, not 994 lines.
  const std::string p =
      problems("sweep:\n  params:\n    tile.rows: {from: 1e-308, to: 1e308, steps: 1000, scale: log}\n");
  CHECK(p ==
        "t.yaml:3:16: error: 'tile.rows' = 0 is out of range; expected 1 .. 4096\n"
        "t.yaml:3:16: error: 994 of the 1000 values of this range of 'tile.rows' are refused; the first is "
        "reported\n");
}

TEST_CASE("sweep problems are reported at their place in the config") {
  CHECK(problems("sweep:\n  params:\n    parasitics.r_wll: [1]\n")
            .find("t.yaml:3:5: error: 'sweep.params': unknown config key "
                  "'parasitics.r_wll'; did you mean 'parasitics.r_wl'?") != std::string::npos);
  CHECK(problems("sweep:\n  params:\n    tile.rows: [4, 0]\n")
            .find("t.yaml:3:20: error: 'tile.rows' = 0 is out of range") != std::string::npos);
  CHECK(problems("sweep:\n  params:\n    tile.cell: {from: 1, to: 2, steps: 2}\n").find("not a number") !=
        std::string::npos);
  CHECK(problems("sweep:\n  mode: zip\n  params:\n    tile.rows: [4, 8]\n    tile.cols: [4]\n")
            .find("zip needs lists of one length") != std::string::npos);
  CHECK(problems("sweep:\n  mode: diagonal\n  params:\n    tile.rows: [4]\n")
            .find("t.yaml:2:9: error: 'sweep.mode' is grid or zip") != std::string::npos);
  CHECK(problems("sweep:\n  params:\n    parasitics.r_wl: {from: 0, to: 1, steps: 3, scale: log}\n").find("above 0") !=
        std::string::npos);
  CHECK(problems("sweep:\n  params:\n    parasitics.r_wl: []\n").find("has no values") != std::string::npos);
  CHECK(problems("sweep:\n  params: {tile.rows: {from: 1, to: 4096, steps: 5000}, tile.cols: {from: 1, to: 4096, "
                 "steps: 5000}}\n")
            .find("at most") != std::string::npos);
}

TEST_CASE("shards follow Slurm array indices") {
  Shard s = parse_shard("1/3");
  CHECK(s.holds(1));
  CHECK(s.holds(4));
  CHECK_FALSE(s.holds(0));
  CHECK_THROWS_AS(parse_shard("3/3"), InputError);
  CHECK_THROWS_AS(parse_shard("1"), InputError);
  CHECK_THROWS_AS(parse_shard("-1/2"), InputError);
}

TEST_CASE("journal lines round-trip exactly; a torn line is ignored") {
  PointRecord r{7, {"0.5", "tia"}, false, "ngspice `op` failed: \"x\", y", 1.25, {{"a", 0.1 + 0.2}, {"b", 1e-300}}};
  auto back = record_from_line(record_to_line(r));
  REQUIRE(back);
  CHECK(back->point == 7);
  CHECK(back->values == r.values);
  CHECK(back->error == r.error);
  CHECK(back->metrics == r.metrics);  // bit-exact doubles
  CHECK_FALSE(record_from_line(record_to_line(r).substr(0, 20)));
}

TEST_CASE("sweep.csv: header of docs/outputs.md, metric columns the union of all points, quoted errors") {
  std::vector<PointRecord> rs = {{0, {"1"}, true, "", 0.5, {{"max_rel_err", 0.25}, {"nrmse", 0.5}}},
                                 {1, {"2"}, false, "bad, very", 0.1, {}}};
  std::ostringstream out;
  write_sweep_csv(out, {"parasitics.r_wl"}, rs);
  CHECK(out.str() ==
        "point,parasitics.r_wl,status,error,elapsed_s,max_rel_err,nrmse\n"
        "0,1,ok,,0.500,0.25,0.5\n"
        "1,2,failed,\"bad, very\",0.100,,\n");
}

TEST_CASE("a sweep on two workers: failures are recorded, resume and shards give the same sweep.csv") {
  TempDir tmp;
  const std::string config = write_sweep_config(tmp.path);
  SweepOutcome full = sweep(config, tmp.path / "full", 2);
  CHECK(full.progress.total == 6);
  CHECK(full.progress.failed == 2);  // inputs.value 40 at both r_wl
  const std::string csv = read_file(tmp.path / "full" / "sweep.csv");
  CHECK(csv.rfind("point,parasitics.r_wl,inputs.value,status,error,elapsed_s,", 0) == 0);
  CHECK(csv.find("\n1,0.5,40,failed,") != std::string::npos);
  CHECK(csv.find("out of range for sinh") != std::string::npos);
  CHECK(csv.find("\n5,2,0.2,ok,,") != std::string::npos);
  CHECK(fs::exists(tmp.path / "full" / "points" / "5" / "summary.json"));
  CHECK(fs::exists(tmp.path / "full" / "points" / "1" / "error.txt"));

  SUBCASE("the same folder again needs --resume") { CHECK_THROWS_AS(sweep(config, tmp.path / "full", 1), InputError); }
  SUBCASE("resume after an interruption, with a torn last journal line") {
    const fs::path dir = tmp.path / "part";
    fs::create_directories(dir);
    fs::copy_file(tmp.path / "full" / "sweep.json", dir / "sweep.json");
    std::ifstream in(tmp.path / "full" / "journal.jsonl");
    std::ofstream j(dir / "journal.jsonl");
    std::string line;
    for (int k = 0; k < 3 && std::getline(in, line); ++k) j << line << '\n';
    std::getline(in, line);
    j << line.substr(0, line.size() / 2);  // the supervisor died mid-write
    j.close();
    SweepOutcome r = sweep(config, dir, 2, true);
    CHECK(r.progress.resumed == 3);
    CHECK(without_timing(read_file(dir / "sweep.csv")) == without_timing(csv));
  }
  SUBCASE("shards 0/2 and 1/2, merged") {
    sweep(config, tmp.path / "s0", 1, false, parse_shard("0/2"));
    sweep(config, tmp.path / "s1", 1, false, parse_shard("1/2"));
    MergeOutcome m = merge_sweeps({tmp.path / "s0", tmp.path / "s1"}, tmp.path / "merged");
    CHECK(m.finished == 6);
    CHECK(without_timing(read_file(tmp.path / "merged" / "sweep.csv")) == without_timing(csv));
  }
  SUBCASE("resume refuses another sweep") {
    std::ofstream(config, std::ios::app) << "parasitics: {r_bl: 3}\n";
    CHECK_THROWS_AS(sweep(config, tmp.path / "full", 1, true), InputError);
  }
}

TEST_CASE("a crashed worker and a point over the time limit fail alone; the others finish") {
  TempDir tmp;
  const std::string config = write_sweep_config(tmp.path);
  sweep_testing::set_crash_point(2);
  sweep_testing::set_hang_point(3);
  PoolLimits limits;
  limits.time_limit_s = 1.5;
  SweepOutcome r = sweep(config, tmp.path / "out", 2, false, {}, limits);
  sweep_testing::set_crash_point(std::nullopt);
  sweep_testing::set_hang_point(std::nullopt);
  CHECK(r.progress.done == 6);
  CHECK(r.progress.failed == 4);  // two sinh overflows, the crash, the hang
  CHECK(r.pool.crashed == 1);
  CHECK(r.pool.timed_out == 1);
  const auto journal = read_journal(tmp.path / "out", read_manifest(tmp.path / "out"));
  REQUIRE(journal.size() == 6);
  CHECK(journal.at(2).error.find("crashed (killed by signal 11") != std::string::npos);
  CHECK(journal.at(3).error.find("time limit of 1.5 s") != std::string::npos);
  CHECK(journal.at(2).values == std::vector<std::string>{"0.5", "0.2"});
  CHECK(journal.at(0).ok);
  CHECK(journal.at(5).ok);
}

TEST_CASE("ranges are checked against the point limit before they are expanded") {
  // Three ranges of 5 million steps: 1.25e20 points.  Expanded first, this
  // allocated gigabytes before the count was checked; now it is refused at once.
  const auto start = std::chrono::steady_clock::now();
  const std::string p = problems(
      "sweep:\n  params:\n"
      "    parasitics.r_wl: {from: 1, to: 2, steps: 5000000}\n"
      "    parasitics.r_bl: {from: 1, to: 2, steps: 5000000}\n"
      "    device.g_on: {from: 1u, to: 2u, steps: 5000000}\n");
  CHECK(p.find("at most 10000000") != std::string::npos);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::milliseconds(300));
}

TEST_CASE("journal lines that are not points of the sweep are refused with their line") {
  TempDir tmp;
  const std::string config = write_sweep_config(tmp.path);
  sweep(config, tmp.path / "out", 2);
  const fs::path journal = tmp.path / "out" / "journal.jsonl";
  const std::string good = read_file(journal);
  for (const char* bad :
       {R"({"point": 999, "values": ["0.5", "0.1"], "status": "ok", "error": "", "elapsed_s": 0, "metrics": {}})",
        R"({"point": -1, "values": ["0.5", "0.1"], "status": "ok", "error": "", "elapsed_s": 0, "metrics": {}})",
        R"({"point": 1, "values": ["0.5"], "status": "ok", "error": "", "elapsed_s": 0, "metrics": {}})"}) {
    CAPTURE(bad);
    std::ofstream(journal) << good << bad << "\n" << good.substr(0, good.find('\n') + 1);
    try {
      sweep(config, tmp.path / "out", 1, true);
      FAIL("resume accepted a journal line of another sweep");
    } catch (const InputError& e) {
      CHECK(e.diagnostics().str().find("journal.jsonl:7:1: error:") != std::string::npos);
    }
    CHECK_THROWS_AS(merge_sweeps({tmp.path / "out"}, tmp.path / "merged"), InputError);
  }
  // A whole line, but the values of another point.
  std::ofstream(journal)
      << good << R"({"point": 1, "values": ["9", "9"], "status": "ok", "error": "", "elapsed_s": 0, "metrics": {}})"
      << "\n";
  try {
    sweep(config, tmp.path / "out", 1, true);
    FAIL("resume accepted a journal line with another point's values");
  } catch (const InputError& e) {
    CHECK(e.diagnostics().str().find("point 1 is journaled with the values [9, 9]") != std::string::npos);
  }
}

TEST_CASE("a crashed point is retried on resume; one that crashes again the same way stays failed") {
  TempDir tmp;
  const std::string config = write_sweep_config(tmp.path);
  const fs::path dir = tmp.path / "out";
  sweep_testing::set_crash_point(2);
  SweepOutcome first = sweep(config, dir, 2);
  CHECK(first.progress.failed == 3);  // two sinh overflows and the crash
  CHECK(read_journal(dir, read_manifest(dir)).at(2).retry);

  SUBCASE("the retry succeeds: the sweep.csv of a sweep without the crash") {
    sweep_testing::set_crash_point(std::nullopt);
    SweepOutcome r = sweep(config, dir, 2, true);
    CHECK(r.progress.resumed == 5);
    CHECK(r.progress.failed == 2);
    SweepOutcome clean = sweep(config, tmp.path / "clean", 2);
    CHECK(without_timing(read_file(dir / "sweep.csv")) == without_timing(read_file(tmp.path / "clean" / "sweep.csv")));
  }
  SUBCASE("the retry crashes the same way: failed with its reason, not retried again") {
    SweepOutcome r = sweep(config, dir, 2, true);
    sweep_testing::set_crash_point(std::nullopt);
    CHECK(r.progress.resumed == 5);
    const PointRecord again = read_journal(dir, read_manifest(dir)).at(2);
    CHECK_FALSE(again.ok);
    CHECK_FALSE(again.retry);
    CHECK(again.error.find("crashed (killed by signal 11") != std::string::npos);
    SweepOutcome third = sweep(config, dir, 2, true);
    CHECK(third.progress.resumed == 6);
  }
  sweep_testing::set_crash_point(std::nullopt);
}

TEST_CASE("merge writes only into an empty folder or one of the same sweep") {
  TempDir tmp;
  const std::string config = write_sweep_config(tmp.path);
  sweep(config, tmp.path / "a", 1);
  const fs::path other_config = tmp.path / "other.yaml";
  std::ofstream(other_config) << read_file(config) << "parasitics: {r_bl: 3}\n";
  sweep(other_config.string(), tmp.path / "other", 1);
  const std::string other_csv = read_file(tmp.path / "other" / "sweep.csv");
  CHECK_THROWS_AS(merge_sweeps({tmp.path / "a"}, tmp.path / "other"), InputError);
  CHECK(read_file(tmp.path / "other" / "sweep.csv") == other_csv);
  fs::create_directories(tmp.path / "notes");
  std::ofstream(tmp.path / "notes" / "mine.txt") << "x";
  CHECK_THROWS_AS(merge_sweeps({tmp.path / "a"}, tmp.path / "notes"), InputError);
  CHECK_FALSE(fs::exists(tmp.path / "notes" / "sweep.json"));
  fs::create_directories(tmp.path / "empty");
  CHECK(merge_sweeps({tmp.path / "a"}, tmp.path / "empty").finished == 6);
  CHECK(merge_sweeps({tmp.path / "a"}, tmp.path / "empty").finished == 6);  // the same sweep again
}

TEST_CASE("a sweep runs from its frozen inputs; a resume whose data file changed is refused, naming it") {
  TempDir tmp;
  const fs::path weights = tmp.path / "w.csv";
  std::ofstream(weights) << "1,0,1,0\n0,1,0,1\n1,1,0,0\n0,0,1,1\n";
  const fs::path config = tmp.path / "s.yaml";
  std::ofstream(config) << "name: t\ntile: {rows: 4, cols: 4}\nweights: {source: file, file: w.csv}\n"
                           "sweep:\n  keep: all\n  params:\n    parasitics.r_wl: [0.5, 2]\n";
  sweep(config.string(), tmp.path / "out", 1);
  const std::string resolved = read_file(tmp.path / "out" / "points" / "0" / "resolved.yaml");
  CHECK(resolved.find((tmp.path / "out" / "inputs").string()) != std::string::npos);
  const std::string manifest = read_file(tmp.path / "out" / "sweep.json");
  CHECK(manifest.find(weights.string()) != std::string::npos);

  std::ofstream(weights) << "0,0,1,0\n0,1,0,1\n1,1,0,0\n0,0,1,1\n";
  try {
    sweep(config.string(), tmp.path / "out", 1, true);
    FAIL("resume accepted a changed weights file");
  } catch (const InputError& e) {
    CHECK(e.diagnostics().str().find("'" + weights.string() + "' changed since the sweep started") !=
          std::string::npos);
  }
  std::ofstream(weights) << "1,0,1,0\n0,1,0,1\n1,1,0,0\n0,0,1,1\n";
  std::ofstream(config, std::ios::app) << "# a comment\n";
  try {
    sweep(config.string(), tmp.path / "out", 1, true);
    FAIL("resume accepted a changed config");
  } catch (const InputError& e) {
    CHECK(e.diagnostics().str().find("'" + config.string() + "' changed since the sweep started") != std::string::npos);
  }
}

TEST_CASE("sweep workers get the default memory limit of `xbar run` unless told otherwise (issue 14)") {
  const SweepOptions opt;  // what `xbar sweep` starts from; --max-memory replaces the limit
  CHECK(opt.limits.memory_limit_bytes == static_cast<std::size_t>(default_memory_limit_bytes()));
  CHECK(opt.limits.memory_limit_bytes > 0);
}
