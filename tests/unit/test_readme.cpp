// The README is the user's manual: it must name every config key and every
// model that the program knows, so a new key cannot land undocumented.
#include <doctest/doctest.h>

#include <filesystem>
#include <sstream>
#include <vector>

#include "config_loader/schema.hpp"
#include "models/registry.hpp"
#include "support/program.hpp"
#include "support/text_file.hpp"

using namespace xbar;
namespace fs = std::filesystem;

static std::string read_readme() { return read_text_file(std::string(XBAR_SOURCE_DIR) + "/README.md"); }

TEST_CASE("the README documents every config key") {
  const std::string readme = read_readme();
  REQUIRE_FALSE(readme.empty());
  for (const auto& k : config_keys()) {
    CAPTURE(k.path);
    CHECK(readme.find("`" + std::string(k.path) + "`") != std::string::npos);
  }
}

TEST_CASE("the README names every model") {
  const std::string readme = read_readme();
  for (const auto& m : model_registry()) {
    CAPTURE(m.name);
    CHECK(readme.find("`" + m.name + "`") != std::string::npos);
  }
}

// The "Common tasks" commands, each run as copied from the README, from a
// folder that looks like the repository's top (build/ and configs/ linked in).
TEST_CASE("every command of the README's common tasks works as copied") {
  const std::string readme = read_readme();
  const auto section = readme.find("## Common tasks");
  REQUIRE(section != std::string::npos);
  const auto block = readme.find("```sh\n", section);
  const auto end = readme.find("```\n", block + 6);
  REQUIRE(block != std::string::npos);
  REQUIRE(end != std::string::npos);
  std::vector<std::string> commands;
  std::stringstream lines(readme.substr(block + 6, end - block - 6));
  for (std::string line; std::getline(lines, line);)
    if (!line.empty()) commands.push_back(line);
  CHECK(commands.size() == 6);
  const fs::path top = xbar::testing::fresh_folder(fmt::format("xbar_readme_tasks_{}", ::getpid()));
  fs::create_directory_symlink(fs::path(XBAR_PROGRAM).parent_path(), top / "build");
  fs::create_directory_symlink(fs::path(XBAR_SOURCE_DIR) / "configs", top / "configs");
  for (const auto& command : commands) {
    CAPTURE(command);
    const auto r = xbar::testing::run_shell(command, top);
    INFO(r.err);
    CHECK(r.exit_code == 0);
    CHECK(r.err.find("error") == std::string::npos);
  }
  // What the comments promise is there.
  CHECK(fs::exists(top / "out/engines/summary.json"));
  CHECK(xbar::testing::file_text(top / "out/engines/summary.json").find("spice_vs_nodal") != std::string::npos);
  CHECK(fs::exists(top / "out/rwire/sweep.csv"));
  CHECK(fs::exists(top / "out/read/read.json"));
  CHECK(xbar::testing::file_text(top / "out/tran/summary.json").find("energy_per_mvm_j") != std::string::npos);
  CHECK(xbar::testing::file_text(top / "out/1t1r/summary.json").find("1T1R") != std::string::npos);
  CHECK(xbar::testing::file_text(top / "out/noise/columns.csv").find("noise_enob") != std::string::npos);
  CHECK(xbar::testing::file_text(top / "out/noise/summary.json").find("noise_spice_vs_nodal") != std::string::npos);
  fs::remove_all(top);
}
