#pragma once
// Output folders and files are checked before any work is done, so a bad path
// is a clear input error (exit 2) rather than a failure after a long run, and
// nothing is created for it.
#include <filesystem>
#include <string>

namespace xbar {

// Why `dir` cannot be used as an output folder (created if missing), or ""
// when it can: every existing component must be a folder, and something can
// be created in the deepest existing one (probed, then removed).
std::string output_dir_problem(const std::filesystem::path& dir);

// Why `file` cannot be written, or "": its folder must exist and be writable,
// and the file itself must be a regular file or a new name (not a folder,
// symlink, FIFO or device).
std::string output_file_problem(const std::filesystem::path& file);

}  // namespace xbar
