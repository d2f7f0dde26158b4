// docs/config.md's key table is generated from the key table the loader uses
// (config_loader/schema.cpp), so the reference cannot drift from the program.
// When a key changes, refresh the page with
//   XBAR_UPDATE_DOCS=1 build/tests/test_docs
// and review the diff.  The repository is also checked to cite only its own
// documents.
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include "config_loader/schema.hpp"
#include "support/text_file.hpp"

using namespace xbar;

namespace {

const std::string kPage = std::string(XBAR_SOURCE_DIR) + "/docs/config.md";
const std::string kBegin = "<!-- key table: generated from config_loader/schema.cpp by tests/unit/test_docs.cpp -->\n";
const std::string kEnd = "<!-- end of key table -->\n";

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
  for (std::size_t at = s.find(from); at != std::string::npos; at = s.find(from, at + to.size()))
    s.replace(at, from.size(), to);
  return s;
}

// A cell of a Markdown table: no bare '|', values in code spans.
std::string code(const std::string& text) { return text.empty() ? "(none)" : "`" + text + "`"; }

std::string type_cell(const KeyInfo& k) {
  if (k.type == KeyType::kEnum || k.type == KeyType::kBool) {
    std::string out = "one of ";
    const std::string names = type_text(k);
    std::size_t start = 0;
    for (;;) {
      const std::size_t bar = names.find(" | ", start);
      out += code(names.substr(start, bar - start));
      if (bar == std::string::npos) break;
      out += ", ";
      start = bar + 3;
    }
    return out;
  }
  return type_text(k);
}

std::string key_table() {
  std::string t = "| key | type | range | default | meaning |\n| --- | --- | --- | --- | --- |\n";
  for (const auto& k : config_keys()) {
    const std::string range = range_text(k);
    t += "| `" + std::string(k.path) + "` | " + type_cell(k) + " | " +
         (range.empty() ? "" : replace_all(range, "..", "to")) + " | " + code(default_text(k)) + " | " +
         replace_all(std::string(k.help), "|", "\\|") + " |\n";
  }
  return t;
}

}  // namespace

TEST_CASE("docs/config.md holds the key table of config_loader/schema.cpp") {
  std::string page = read_text_file(kPage);
  REQUIRE_FALSE(page.empty());
  const std::size_t begin = page.find(kBegin);
  REQUIRE(begin != std::string::npos);
  const std::size_t body = begin + kBegin.size();
  const std::size_t end = page.find(kEnd, body);
  REQUIRE(end != std::string::npos);
  const std::string expected = key_table();
  const std::string written = page.substr(body, end - body);
  if (written != expected && std::getenv("XBAR_UPDATE_DOCS")) {
    page.replace(body, end - body, expected);
    std::ofstream(kPage) << page;
    MESSAGE("rewrote the key table of " << kPage);
    return;
  }
  CHECK_MESSAGE(written == expected,
                "docs/config.md's key table differs from the schema; refresh it with "
                "XBAR_UPDATE_DOCS=1 build/tests/test_docs. Expected:\n"
                    << expected);
}

TEST_CASE("the key table lists every key once, with its default") {
  const std::string table = key_table();
  for (const auto& k : config_keys()) {
    CAPTURE(k.path);
    const std::string row = "| `" + std::string(k.path) + "` |";
    const std::size_t at = table.find(row);
    REQUIRE(at != std::string::npos);
    CHECK(table.find(row, at + 1) == std::string::npos);
  }
  CHECK(table.find("| `tile.rows` | integer | 1 to 4096 | `64` |") != std::string::npos);
  CHECK(table.find("| `tile.cell` | one of `1R`, `1T1R`, `2T2R`, `1S1R` |  | `1R` |") != std::string::npos);
}

TEST_CASE("no file cites a document outside the repository") {
  namespace fs = std::filesystem;
  // Split so this file does not match itself.
  const std::string needles[] = {std::string("SPEC") + " section", std::string("shared") + "/notes",
                                 std::string("/work") + "/shared"};
  const fs::path root = XBAR_SOURCE_DIR;
  int files = 0;
  for (auto it = fs::recursive_directory_iterator(root); it != fs::recursive_directory_iterator(); ++it) {
    const std::string name = it->path().filename().string();
    if (it->is_directory()) {
      if (name.starts_with(".") || name.starts_with("build") || name == "out" || name.starts_with("regress-"))
        it.disable_recursion_pending();
      continue;
    }
    const std::string ext = it->path().extension().string();
    if (ext != ".cpp" && ext != ".hpp" && ext != ".py" && ext != ".md" && ext != ".yaml" && ext != ".sh" &&
        ext != ".sub" && ext != ".lib" && name != "CMakeLists.txt")
      continue;
    const std::string text = read_text_file(it->path().string());
    ++files;
    for (const auto& needle : needles) {
      CAPTURE(it->path().string());
      CHECK(text.find(needle) == std::string::npos);
    }
  }
  CHECK(files > 100);  // the walk really saw the tree
}
