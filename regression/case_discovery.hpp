#pragma once
// Finding the cases of a suite: every folder under DIR (DIR itself included)
// that holds a config.yaml is a case, named by its path relative to DIR.
#include <filesystem>
#include <string>
#include <vector>

namespace xbar::regression {

struct CaseDef {
  std::string name;  // e.g. "ladders/wordline_16" ("." for DIR itself)
  std::filesystem::path dir;
  std::filesystem::path config;    // dir/config.yaml
  std::filesystem::path expected;  // dir/expected.yaml (may not exist yet)
};

// Sorted by name.  Symbolic links to folders are not followed.  Throws
// InputError when `dir` is not a readable folder.
std::vector<CaseDef> find_cases(const std::filesystem::path& dir);

}  // namespace xbar::regression
