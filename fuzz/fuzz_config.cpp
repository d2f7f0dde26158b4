// libFuzzer target: the YAML config loader (load_config_text) and --set.
// Input: YAML text, optionally followed by a line "#--set" and one KEY=VALUE
// per line.  Any input must either load or throw InputError; a loaded config
// must survive its own resolved YAML (what `xbar check` prints) unchanged in
// meaning.  Anything else -- a crash, a sanitizer report, another exception, a
// round trip that fails -- is a bug.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "common/diagnostics.hpp"
#include "config_loader/loader.hpp"

namespace {

// Relative paths resolve here; it does not exist, so nothing is ever read.
constexpr const char* kBaseDir = "/nonexistent-xbar-fuzz";
constexpr std::string_view kSetMarker = "\n#--set\n";

std::vector<std::string> split_lines(std::string_view text) {
  std::vector<std::string> lines;
  std::size_t start = 0;
  while (start <= text.size() && lines.size() < 16) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    if (end > start) lines.emplace_back(text.substr(start, end - start));
    start = end + 1;
  }
  return lines;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  std::string_view yaml = input;
  std::vector<std::string> sets;
  if (std::size_t m = input.find(kSetMarker); m != std::string_view::npos) {
    yaml = input.substr(0, m);
    sets = split_lines(input.substr(m + kSetMarker.size()));
  }
  xbar::Config config;
  try {
    config = xbar::load_config_text(yaml, "fuzz.yaml", kBaseDir, sets);
  } catch (const xbar::InputError& e) {
    // Every problem must carry a message; the loader reports at least one.
    if (e.diagnostics().empty()) std::abort();
    return 0;
  }
  // What `xbar check` prints must load back (paths are absolute by now).
  // XBAR_FUZZ_ROUNDTRIP=0 skips this, to look past a known round-trip bug.
  static const bool roundtrip = [] {
    const char* env = std::getenv("XBAR_FUZZ_ROUNDTRIP");
    return env == nullptr || std::string_view(env) != "0";
  }();
  if (!roundtrip) return 0;
  const std::string resolved = xbar::resolved_yaml(config);
  try {
    const xbar::Config again = xbar::load_config_text(resolved, "resolved.yaml", kBaseDir);
    if (xbar::resolved_yaml(again) != resolved) {
      std::fprintf(stderr, "resolved YAML changed on reload:\n%s\n---\n%s\n", resolved.c_str(),
                   xbar::resolved_yaml(again).c_str());
      std::abort();
    }
  } catch (const xbar::InputError& e) {
    std::fprintf(stderr, "resolved YAML does not load back:\n%s\n---\n%s\n", resolved.c_str(),
                 e.diagnostics().str().c_str());
    std::abort();
  }
  return 0;
}
