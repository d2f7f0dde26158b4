#pragma once
// Files are written whole or not at all: into a temporary beside the target,
// flushed, then renamed over it.
#include <filesystem>
#include <functional>
#include <ostream>
#include <string_view>

namespace xbar {

// Calls `write` with a stream to a temporary file in the target's folder, then
// renames it to `path`.  On any exception the temporary is removed and the
// target is untouched.  Throws std::runtime_error on I/O failure.
void write_file_atomically(const std::filesystem::path& path,
                           const std::function<void(std::ostream&)>& write);

void write_file_atomically(const std::filesystem::path& path, std::string_view content);

}  // namespace xbar
