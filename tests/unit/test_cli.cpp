// The xbar program as a newcomer meets it: `gen` netlists that a plain
// ngspice runs, `check` refusing what `run` refuses, messages.
#include <doctest/doctest.h>

#include <filesystem>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "common/tolerance.hpp"
#include "support/program.hpp"

using namespace xbar;
using namespace xbar::testing;
namespace fs = std::filesystem;

namespace {

void write(const fs::path& p, const std::string& text) { std::ofstream(p) << text; }

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> parts;
  std::stringstream ss(s);
  for (std::string part; std::getline(ss, part, sep);) parts.push_back(part);
  return parts;
}

// ngspice's `.print` tables (split into pages of a few columns each):
// (row index, vector name) -> value.
std::map<std::pair<int, std::string>, double> printed_values(const std::string& log) {
  std::map<std::pair<int, std::string>, double> values;
  std::vector<std::string> names;
  std::stringstream ss(log);
  for (std::string line; std::getline(ss, line);) {
    std::stringstream words(line);
    if (line.rfind("Index", 0) == 0) {
      names.clear();
      for (std::string w; words >> w;) names.push_back(w);
      continue;
    }
    int index = 0;
    if (line.empty() || !std::isdigit(static_cast<unsigned char>(line[0])) || !(words >> index)) continue;
    double v = 0;
    for (std::size_t k = 1; k < names.size() && words >> v; ++k) values[{index, names[k]}] = v;
  }
  return values;
}

}  // namespace

TEST_CASE("xbar gen writes a netlist that plain ngspice -b runs, printing the column currents xbar computes") {
  const fs::path dir = fresh_folder(fmt::format("xbar_gen_{}", ::getpid()));
  const std::string cfg = std::string(XBAR_SOURCE_DIR) + "/configs/example.yaml";
  const std::string sets = "--set tile.rows=6 --set tile.cols=5 --set inputs.vectors=3";
  const ProgramRun gen = run_xbar(fmt::format("gen {} {} -o tile.cir", cfg, sets), dir);
  REQUIRE(gen.exit_code == 0);
  CHECK(gen.err.find("ngspice -b tile.cir") != std::string::npos);  // says how to run it
  const ProgramRun spice = run_shell("ngspice -b tile.cir", dir);
  INFO(spice.out, spice.err);
  REQUIRE(spice.exit_code == 0);
  CHECK(spice.out.find("no simulations run") == std::string::npos);
  const auto printed = printed_values(spice.out);
  REQUIRE(printed.size() == 3 * (1 + 5));  // the index source's value, then the five columns
  REQUIRE(run_xbar(fmt::format("run {} {} -o run", cfg, sets), dir).exit_code == 0);
  const auto lines = split(file_text(dir / "run" / "columns.csv"), '\n');
  REQUIRE(lines.size() >= 16);
  int compared = 0;
  for (std::size_t k = 1; k < lines.size(); ++k) {
    const auto f = split(lines[k], ',');
    if (f.size() < 4) continue;
    const int v = std::stoi(f[0]), col = std::stoi(f[1]);
    const double i_spice = std::stod(f[3]);
    CAPTURE(v);
    CAPTURE(col);
    const auto at = printed.find({v, fmt::format("vs{}#branch", col)});
    REQUIRE(at != printed.end());
    // ngspice prints 7 significant digits: 1e-6 relative, far inside a 1 % error.
    CHECK(Tolerance{.rel = 1e-6, .abs_floor = 1e-15}.accepts(i_spice, at->second));
    ++compared;
  }
  CHECK(compared == 15);
  fs::remove_all(dir);
}

TEST_CASE("xbar check refuses what xbar run refuses, with the same exit code and the same messages") {
  const fs::path dir = fresh_folder(fmt::format("xbar_check_{}", ::getpid()));
  write(dir / "w.csv", "0.5,0.5\n0.5\n0.5,0.5\n");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"vteam_op", "tile: {rows: 4, cols: 4}\ndevice: {model: vteam}\nanalysis: {type: op}\n"},
      {"x0_in_params", "tile: {rows: 4, cols: 4}\ndevice: {model: vteam, params: {x0: 0.3}}\nanalysis: {type: tran}\n"},
      {"read_row", "tile: {rows: 4, cols: 4}\nanalysis: {type: read, read: {row: 7}}\n"},
      {"tran_edge", "tile: {rows: 4, cols: 4}\nanalysis: {type: tran, tran: {rise: 95n}}\n"},
      {"weights_shape", "tile: {rows: 3, cols: 2}\nweights: {source: file, file: w.csv}\n"},
      {"tran_1t1r", "tile: {rows: 4, cols: 4, cell: 1T1R}\nanalysis: {type: tran}\n"},
  };
  for (const auto& [name, yaml] : cases) {
    CAPTURE(name);
    write(dir / (name + ".yaml"), yaml);
    const ProgramRun check = run_xbar(fmt::format("check {}.yaml", name), dir);
    const ProgramRun run = run_xbar(fmt::format("run {}.yaml -o out_{}", name, name), dir);
    CHECK(run.exit_code == 2);
    CHECK(check.exit_code == run.exit_code);
    CHECK(check.err == run.err);
    CHECK(check.out.empty());
    CHECK_FALSE(fs::exists(dir / ("out_" + name)));
  }
  fs::remove_all(dir);
}

