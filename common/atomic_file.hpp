#pragma once
// Files are written whole or not at all: into a fresh temporary beside the
// target, flushed and synced, then renamed over it.  Only a regular file (or a
// new name) is ever replaced: a symlink, FIFO, device or socket at the target
// is refused and left as it is.  I/O errors name the file and the OS error.
#include <filesystem>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>

namespace xbar {

// Calls `write` with a stream to a temporary file in the target's folder, then
// renames it to `path`.  On any exception the temporary is removed and the
// target is untouched.  Temporaries that a killed earlier write of the same
// target left behind are removed first.  Throws std::filesystem::filesystem_error
// (with the path and the OS error) on I/O failure or a target that is not a
// regular file.
void write_file_atomically(const std::filesystem::path& path, const std::function<void(std::ostream&)>& write);

void write_file_atomically(const std::filesystem::path& path, std::string_view content);

// Why `path` may not be replaced by a writer ("is a symlink", "is a FIFO", ...),
// or "" when it is a regular file or does not exist.
std::string not_replaceable_reason(const std::filesystem::path& path);

// Whether `entry` (a file name) is a temporary of `write_file_atomically` to
// the file named `target` in the same folder.
bool is_temporary_of(std::string_view entry, std::string_view target);

// Removes the temporaries of `write_file_atomically(dir / name)` that a killed
// process left in `dir`.
void remove_stale_temporaries(const std::filesystem::path& dir, std::string_view name);

// Writes everything to standard output and flushes it; throws
// std::filesystem::filesystem_error naming standard output when that fails
// (a full disk, a closed pipe).
void write_stdout(const std::function<void(std::ostream&)>& write);

// Flushes what was printed to standard output; throws as write_stdout() when
// any of it was lost.
void flush_stdout();

}  // namespace xbar
