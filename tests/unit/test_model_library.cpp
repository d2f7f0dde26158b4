// The model reader: ngspice's own reading rules, every line checked, the text
// inlined.  The cases named after issue 14 each let a `.control` block or a
// shell command through (or hung) with the previous guard.
#include <doctest/doctest.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "model_library/model_library.hpp"
#include "model_library/ngspice_lines.hpp"
#include "support/env_for.hpp"

using namespace xbar;
namespace fs = std::filesystem;

namespace {

// A private folder of model files, removed at the end.
struct Folder {
  fs::path dir = fs::temp_directory_path() / fmt::format("xbar-modellib-{}-{}", getpid(), counter()++);
  Folder() { fs::create_directories(dir); }
  ~Folder() { fs::remove_all(dir); }
  std::string write(const std::string& name, const std::string& text) const {
    const fs::path p = dir / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
  }
  static int& counter() {
    static int n = 0;
    return n;
  }
};

// The reader's error for `path`: "FILE:LINE: reason", or "" if it read fine.
std::string refusal(const std::string& path, const ModelReadLimits& limits = {}) {
  try {
    read_model_library(path, limits);
  } catch (const ModelFileError& e) {
    return fmt::format("{}:{}: {}", e.pos().file, e.pos().line, e.reason());
  }
  return {};
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("dot-commands are matched by prefix, as ngspice matches them") {
  using ngspice_lines::control_reason;
  for (const char* line : {".control", ".CONTROLxyz", "  .controlfoo", ".endc", ".endcxyz", ".exec", ".execute"})
    CHECK_MESSAGE(!control_reason(line, false).empty(), line);
  CHECK(ngspice_lines::file_command(".includex \"/abs/hidden.lib\"") == ngspice_lines::FileCommand::kInclude);
  CHECK(ngspice_lines::file_command(".inc a.lib") == ngspice_lines::FileCommand::kInclude);
  CHECK(ngspice_lines::file_command(".LIBRARY a.lib tt") == ngspice_lines::FileCommand::kLib);
  CHECK(ngspice_lines::file_command(".model nmos nmos") == ngspice_lines::FileCommand::kNone);
  CHECK(control_reason(".model nmos nmos level=1", false).empty());
  CHECK(control_reason("*# shell ls", false) != "");
  CHECK(control_reason("*ng_script", true) != "");
  CHECK(control_reason("any title", true).empty());
  CHECK(ngspice_lines::arguments(".lib \"my lib.lib\" TT") == std::vector<std::string>{"my lib.lib", "TT"});
}

TEST_CASE("issue 14: .controlxyz with an alias of shell is refused at its line") {
  Folder f;
  const std::string p = f.write("evil.lib",
                                "* pdk\n.model nmos nmos level=1\n.controlxyz\nalias sx shell\n"
                                "sx sh -c 'id > ~/owned'\n.endcxyz\n");
  CHECK(refusal(p) == p + ":3: `.controlxyz` opens or closes a control block (ngspice matches `.control` as a prefix)");
}

TEST_CASE("issue 14: .includex \"/abs/hidden.lib\" is followed and its .control refused") {
  Folder f;
  const std::string hidden = f.write("elsewhere/hidden.lib", "* hidden\n.control\nshell touch owned\n.endc\n");
  const std::string p = f.write("evil.lib", ".model nmos nmos level=1\n.includex \"" + hidden + "\"\n");
  CHECK(refusal(p) ==
        hidden + ":2: `.control` opens or closes a control block (ngspice matches `.control` as a prefix)");
}

TEST_CASE("issue 14: a nested .include is relative to the including file, not the working folder") {
  Folder f;
  const std::string second = f.write("lib/second.lib", ".control\nshell touch owned\n.endc\n");
  const std::string first = f.write("lib/first.lib", ".model nmos nmos level=1\n.include second.lib\n");
  f.write("second.lib", "* an inert decoy in the working folder\n");
  const fs::path old = fs::current_path();
  fs::current_path(f.dir);
  const std::string r = refusal(first);
  fs::current_path(old);
  CHECK(r == second + ":1: `.control` opens or closes a control block (ngspice matches `.control` as a prefix)");
}

TEST_CASE("issue 14: .lib FILE SECTION is resolved like .include and its section inlined") {
  Folder f;
  const std::string lib = f.write("lib/second.lib",
                                  "* corners\n.lib tt\n.model nmos nmos level=1 vto=0.4\n.endl\n"
                                  ".lib ff\n.model nmos nmos level=1 vto=0.3\n.endl tt\n");
  const std::string first = f.write("lib/first.lib", "* pdk\n.lib second.lib TT\nr1 a 0 1k\n");
  const std::vector<std::string> text = read_model_library(first);
  const std::vector<std::string> expected = {"* pdk", "* .lib second.lib TT", ".model nmos nmos level=1 vto=0.4",
                                             "* end of " + f.dir.string() + "/lib/second.lib", "r1 a 0 1k"};
  CHECK(text == expected);
  // A control block anywhere in the library is refused, even in another section.
  const std::string evil = f.write("lib/evil.lib",
                                   ".lib sec\n.model nmos nmos level=1\n.endl\n.lib other\n"
                                   ".control\nshell touch owned\n.endc\n.endl\n");
  const std::string user = f.write("lib/user.lib", ".lib evil.lib sec\n");
  CHECK(refusal(user) ==
        evil + ":5: `.control` opens or closes a control block (ngspice matches `.control` as a prefix)");
  CHECK(contains(refusal(f.write("lib/nosec.lib", ".lib second.lib ss\n")), "section `ss` not found"));
}

TEST_CASE("issue 14: .include ~/x.lib is read from the home folder") {
  Folder f;
  const std::string x = f.write("home/x.lib", ".control\nshell touch owned\n.endc\n");
  const std::string p = f.write("pdk/evil.lib", ".model nmos nmos level=1\n.include ~/x.lib\n");
  test::EnvFor home("HOME", (f.dir / "home").string());
  CHECK(refusal(p) == x + ":1: `.control` opens or closes a control block (ngspice matches `.control` as a prefix)");
}

TEST_CASE("issue 14: .include /dev/zero fails at once; so do FIFOs, folders and oversize files") {
  Folder f;
  const std::string p = f.write("evil.lib", "* pdk\n.include /dev/zero\n");
  const auto start = std::chrono::steady_clock::now();
  CHECK(refusal(p) == p + ":2: model file /dev/zero is not a regular file");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(1));
  const std::string fifo = (f.dir / "fifo").string();
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  CHECK(refusal(f.write("f.lib", ".include fifo\n")) ==
        (f.dir / "f.lib").string() + ":1: model file " + fifo + " is not a regular file");  // no writer: it would block
  CHECK(contains(refusal(f.write("d.lib", ".include .\n")), "is not a regular file"));
  CHECK(contains(refusal(f.write("missing.lib", ".include nowhere.lib\n")), "cannot open model file"));
  const std::string big = f.write("big.lib", std::string(2000, '*') + "\n");
  CHECK(refusal(big, {.max_file_bytes = 1000}) == big + ":0: model file " + big + " is larger than 1000 bytes");
}

TEST_CASE("include loops and include bombs end at the depth and size limits") {
  Folder f;
  const std::string loop = f.write("loop.lib", "* me again\n.include loop.lib\n");
  CHECK(contains(refusal(loop), "model files nested deeper than 16"));
  // Each level includes the next twice: 2^16 copies unless the total is bounded.
  for (int i = 0; i < 16; ++i)
    f.write(fmt::format("b{}.lib", i),
            fmt::format("{}\n.include b{}.lib\n.include b{}.lib\n", std::string(100, '*'), i + 1, i + 1));
  f.write("b16.lib", std::string(100, '*') + "\n");
  CHECK(contains(refusal((f.dir / "b0.lib").string(), {.max_total_bytes = 1 << 20}), "exceed 1048576 bytes"));
}

TEST_CASE("the inlined text holds no line that would make ngspice open a file or run a command") {
  Folder f;
  f.write("inner/core.lib", ".model core nmos level=1\n+ vto=0.5\n");
  const std::string p =
      f.write("pdk.lib", "* pdk\n.include \"inner/core.lib\"\n.subckt cell d g s\nm1 d g s s core\n.ends\n");
  const std::vector<std::string> text = read_model_library(p);
  for (std::size_t i = 0; i < text.size(); ++i) {
    CAPTURE(text[i]);
    CHECK(ngspice_lines::file_command(text[i]) == ngspice_lines::FileCommand::kNone);
    CHECK(ngspice_lines::control_reason(text[i], false).empty());
  }
  CHECK(std::find(text.begin(), text.end(), "+ vto=0.5") != text.end());
  // `*#`, `@` and a continuation of an include line are refused too.
  CHECK(contains(refusal(f.write("h.lib", "*# shell ls\n")), "`*#` lines are run as control commands"));
  CHECK(contains(refusal(f.write("at.lib", ".model a nmos\n@\n")), "ends ngspice's reading"));
  CHECK(contains(refusal(f.write("c.lib", ".include inner/core.lib\n+ level=3\n")), "continuation of an `.include`"));
  f.write("starts_with_plus.lib", "* a file that continues whatever came before it\n+ level=3\n");
  CHECK(contains(refusal(f.write("d.lib", ".model m nmos\n.include starts_with_plus.lib\n")),
                 "starts_with_plus.lib:2: a `+` continuation line with no line of its own file to continue"));
}
