#pragma once
// The result files of a run, declared once, and the writer that makes an
// output folder hold one run's complete set or none.
//
// A run writes its files into a fresh staging folder inside the output folder
// (same file system, so the moves below are renames), fsynced one by one.
// Only when every file is there does commit() replace the previous set:
// summary.json is removed first (its presence marks a complete set), then
// every other result file of any analysis, then the new files are renamed in,
// summary.json last.  So at any instant the folder holds the old complete
// set, or files of only one run without summary.json, or the new complete
// set; never files of two runs together.  A failure while staging (a full
// disk) leaves the old set untouched.  The folder itself is not swapped
// because it may hold the user's own files (`-o .`); those are never touched.
// Staging folders and temporaries of killed runs are removed by the next
// writer; an flock on the folder keeps two writers apart.
#include <filesystem>
#include <functional>
#include <ostream>
#include <span>
#include <string_view>

namespace xbar {

// Every file any analysis (op, read, tran) or a failed run may leave in its
// output folder.  A file not listed here cannot be written by ResultSetWriter;
// a listed file is optional (written only when the run produces it).
std::span<const std::string_view> result_file_names();

class ResultSetWriter {
 public:
  // Creates `dir` if missing, locks it, removes leftovers of killed runs and
  // makes a fresh staging folder.  Throws std::filesystem::filesystem_error
  // (path + OS error), or when another xbar is writing into `dir`.
  explicit ResultSetWriter(const std::filesystem::path& dir);
  ~ResultSetWriter();  // without commit(): the staging folder is removed
  ResultSetWriter(const ResultSetWriter&) = delete;
  ResultSetWriter& operator=(const ResultSetWriter&) = delete;

  // Stages one declared file (std::logic_error for an undeclared name).  Safe
  // to call from several threads for different names.
  void write(std::string_view name, const std::function<void(std::ostream&)>& write);
  void write(std::string_view name, std::string_view content);

  // Replaces the folder's result files by the staged ones (see above).
  void commit();

  const std::filesystem::path& dir() const { return dir_; }

 private:
  std::filesystem::path dir_;
  std::filesystem::path staging_;
  int lock_fd_ = -1;
  bool committed_ = false;
};

}  // namespace xbar
