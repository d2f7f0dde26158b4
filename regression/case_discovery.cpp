#include "regression/case_discovery.hpp"

#include <algorithm>

#include "common/diagnostics.hpp"

namespace xbar::regression {

namespace fs = std::filesystem;

std::vector<CaseDef> find_cases(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw InputError(SourcePos{dir.string(), 0, 0}, "not a folder of regression cases");
  std::vector<fs::path> folders{dir};
  for (fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end;
       !ec && it != end; it.increment(ec)) {
    if (it->is_directory(ec) && !it->is_symlink(ec)) folders.push_back(it->path());
  }
  if (ec) throw InputError(SourcePos{dir.string(), 0, 0}, "cannot list the folder: " + ec.message());
  const fs::path absolute = fs::absolute(dir, ec).lexically_normal();
  std::string root_name = (absolute.has_filename() ? absolute : absolute.parent_path()).filename().string();
  if (root_name.empty() || root_name == "." || root_name == "..") root_name = "root";
  std::vector<CaseDef> cases;
  for (const fs::path& f : folders) {
    if (!fs::is_regular_file(f / "config.yaml", ec)) continue;
    CaseDef c;
    c.name = fs::relative(f, dir, ec).generic_string();
    // A case at the root of DIR is named by DIR's own folder name, never ".".
    if (ec || c.name.empty() || c.name == ".") c.name = root_name;
    c.dir = f;
    c.config = f / "config.yaml";
    c.expected = f / "expected.yaml";
    cases.push_back(std::move(c));
  }
  std::sort(cases.begin(), cases.end(), [](const CaseDef& a, const CaseDef& b) { return a.name < b.name; });
  return cases;
}

}  // namespace xbar::regression
