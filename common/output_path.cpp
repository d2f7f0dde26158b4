#include "common/output_path.hpp"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

#include "common/atomic_file.hpp"

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
  if (!fs::is_directory(existing, ec)) return fmt::format("'{}' is a file, not a folder", existing.string());
  if (::access(existing.c_str(), W_OK | X_OK) != 0)
    return fmt::format("the folder '{}' is not writable", existing.string());
  // access() says yes for root everywhere, and /proc or a read-only mount
  // refuse anyway: try to make a folder there (removed at once).
  std::string probe = (existing / ".xbar-probe-XXXXXX").string();
  if (::mkdtemp(probe.data()) == nullptr)
    return fmt::format("cannot create anything in '{}': {}", existing.string(), std::strerror(errno));
  ::rmdir(probe.c_str());
  return {};
}

std::string output_file_problem(const fs::path& file) {
  std::error_code ec;
  if (const std::string why = not_replaceable_reason(file); !why.empty())
    return fmt::format("'{}' {}; only a regular file or a new name is written", file.string(), why);
  const fs::path parent = fs::absolute(file, ec).parent_path();
  if (!fs::is_directory(parent, ec)) return fmt::format("the folder '{}' does not exist", parent.string());
  if (::access(parent.c_str(), W_OK | X_OK) != 0)
    return fmt::format("the folder '{}' is not writable", parent.string());
  return {};
}

}  // namespace xbar
