#include "model_library/model_library.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <string_view>

#include <fmt/format.h>

#include "model_library/ngspice_lines.hpp"

namespace xbar {
namespace {

namespace fs = std::filesystem;
using ngspice_lines::FileCommand;

struct ModelFile {
  std::string path;
  std::vector<std::string> lines;
};

// Like ngspice's tilde expansion: $HOME, else the password database.
std::optional<std::string> home_folder() {
  if (const char* home = std::getenv("HOME"); home && *home) return std::string(home);
  if (const passwd* pw = getpwuid(getuid()); pw && pw->pw_dir) return std::string(pw->pw_dir);
  return std::nullopt;
}

class Reader {
 public:
  explicit Reader(const ModelReadLimits& limits) : limits_(limits) {}

  std::vector<std::string> read_top(const std::string& path) {
    const ModelFile file = load(path, SourcePos{path, 0, 0});
    std::vector<std::string> out;
    inline_lines(file, 0, file.lines.size(), out, 0);
    return out;
  }

 private:
  [[noreturn]] static void fail(const SourcePos& at, const std::string& reason) { throw ModelFileError(at, reason); }

  // Opens without following into a FIFO or device: O_NONBLOCK keeps a FIFO
  // from blocking the open, fstat then refuses anything but a regular file.
  ModelFile load(const std::string& path, const SourcePos& referenced_at) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) fail(referenced_at, fmt::format("cannot open model file {}: {}", path, std::strerror(errno)));
    struct FdCloser {
      int fd;
      ~FdCloser() { ::close(fd); }
    } closer{fd};
    struct stat st {};
    if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
      fail(referenced_at, fmt::format("model file {} is not a regular file", path));
    if (static_cast<std::uintmax_t>(st.st_size) > limits_.max_file_bytes)
      fail(referenced_at, fmt::format("model file {} is larger than {} bytes", path, limits_.max_file_bytes));
    std::string text;
    char buf[1 << 16];
    for (;;) {
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) fail(referenced_at, fmt::format("cannot read model file {}: {}", path, std::strerror(errno)));
      if (n == 0) break;
      text.append(buf, static_cast<std::size_t>(n));
      if (text.size() > limits_.max_file_bytes)  // it grew while being read
        fail(referenced_at, fmt::format("model file {} is larger than {} bytes", path, limits_.max_file_bytes));
    }
    total_bytes_ += text.size();
    if (total_bytes_ > limits_.max_total_bytes)
      fail(referenced_at, fmt::format("model files with their includes exceed {} bytes", limits_.max_total_bytes));
    ModelFile file{path, {}};
    std::size_t start = 0;
    while (start < text.size()) {
      std::size_t end = text.find('\n', start);
      if (end == std::string::npos) end = text.size();
      std::string line = text.substr(start, end - start);
      if (!line.empty() && line.back() == '\r') line.pop_back();
      file.lines.push_back(std::move(line));
      start = end + 1;
    }
    // ngspice reads every line of a file it opens (a library's unused sections
    // too), so every line is checked, not only the ones inlined.
    for (std::size_t i = 0; i < file.lines.size(); ++i) {
      const std::string reason = ngspice_lines::control_reason(file.lines[i], /*is_title=*/false);
      if (!reason.empty()) fail(at(file, i), reason);
    }
    return file;
  }

  // Not blank and not a comment: a line a `+` line may continue.
  static bool is_statement(std::string_view line) {
    const auto first = line.find_first_not_of(" \t");
    return first != std::string_view::npos && line[first] != '*';
  }

  static SourcePos at(const ModelFile& f, std::size_t index) {
    return SourcePos{f.path, static_cast<int>(index) + 1, 1};
  }

  // ngspice resolves a relative name against the including file's folder and
  // `~/` against the home folder.
  static std::string resolve(const std::string& name, const ModelFile& from, const SourcePos& where) {
    if (name.size() >= 2 && name[0] == '~' && name[1] == '/') {
      const auto home = home_folder();
      if (!home) fail(where, fmt::format("cannot expand `~` in {}: no home folder", name));
      return (fs::path(*home) / name.substr(2)).string();
    }
    const fs::path p(name);
    if (p.is_absolute()) return name;
    return (fs::path(from.path).parent_path() / p).string();
  }

  // Appends lines [begin, end) of `file`, inlining references; depth counts
  // the files opened above this one.
  void inline_lines(const ModelFile& file, std::size_t begin, std::size_t end, std::vector<std::string>& out,
                    int depth) {
    // A `+` line continues the last statement; inlining must not hand it a
    // different one, so it needs a statement of its own file before it.
    bool can_continue = false;
    bool after_reference = false;
    for (std::size_t i = begin; i < end; ++i) {
      const std::string& line = file.lines[i];
      if (ngspice_lines::is_continuation(line)) {
        if (!can_continue)
          fail(at(file, i), after_reference ? "a `+` continuation of an `.include`/`.lib` line"
                                            : "a `+` continuation line with no line of its own file to continue");
        out.push_back(line);
        continue;
      }
      const FileCommand cmd = ngspice_lines::file_command(line);
      if (cmd == FileCommand::kNone) {
        out.push_back(line);
        if (is_statement(line)) can_continue = true, after_reference = false;
        continue;
      }
      can_continue = false;
      after_reference = true;
      const std::vector<std::string> args = ngspice_lines::arguments(line);
      if (cmd == FileCommand::kLib && args.size() == 1) {
        // `.lib NAME` ... `.endl`: a section definition, used only when a
        // `.lib FILE NAME` names it, so it is left out here.
        const std::size_t close = section_end(file, i);
        out.push_back("* " + line + "   (section definition, used only by reference)");
        i = close;
        continue;
      }
      if (args.empty() || args[0].empty()) fail(at(file, i), "`.include`/`.lib` without a file name");
      if (depth + 1 > limits_.max_depth)
        fail(at(file, i), fmt::format("model files nested deeper than {}", limits_.max_depth));
      const std::string target = resolve(args[0], file, at(file, i));
      const ModelFile inner = load(target, at(file, i));
      out.push_back("* " + line);
      if (cmd == FileCommand::kInclude) {
        inline_lines(inner, 0, inner.lines.size(), out, depth + 1);
      } else {
        const std::size_t def = find_section(inner, args[1]);
        if (def == inner.lines.size()) fail(at(file, i), fmt::format("section `{}` not found in {}", args[1], target));
        inline_lines(inner, def + 1, section_end(inner, def), out, depth + 1);
      }
      out.push_back("* end of " + target);
    }
  }

  static std::size_t find_section(const ModelFile& f, const std::string& name) {
    for (std::size_t i = 0; i < f.lines.size(); ++i) {
      if (ngspice_lines::file_command(f.lines[i]) != FileCommand::kLib) continue;
      const auto args = ngspice_lines::arguments(f.lines[i]);
      if (args.size() == 1 && strcasecmp(args[0].c_str(), name.c_str()) == 0) return i;
    }
    return f.lines.size();
  }

  static std::size_t section_end(const ModelFile& f, std::size_t def) {
    for (std::size_t i = def + 1; i < f.lines.size(); ++i)
      if (ngspice_lines::is_section_end(f.lines[i])) return i;
    fail(at(f, def), "`.lib` section without `.endl`");
  }

  ModelReadLimits limits_;
  std::uintmax_t total_bytes_ = 0;
};

}  // namespace

std::vector<std::string> read_model_library(const std::string& path, const ModelReadLimits& limits) {
  return Reader(limits).read_top(path);
}

}  // namespace xbar
