#include "spice_bridge/vector_table.hpp"

#include <bit>
#include <functional>
#include <limits>
#include <stdexcept>

namespace xbar {
namespace {

std::size_t hash_of(std::string_view name) { return std::hash<std::string_view>{}(name); }

// Slots for `vectors` vectors at most half full: a power of two, at least 8.
std::size_t slots_for(std::size_t vectors) { return std::bit_ceil(std::max<std::size_t>(8, 2 * vectors)); }

std::uint64_t start_of(const std::vector<std::uint64_t>& ends, std::size_t k) { return k == 0 ? 0 : ends[k - 1]; }

}  // namespace

VectorTable::VectorTable(Parts parts) : parts_(std::move(parts)) {
  const std::size_t n = parts_.name_ends.size();
  if (n >= std::numeric_limits<std::uint32_t>::max() / 2) throw std::invalid_argument("vector table: too many vectors");
  if (parts_.value_ends.size() != n) throw std::invalid_argument("vector table: as many value ends as name ends");
  auto check_ends = [](const std::vector<std::uint64_t>& ends, std::size_t total, const char* what) {
    std::uint64_t previous = 0;
    for (std::uint64_t end : ends) {
      if (end < previous) throw std::invalid_argument(std::string("vector table: ") + what + " ends run backwards");
      previous = end;
    }
    if (previous != total) throw std::invalid_argument(std::string("vector table: ") + what + " ends miss their array");
  };
  check_ends(parts_.name_ends, parts_.names.size(), "name");
  check_ends(parts_.value_ends, parts_.values.size(), "value");
  rebuild_index(slots_for(n));
}

void VectorTable::reserve(std::size_t vectors) {
  parts_.name_ends.reserve(vectors);
  parts_.value_ends.reserve(vectors);
  if (slots_for(vectors) > slots_.size()) rebuild_index(slots_for(vectors));
}

bool VectorTable::add(std::string_view name, std::span<const double> values) {
  if (size() >= std::numeric_limits<std::uint32_t>::max() / 2) throw std::length_error("vector table: too many vectors");
  if (2 * (size() + 1) > slots_.size()) rebuild_index(slots_for(size() + 1));
  const std::size_t slot = slot_of(name);
  if (slots_[slot] != 0) return false;
  parts_.names.append(name);
  parts_.name_ends.push_back(parts_.names.size());
  parts_.values.insert(parts_.values.end(), values.begin(), values.end());
  parts_.value_ends.push_back(parts_.values.size());
  slots_[slot] = static_cast<std::uint32_t>(size());
  return true;
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
  const std::size_t slot = slot_of(name);
  if (slot == slots_.size() || slots_[slot] == 0) return std::nullopt;
  return values(slots_[slot] - 1);
}

std::span<const double> VectorTable::at(std::string_view name) const {
  if (auto v = find(name)) return *v;
  throw std::out_of_range("no vector '" + std::string(name) + "'");
}

std::size_t VectorTable::slot_of(std::string_view name) const {
  if (slots_.empty()) return 0;
  const std::size_t mask = slots_.size() - 1;
  for (std::size_t slot = hash_of(name) & mask;; slot = (slot + 1) & mask)
    if (slots_[slot] == 0 || this->name(slots_[slot] - 1) == name) return slot;
}

void VectorTable::rebuild_index(std::size_t slot_count) {
  slots_.assign(slot_count, 0);
  for (std::size_t k = 0; k < size(); ++k) {
    const std::size_t slot = slot_of(name(k));
    if (slots_[slot] != 0) throw std::invalid_argument("vector table: the name '" + std::string(name(k)) + "' repeats");
    slots_[slot] = static_cast<std::uint32_t>(k + 1);
  }
}

bool operator==(const VectorTable& a, const VectorTable& b) {
  return a.parts_.names == b.parts_.names && a.parts_.name_ends == b.parts_.name_ends &&
         a.parts_.values == b.parts_.values && a.parts_.value_ends == b.parts_.value_ends;
}

}  // namespace xbar
