#include "sweep/frozen_inputs.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cstdint>

#include "common/atomic_file.hpp"
#include "common/diagnostics.hpp"
#include "config_loader/data_file.hpp"
#include "config_loader/loader.hpp"
#include "config_loader/text_checks.hpp"

namespace xbar {

namespace fs = std::filesystem;

namespace {

// The config keys that name data files read by the points.
constexpr std::string_view kDataKeys[] = {"weights.file", "inputs.file"};

fs::path copy_path(const fs::path& sweep_dir, const FrozenFile& f) {
  return sweep_dir / "inputs" / fmt::format("{}-{}", f.fingerprint, fs::path(f.path).filename().string());
}

void point_at_copy(std::string& path, const FrozenInputs& inputs, const fs::path& sweep_dir) {
  for (const auto& f : inputs.data)
    if (f.path == path) path = copy_path(sweep_dir, f).string();
}

}  // namespace

std::string content_fingerprint(std::string_view bytes) {
  std::uint64_t h = 1469598103934665603ull;
  for (unsigned char c : bytes) h = (h ^ c) * 1099511628211ull;
  return fmt::format("{:016x}", h);
}

FrozenInputs freeze_config(const std::string& config_path) {
  Diagnostics diags;
  auto text = read_text_file(config_path, kMaxConfigBytes, "config file", diags);
  if (!text) throw InputError(diags);
  FrozenInputs in;
  in.config_path = config_path;
  std::error_code ec;
  in.config.path = fs::absolute(config_path, ec).lexically_normal().string();
  in.config.fingerprint = content_fingerprint(*text);
  in.config.content = std::move(*text);
  const fs::path parent = fs::path(config_path).parent_path();
  in.base_dir = fs::absolute(parent.empty() ? "." : parent, ec).string();
  return in;
}

void freeze_data_files(FrozenInputs& inputs, const Config& base, const SweepSpec& spec) {
  std::vector<std::string> paths = {base.weights.file, base.inputs.file};
  for (const auto& p : spec.params)
    if (std::find(std::begin(kDataKeys), std::end(kDataKeys), p.key) != std::end(kDataKeys))
      paths.insert(paths.end(), p.values.begin(), p.values.end());
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  for (const auto& path : paths) {
    if (path.empty()) continue;
    Diagnostics ignored;
    auto text = read_text_file(path, CsvReadOptions{}.max_bytes, "data file", ignored);
    if (!text) continue;
    inputs.data.push_back({path, content_fingerprint(*text), std::move(*text)});
  }
}

Config load_frozen_config(const FrozenInputs& inputs, const fs::path& sweep_dir, const std::vector<std::string>& sets) {
  Config config = load_config_text(inputs.config.content, inputs.config_path, inputs.base_dir, sets);
  point_at_copy(config.weights.file, inputs, sweep_dir);
  point_at_copy(config.inputs.file, inputs, sweep_dir);
  return config;
}

void write_frozen_copies(const FrozenInputs& inputs, const fs::path& sweep_dir) {
  if (inputs.data.empty()) return;
  fs::create_directories(sweep_dir / "inputs");
  for (const auto& f : inputs.data) write_file_atomically(copy_path(sweep_dir, f), f.content);
}

}  // namespace xbar
