#pragma once
// The inputs of a sweep, read once when it starts: the config text and the
// contents of every data file it names (weights.file, inputs.file, also as
// swept values).  Every point runs from this copy, so editing a file while a
// sweep runs cannot mix two sweeps; the fingerprints go into sweep.json, so a
// --resume whose inputs changed is refused, naming the file.
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "config_loader/config.hpp"
#include "config_loader/sweep_spec.hpp"

namespace xbar {

struct FrozenFile {
  std::string path;  // absolute, as the config names it
  std::string fingerprint;
  std::string content;
};

struct FrozenInputs {
  std::string config_path;       // as given (names the config in messages)
  FrozenFile config;             // path absolute
  std::string base_dir;          // the config's folder: relative paths start here
  std::vector<FrozenFile> data;  // sorted by path, each once
};

// Reads the config file (InputError as load_config would throw).
FrozenInputs freeze_config(const std::string& config_path);
// Adds every data file `base` or a swept value names that can be read; one
// that cannot is left to fail its points with the reader's own message.
void freeze_data_files(FrozenInputs& inputs, const Config& base, const SweepSpec& spec);

// The config of the frozen text with `sets` applied, its data paths pointing
// at the copies that write_frozen_copies() made in `sweep_dir`.
Config load_frozen_config(const FrozenInputs& inputs, const std::filesystem::path& sweep_dir,
                          const std::vector<std::string>& sets);
// Writes each data file to sweep_dir/inputs/<fingerprint>-<name> (atomically;
// the names depend on the contents only, so shards and ranks agree).
void write_frozen_copies(const FrozenInputs& inputs, const std::filesystem::path& sweep_dir);

// 16 hex digits of FNV-1a 64 over the bytes (change detection, not security).
std::string content_fingerprint(std::string_view bytes);

}  // namespace xbar
