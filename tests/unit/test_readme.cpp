// The README is the user's manual: it must name every config key and every
// model that the program knows, so a new key cannot land undocumented.
#include <doctest/doctest.h>

#include "config_loader/schema.hpp"
#include "models/registry.hpp"
#include "support/text_file.hpp"

using namespace xbar;

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
