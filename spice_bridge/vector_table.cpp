#include "spice_bridge/vector_table.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <functional>
#include <limits>
#include <stdexcept>

namespace xbar {
namespace {

std::size_t hash_of(std::string_view name) { return std::hash<std::string_view>{}(name); }

std::uint64_t start_of(const std::vector<std::uint64_t>& ends, std::size_t k) { return k == 0 ? 0 : ends[k - 1]; }

void check_ends(const std::vector<std::uint64_t>& ends, std::size_t total, const char* what) {
  std::uint64_t previous = 0;
  for (std::uint64_t end : ends) {
    if (end < previous) throw std::invalid_argument(std::string("vector table: ") + what + " ends run backwards");
    previous = end;
  }
  if (previous != total) throw std::invalid_argument(std::string("vector table: ") + what + " ends miss their array");
}

// `parts` without the vectors at `drop` (ascending positions).
VectorTable::Parts without(const VectorTable::Parts& parts, const std::vector<std::size_t>& drop) {
  VectorTable::Parts kept;
  auto next_drop = drop.begin();
  for (std::size_t k = 0; k < parts.name_ends.size(); ++k) {
    if (next_drop != drop.end() && *next_drop == k) {
      ++next_drop;
      continue;
    }
    const std::uint64_t name = start_of(parts.name_ends, k), value = start_of(parts.value_ends, k);
    kept.append(std::string_view(parts.names).substr(name, parts.name_ends[k] - name),
                std::span<const double>(parts.values).subspan(value, parts.value_ends[k] - value));
  }
  return kept;
}

}  // namespace

void VectorTable::Parts::append(std::string_view name, std::span<const double> vector_values) {
  names.append(name);
  name_ends.push_back(names.size());
  values.insert(values.end(), vector_values.begin(), vector_values.end());
  value_ends.push_back(values.size());
}

VectorTable::VectorTable(Parts parts) : parts_(std::move(parts)) {
  if (parts_.name_ends.size() >= std::numeric_limits<std::uint32_t>::max() / 2)
    throw std::invalid_argument("vector table: too many vectors");
  if (parts_.value_ends.size() != parts_.name_ends.size())
    throw std::invalid_argument("vector table: as many value ends as name ends");
  check_ends(parts_.name_ends, parts_.names.size(), "name");
  check_ends(parts_.value_ends, parts_.values.size(), "value");
  if (const std::vector<std::size_t> repeated = index_names(); !repeated.empty()) {
    parts_ = without(parts_, repeated);
    index_names();
  }
}

std::string_view VectorTable::name(std::size_t k) const {
  const std::uint64_t start = start_of(parts_.name_ends, k);
  return std::string_view(parts_.names).substr(start, parts_.name_ends[k] - start);
}

std::span<const double> VectorTable::values(std::size_t k) const {
  const std::uint64_t start = start_of(parts_.value_ends, k);
  return std::span<const double>(parts_.values).subspan(start, parts_.value_ends[k] - start);
}

std::optional<std::span<const double>> VectorTable::find(std::string_view name) const {
  if (slots_.empty()) return std::nullopt;
  const std::uint32_t k = slots_[slot_of(name, hash_of(name))];
  if (k == 0) return std::nullopt;
  return values(k - 1);
}

std::span<const double> VectorTable::at(std::string_view name) const {
  if (auto v = find(name)) return *v;
  throw std::out_of_range("no vector '" + std::string(name) + "'");
}

std::size_t VectorTable::slot_of(std::string_view name, std::size_t hash) const {
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t slot = hash & mask;; slot = (slot + 1) & mask)
    if (slots_[slot] == 0 || this->name(slots_[slot] - 1) == name) return slot;
}

std::vector<std::size_t> VectorTable::index_names() {
  slots_.assign(std::bit_ceil(std::max<std::size_t>(8, 2 * size())), 0);
  std::vector<std::size_t> repeated;
  // The hashes of the names a few vectors ahead, their slots fetched into
  // the cache meanwhile: the first touch of a slot is a cache miss, and the
  // loop would otherwise wait for one miss at a time (131k of them at 256x256).
  constexpr std::size_t kAhead = 16;
  std::array<std::size_t, kAhead> hashes{};
  const std::size_t mask = slots_.size() - 1;
  auto fetch = [&](std::size_t k) {
    hashes[k % kAhead] = hash_of(name(k));
    __builtin_prefetch(&slots_[hashes[k % kAhead] & mask]);
  };
  for (std::size_t k = 0; k < std::min(kAhead, size()); ++k) fetch(k);
  for (std::size_t k = 0; k < size(); ++k) {
    const std::size_t slot = slot_of(name(k), hashes[k % kAhead]);
    if (k + kAhead < size()) fetch(k + kAhead);
    if (slots_[slot] != 0)
      repeated.push_back(k);
    else
      slots_[slot] = static_cast<std::uint32_t>(k + 1);
  }
  return repeated;
}

bool operator==(const VectorTable& a, const VectorTable& b) {
  return a.parts_.names == b.parts_.names && a.parts_.name_ends == b.parts_.name_ends &&
         a.parts_.values == b.parts_.values && a.parts_.value_ends == b.parts_.value_ends;
}

}  // namespace xbar
