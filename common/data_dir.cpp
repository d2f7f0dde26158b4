#include "common/data_dir.hpp"

#include <dlfcn.h>

#include <system_error>

namespace xbar {
namespace {

// The file of the executable or shared library this function is part of.
std::filesystem::path this_binary() {
  Dl_info info{};
  // A shared library reports its absolute path; the main program may report
  // argv[0] (relative, or a bare name), so it is read from /proc instead.
  if (dladdr(reinterpret_cast<const void*>(&this_binary), &info) != 0 && info.dli_fname != nullptr &&
      info.dli_fname[0] == '/')
    return info.dli_fname;
  std::error_code ec;
  return std::filesystem::read_symlink("/proc/self/exe", ec);
}

std::filesystem::path find_data_dir() {
  std::error_code ec;
  const std::filesystem::path bin = std::filesystem::weakly_canonical(this_binary(), ec).parent_path();
  const std::filesystem::path installed = bin.parent_path() / "share" / "xbar";
  for (const auto& candidate : {installed, bin / "share" / "xbar"})
    if (std::filesystem::is_directory(candidate, ec)) return candidate;
  return installed;
}

}  // namespace

const std::filesystem::path& data_dir() {
  static const std::filesystem::path dir = find_data_dir();
  return dir;
}

}  // namespace xbar
