#include "sweep/sweep_points.hpp"

#include <charconv>
#include <cstdint>

#include <fmt/format.h>

#include "common/diagnostics.hpp"
#include "config_loader/schema.hpp"

namespace xbar {

std::size_t sweep_point_count(const SweepSpec& spec) {
  if (spec.params.empty()) return 0;
  if (spec.mode == SweepMode::kZip) return spec.params.front().values.size();
  std::size_t n = 1;
  for (const auto& p : spec.params) n *= p.values.size();
  return n;
}

std::vector<std::string> sweep_point_values(const SweepSpec& spec, std::size_t index) {
  std::vector<std::string> out(spec.params.size());
  if (spec.mode == SweepMode::kZip) {
    for (std::size_t k = 0; k < spec.params.size(); ++k) out[k] = spec.params[k].values.at(index);
    return out;
  }
  // Mixed-radix digits, the last key least significant.
  for (std::size_t k = spec.params.size(); k-- > 0;) {
    const auto& values = spec.params[k].values;
    out[k] = values.at(index % values.size());
    index /= values.size();
  }
  return out;
}

namespace {

// Texts that are not numbers are quoted so YAML reads them back unchanged
// (a path may hold ':' or '#').
std::string yaml_scalar(const std::string& key, const std::string& text) {
  const KeyInfo* info = find_key(key);
  const bool plain =
      info && (info->type == KeyType::kInt || info->type == KeyType::kReal || info->type == KeyType::kBool);
  if (plain) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::vector<std::string> sweep_point_overrides(const SweepSpec& spec, std::size_t index) {
  std::vector<std::string> values = sweep_point_values(spec, index);
  std::vector<std::string> out;
  out.reserve(values.size());
  for (std::size_t k = 0; k < values.size(); ++k)
    out.push_back(spec.params[k].key + "=" + yaml_scalar(spec.params[k].key, values[k]));
  return out;
}

Shard parse_shard(const std::string& text) {
  const auto slash = text.find('/');
  Shard s;
  auto read = [](std::string_view t, int& out) {
    auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), out);
    return ec == std::errc() && end == t.data() + t.size() && !t.empty();
  };
  if (slash == std::string::npos || !read(std::string_view(text).substr(0, slash), s.k) ||
      !read(std::string_view(text).substr(slash + 1), s.count) || s.count < 1 || s.k < 0 || s.k >= s.count)
    throw InputError({"--shard", 1, 1}, fmt::format("expected K/N with 0 <= K < N (K counts from 0, as Slurm array "
                                                    "indices do), got '{}'",
                                                    text));
  return s;
}

std::string sweep_fingerprint(const SweepSpec& spec, const std::string& base_resolved_yaml) {
  // FNV-1a over every byte that decides the points' results.
  std::uint64_t h = 1469598103934665603ull;
  auto mix = [&h](std::string_view s) {
    for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
    h = (h ^ 0xff) * 1099511628211ull;  // separator
  };
  mix(spec.mode == SweepMode::kGrid ? "grid" : "zip");
  mix(spec.keep == SweepKeep::kSummary ? "summary" : "all");
  for (const auto& p : spec.params) {
    mix(p.key);
    for (const auto& v : p.values) mix(v);
  }
  mix(base_resolved_yaml);
  return fmt::format("{:016x}", h);
}

}  // namespace xbar
