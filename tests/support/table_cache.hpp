#pragma once
// Transistor tables built by a test go to a folder of its own (removed at
// exit), never the user's cache.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <system_error>

#include <fmt/format.h>

namespace xbar::testing {

struct TableCacheDir {
  std::filesystem::path dir;
  TableCacheDir() {
    dir = std::filesystem::temp_directory_path() / fmt::format("xbar-test-tables-{}", ::getpid());
    std::filesystem::create_directories(dir);
    ::setenv("XBAR_CACHE_DIR", dir.c_str(), 1);
  }
  ~TableCacheDir() {
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
};

// The process's one test cache folder (set up on first use).
inline const TableCacheDir& table_cache_dir() {
  static const TableCacheDir d;
  return d;
}

}  // namespace xbar::testing
