#include "common/atomic_file.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <stdexcept>

#include <fmt/format.h>

namespace xbar {

namespace fs = std::filesystem;

void write_file_atomically(const fs::path& path, const std::function<void(std::ostream&)>& write) {
  const fs::path dir = path.has_parent_path() ? path.parent_path() : fs::path(".");
  std::random_device rd;
  const fs::path tmp = dir / fmt::format(".{}.tmp{:08x}", path.filename().string(), rd());
  try {
    {
      std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
      if (!out) throw std::runtime_error(fmt::format("cannot write {}", tmp.string()));
      out.exceptions(std::ios::badbit | std::ios::failbit);
      write(out);
      out.flush();
    }
    // Make the content durable before the rename makes it visible.
    int fd = ::open(tmp.c_str(), O_RDONLY);
    if (fd >= 0) {
      ::fsync(fd);
      ::close(fd);
    }
    fs::rename(tmp, path);
  } catch (...) {
    std::error_code ec;
    fs::remove(tmp, ec);
    throw;
  }
}

void write_file_atomically(const fs::path& path, std::string_view content) {
  write_file_atomically(path, [&](std::ostream& out) { out.write(content.data(), static_cast<std::streamsize>(content.size())); });
}

}  // namespace xbar
