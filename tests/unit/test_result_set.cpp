// The result set of a run: declared once, written whole, replacing every
// result file of an earlier run of any analysis, leaving the user's own files.
#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "report/result_set.hpp"
#include "support/temp_folder.hpp"

using namespace xbar;
namespace fs = std::filesystem;

namespace {

std::size_t entries(const fs::path& dir) {
  std::size_t n = 0;
  for ([[maybe_unused]] const auto& e : fs::directory_iterator(dir)) ++n;
  return n;
}

}  // namespace

TEST_CASE("a committed set replaces every result file of any analysis and keeps other files") {
  const fs::path dir = testing::fresh_folder("xbar_test_result_set");
  for (std::string_view name : result_file_names()) std::ofstream(dir / name) << "old";
  std::ofstream(dir / "notes.txt") << "mine";
  {
    ResultSetWriter set(dir);
    set.write("columns.csv", "new columns");
    set.write("summary.json", "new summary");
    set.commit();
  }
  CHECK(testing::file_text(dir / "columns.csv") == "new columns");
  CHECK(testing::file_text(dir / "summary.json") == "new summary");
  CHECK(testing::file_text(dir / "notes.txt") == "mine");
  CHECK_FALSE(fs::exists(dir / "read.json"));
  CHECK_FALSE(fs::exists(dir / "netlist.cir"));
  CHECK_FALSE(fs::exists(dir / "cells.csv"));
  CHECK(entries(dir) == 3);  // no staging folder left
  fs::remove_all(dir);
}

TEST_CASE("a set that fails before its commit leaves the old set whole and nothing else") {
  const fs::path dir = testing::fresh_folder("xbar_test_result_set_fail");
  std::ofstream(dir / "summary.json") << "old summary";
  std::ofstream(dir / "columns.csv") << "old columns";
  CHECK_THROWS_AS(
      {
        ResultSetWriter set(dir);
        set.write("columns.csv", "new columns");
        set.write("cells.csv", [](std::ostream&) { throw std::runtime_error("disk full"); });
        set.commit();
      },
      std::runtime_error);
  CHECK(testing::file_text(dir / "summary.json") == "old summary");
  CHECK(testing::file_text(dir / "columns.csv") == "old columns");
  CHECK(entries(dir) == 2);
  fs::remove_all(dir);
}

TEST_CASE("leftovers of a killed run are removed; undeclared names and a second writer are refused") {
  const fs::path dir = testing::fresh_folder("xbar_test_result_set_left");
  fs::create_directories(dir / ".xbar-staging-abc123");
  std::ofstream(dir / ".xbar-staging-abc123" / "cells.csv") << "torn";
  std::ofstream(dir / ".cells.csv.tmp0000beef") << "torn";
  {
    ResultSetWriter set(dir);
    CHECK_FALSE(fs::exists(dir / ".xbar-staging-abc123"));
    CHECK_FALSE(fs::exists(dir / ".cells.csv.tmp0000beef"));
    CHECK_THROWS_AS(set.write("passwd", "x"), std::logic_error);
    CHECK_THROWS_AS(set.write("../summary.json", "x"), std::logic_error);
    CHECK_THROWS_AS(ResultSetWriter{dir}, fs::filesystem_error);  // locked
  }
  CHECK(entries(dir) == 0);
  fs::remove_all(dir);
}

TEST_CASE("a symlink at a result file's name is refused and left") {
  const fs::path dir = testing::fresh_folder("xbar_test_result_set_link");
  std::ofstream(dir / "elsewhere") << "keep";
  fs::create_symlink(dir / "elsewhere", dir / "cells.csv");
  CHECK_THROWS_AS(ResultSetWriter{dir}, fs::filesystem_error);
  CHECK(fs::is_symlink(fs::symlink_status(dir / "cells.csv")));
  CHECK(testing::file_text(dir / "elsewhere") == "keep");
  fs::remove_all(dir);
}