TEST_CASE("output.cells: all writes every cell, none no cells.csv, sample a grid with the far corner") {
  const fs::path dir = fresh_folder(fmt::format("xbar_cells_{}", ::getpid()));
  write(dir / "c.yaml", "tile: {rows: 100, cols: 70}\nsimulator: {engine: nodal}\n");
  auto lines_of = [&](const fs::path& p) { return split(file_text(p), '\n').size(); };
  REQUIRE(run_xbar("run c.yaml -o all", dir).exit_code == 0);  // auto: every cell of a small tile
  CHECK(lines_of(dir / "all" / "cells.csv") == 1 + 100 * 70);
  REQUIRE(run_xbar("run c.yaml -o all --set output.cells=none", dir).exit_code == 0);
  CHECK_FALSE(fs::exists(dir / "all" / "cells.csv"));  // the earlier run's map is gone too
  CHECK(fs::exists(dir / "all" / "summary.json"));
  REQUIRE(run_xbar("run c.yaml -o s --set output.cells=sample", dir).exit_code == 0);
  const auto rows = split(file_text(dir / "s" / "cells.csv"), '\n');
  CHECK(rows.size() == 1 + 64 * 64);             // 64 of the 100 rows, 64 of the 70 columns
  CHECK(rows.back().rfind("0,99,69,", 0) == 0);  // the far corner is in
  CHECK(run_xbar("check c.yaml --set output.cells=some", dir).exit_code == 2);
  fs::remove_all(dir);
}

TEST_CASE("the one-liner in configs/sweep_read_margin.yaml prints the largest passing size per scheme, as copied") {
  std::string command;
  for (const auto& line : split(file_text(std::string(XBAR_SOURCE_DIR) + "/configs/sweep_read_margin.yaml"), '\n'))
    if (line.rfind("#   python3 ", 0) == 0) command = line.substr(4);
  REQUIRE_FALSE(command.empty());
  const fs::path dir = fresh_folder(fmt::format("xbar_margin_{}", ::getpid()));
  fs::create_directories(dir / "out" / "sweep_read_margin");
  // Sizes out of order, a failed point, text that sorts differently from numbers (8 < 12 < 64).
  write(dir / "out" / "sweep_read_margin" / "sweep.csv",
        "point,analysis.read.bias,tile.rows,tile.cols,status,error,elapsed_s,margin_ok,read_margin\n"
        "0,half,12,12,ok,,0.1,0,0.15\n"
        "1,half,8,8,ok,,0.1,1,0.21\n"
        "2,half,2,2,ok,,0.1,1,0.66\n"
        "3,grounded,64,64,ok,,0.1,1,0.98\n"
        "4,grounded,12,12,ok,,0.1,1,0.98\n"
        "5,third,64,64,failed,boom,0.1,,\n"
        "6,third,12,12,ok,,0.1,1,0.21\n"
        "7,floating,4,4,ok,,0.1,1,0.43\n");
  const ProgramRun r = run_shell(command, dir);
  INFO(r.err);
  CHECK(r.exit_code == 0);
  CHECK(r.out == "floating 4\ngrounded 64\nhalf 8\nthird 12\n");
  fs::remove_all(dir);
}

TEST_CASE("xbar run shows its phases on a terminal and is quiet when stderr is not one") {
  const fs::path dir = fresh_folder(fmt::format("xbar_progress_{}", ::getpid()));
  const std::string cfg = std::string(XBAR_SOURCE_DIR) + "/configs/example.yaml";
  const ProgramRun quiet = run_xbar(fmt::format("run {} --set tile.rows=8 --set tile.cols=8 -o q", cfg), dir);
  CHECK(quiet.exit_code == 0);
  CHECK(quiet.err.empty());
  if (std::system("command -v script >/dev/null 2>&1") != 0) {
    MESSAGE("util-linux `script` is missing: the terminal half is not checked");
    return;
  }
  // `script` gives the program a pseudo-terminal.
  const ProgramRun tty = run_shell(
      fmt::format("script -qec \"'{}' run {} --set tile.rows=8 --set tile.cols=8 -o t\" /dev/null", XBAR_PROGRAM, cfg),
      dir);
  CHECK(tty.exit_code == 0);
  CHECK(tty.out.find("xbar: running ngspice on") != std::string::npos);
  CHECK(tty.out.find("xbar: writing the output files") != std::string::npos);
  // The live line is cleared before the summary.
  CHECK(tty.out.find("\r\033[Kexample: 8x8") != std::string::npos);
  fs::remove_all(dir);
}
