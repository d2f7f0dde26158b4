#pragma once
// Files of tests: an empty folder of the given name under the system's
// temporary folder (emptied first when an earlier run left it), and a file's
// whole text.
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <string_view>

namespace xbar::testing {

inline std::filesystem::path fresh_folder(std::string_view name) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

inline std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace xbar::testing
