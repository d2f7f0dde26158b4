#pragma once
// Loading a config: YAML file -> checked, typed Config (docs/config.md).
// Every problem is collected, then thrown at once as an InputError whose
// lines read `FILE:LINE:COL: error: MESSAGE` (or `--set:N:COL: ...`).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config_loader/config.hpp"

namespace xbar {

inline constexpr std::uintmax_t kMaxConfigBytes = 16u << 20;  // 16 MiB

// `set_overrides`: the `KEY=VALUE` texts of `--set`, in command-line order;
// applied after the file.  Relative paths are taken from the config file's folder.
Config load_config(const std::string& path, const std::vector<std::string>& set_overrides = {});

// The same from text in memory.  `display_name` names it in messages;
// `base_dir` resolves relative paths.
Config load_config_text(std::string_view yaml, const std::string& display_name, const std::string& base_dir,
                        const std::vector<std::string>& set_overrides = {});

// Every key with its resolved value, as YAML that loads back to an equal Config.
std::string resolved_yaml(const Config& config);

}  // namespace xbar
