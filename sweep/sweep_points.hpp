#pragma once
// The points of a sweep: their fixed order, their values and the `--set`
// overrides that turn the base config into each point's config.
#include <cstddef>
#include <string>
#include <vector>

#include "config_loader/sweep_spec.hpp"

namespace xbar {

// grid: the product of the list lengths; zip: the common list length.
std::size_t sweep_point_count(const SweepSpec& spec);

// The value of each swept key at point `index` (grid: the last key varies fastest).
std::vector<std::string> sweep_point_values(const SweepSpec& spec, std::size_t index);

// `KEY=VALUE` texts for load_config(): a point's config is the base config plus these.
std::vector<std::string> sweep_point_overrides(const SweepSpec& spec, std::size_t index);

// One slice of a sweep for a cluster job array: points with index % count == index_k.
struct Shard {
  int k = 0;
  int count = 1;
  bool holds(std::size_t point) const { return point % static_cast<std::size_t>(count) == static_cast<std::size_t>(k); }
};
// "K/N" with 0 <= K < N; throws InputError naming `--shard`.
Shard parse_shard(const std::string& text);

// A text that identifies the sweep's points (keys, values, keep mode) and the
// resolved base config, so --resume and --merge refuse results of another sweep.
std::string sweep_fingerprint(const SweepSpec& spec, const std::string& base_resolved_yaml);

}  // namespace xbar
