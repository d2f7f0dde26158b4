#pragma once
// An empty folder of the given name under the system's temporary folder
// (emptied first when an earlier run left it).
#include <filesystem>
#include <string_view>

namespace xbar::testing {

inline std::filesystem::path fresh_folder(std::string_view name) {
  const std::filesystem::path dir = std::filesystem::temp_directory_path() / name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

}  // namespace xbar::testing
