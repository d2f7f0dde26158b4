#include <doctest/doctest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <unistd.h>

#include "config_loader/data_file.hpp"

using namespace xbar;
namespace fs = std::filesystem;

namespace {

// A scratch file that removes itself.
struct TempFile {
  fs::path path;
  explicit TempFile(const std::string& content) {
    static int counter = 0;
    path = fs::temp_directory_path() /
           ("xbar_test_data_" + std::to_string(::getpid()) + "_" + std::to_string(counter++) + ".csv");
    std::ofstream(path, std::ios::binary) << content;
  }
  ~TempFile() {
    std::error_code ec;
    fs::remove(path, ec);
  }
};

struct Result {
  NumericTable table;
  std::vector<std::string> errors;  // "file:line:col: error: ..." with the path cut to "f"
};

Result read(const std::string& content, CsvReadOptions opts = {}) {
  TempFile f(content);
  Diagnostics diags;
  Result r;
  r.table = read_numeric_csv(f.path.string(), opts, diags);
  for (const auto& d : diags.items()) {
    std::string s = d.str();
    if (s.rfind(f.path.string(), 0) == 0) s = "f" + s.substr(f.path.string().size());
    r.errors.push_back(s);
  }
  return r;
}

}  // namespace

TEST_CASE("a good file: comments, blank lines, spaces, CRLF, suffixes") {
  CsvReadOptions opts;
  opts.columns = 3;
  opts.rows = 2;
  auto r = read("# weights\r\n\r\n 1, 2.5u ,3k\r\n  # more\n-1e-3,0,\t7meg\n", opts);
  REQUIRE(r.errors.empty());
  REQUIRE(r.table.rows.size() == 2);
  CHECK(r.table.rows[0] == std::vector<double>{1.0, 2.5e-6, 3e3});
  CHECK(r.table.rows[1] == std::vector<double>{-1e-3, 0.0, 7e6});
  CHECK(r.table.line_of_row == std::vector<int>{3, 5});
  // No trailing newline is fine too.
  CHECK(read("1,2").table.rows.size() == 1);
}

TEST_CASE("wrong shape is reported with the line") {
  CsvReadOptions opts;
  opts.columns = 64;
  CHECK(read("1,2,3\n", opts).errors == std::vector<std::string>{"f:1:1: error: row has 3 values; expected 64"});
  // Columns 0: the first row sets the width.
  auto r = read("1,2\n3\n4,5\n");
  CHECK(r.errors == std::vector<std::string>{"f:2:1: error: row has 1 value; expected 2"});
  // A file of the wrong shape: one message, at the first wrong row, with the count.
  opts.columns = 8;
  CHECK(read("1,2,3,4\n1,2,3,4\n1,2,3,4\n1,2,3,4,5,6,7,8\n1,2,3,4\n", opts).errors ==
        std::vector<std::string>{
            "f:1:1: error: row has 4 values; expected 8 (4 rows have the wrong number of values; this is the first)"});
  opts = {};
  opts.rows = 3;
  opts.label = "weights file";
  CHECK(read("1\n2\n# end\n", opts).errors ==
        std::vector<std::string>{"f:2:1: error: the weights file has 2 rows; expected 3"});
}

TEST_CASE("text, NaN, infinities and ranges") {
  CHECK(read("1, abc\n").errors ==
        std::vector<std::string>{"f:1:4: error: 'abc' is not a number; suffixes are f p n u m k meg g t"});
  CHECK(read("1,2x\n").errors[0].rfind("f:1:3: error: '2x' is not a number", 0) == 0);
  CHECK(read("nan\n").errors[0].find("NaN") != std::string::npos);
  CHECK(read("1,inf\n").errors[0].rfind("f:1:3: error: 'inf' is not allowed here", 0) == 0);
  CsvReadOptions inf_ok;
  inf_ok.allow_inf = true;
  auto r = read("1,inf\n", inf_ok);
  REQUIRE(r.errors.empty());
  CHECK(std::isinf(r.table.rows[0][1]));
  CsvReadOptions unit;
  unit.min_value = 0;
  unit.max_value = 1;
  CHECK(read("0.5,1.5\n", unit).errors ==
        std::vector<std::string>{"f:1:5: error: value 1.5 is out of range; expected [0, 1]"});
  CHECK(read("1,,2\n").errors[0].rfind("f:1:3: error: empty value", 0) == 0);
  CHECK(read("1,2,\n").errors[0].rfind("f:1:5: error: empty value", 0) == 0);
  CHECK(read("1 2\n").errors[0].rfind("f:1:1: error: '1 2' is not a number", 0) == 0);
}

TEST_CASE("empty, binary and missing files") {
  CHECK(read("").errors == std::vector<std::string>{"f:1:1: error: the data file holds no numbers"});
  CHECK(read("# nothing\n\n  \n").errors == std::vector<std::string>{"f:1:1: error: the data file holds no numbers"});
  CHECK(read(std::string("1,2\n3,\0", 7)).errors ==
        std::vector<std::string>{"f:2:3: error: the data file contains a NUL byte; is it a binary file?"});
  Diagnostics diags;
  auto t = read_numeric_csv("/nonexistent/w.csv", {}, diags);
  CHECK(t.rows.empty());
  REQUIRE(diags.size() == 1);
  CHECK(diags.items()[0].str() == "/nonexistent/w.csv: error: cannot read the data file: no such file");
  CsvReadOptions small;
  small.max_bytes = 4;
  CHECK(read("1,2,3\n", small).errors[0].find("too large") != std::string::npos);
}

TEST_CASE("errors stop at the cap") {
  std::string bad;
  for (int i = 0; i < 100; ++i) bad += "x,y\n";
  auto r = read(bad);
  REQUIRE(r.errors.size() == 20);
  CHECK(r.errors.back().find("too many errors") != std::string::npos);
  CHECK(r.errors[0].rfind("f:1:1:", 0) == 0);
  CHECK(r.errors[1].rfind("f:1:3:", 0) == 0);
}

TEST_CASE("random bytes never crash or hang") {
  std::mt19937 rng(12345);
  const std::string alphabet = "0123456789.,eE+-# \t\r\nkmgunpfMEGinfa\xff\x80";
  for (int trial = 0; trial < 300; ++trial) {
    std::string text;
    int len = static_cast<int>(rng() % 200);
    for (int i = 0; i < len; ++i) {
      text += (trial % 3 == 0) ? static_cast<char>(rng() % 256) : alphabet[rng() % alphabet.size()];
    }
    Diagnostics diags;
    NumericTable t = parse_numeric_csv(text, "fuzz", {}, diags);
    CHECK(t.rows.size() == t.line_of_row.size());
    CHECK((t.rows.empty() ? !diags.empty() : true));
    CHECK(diags.size() <= 20);
  }
}
