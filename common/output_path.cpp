#include "common/output_path.hpp"

#include <unistd.h>

#include <fmt/format.h>

namespace xbar {

namespace fs = std::filesystem;

std::string output_dir_problem(const fs::path& dir) {
  if (dir.empty()) return "the output folder is empty";
  std::error_code ec;
  fs::path p = fs::absolute(dir, ec);
  if (ec) return fmt::format("'{}' is not a usable path: {}", dir.string(), ec.message());
  // Walk up to the deepest component that exists.
  fs::path existing = p;
  while (!existing.empty() && !fs::exists(existing, ec)) {
    if (existing == existing.parent_path()) break;
    existing = existing.parent_path();
  }
  if (!fs::is_directory(existing, ec))
    return fmt::format("'{}' is a file, not a folder", existing.string());
  if (::access(existing.c_str(), W_OK | X_OK) != 0)
    return fmt::format("the folder '{}' is not writable", existing.string());
  return {};
}

std::string output_file_problem(const fs::path& file) {
  std::error_code ec;
  if (fs::is_directory(file, ec)) return fmt::format("'{}' is a folder", file.string());
  const fs::path parent = fs::absolute(file, ec).parent_path();
  if (!fs::is_directory(parent, ec)) return fmt::format("the folder '{}' does not exist", parent.string());
  if (::access(parent.c_str(), W_OK | X_OK) != 0) return fmt::format("the folder '{}' is not writable", parent.string());
  return {};
}

}  // namespace xbar
