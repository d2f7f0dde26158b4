#pragma once
// The vectors of one ngspice plot, stored flat: every name in one string,
// every value in one array, and an index over the names kept as vectors are
// added.  A 256x256 op returns ~131k vectors of one point each: as a map of
// strings to vectors that is ~260k allocations to build in the parent, to
// page in and to free again; flat, it is four arrays that cross the isolated
// simulator's pipe as they are.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace xbar {

class VectorTable {
 public:
  // The table's four arrays: vector k's name is names[name_ends[k-1],
  // name_ends[k]) and its values values[value_ends[k-1], value_ends[k])
  // (from 0 for k = 0), in the order they were added.
  struct Parts {
    std::string names;
    std::vector<std::uint64_t> name_ends;
    std::vector<double> values;
    std::vector<std::uint64_t> value_ends;
  };

  VectorTable() = default;
  // Takes over `parts` and indexes them.  Throws std::invalid_argument when
  // an end runs backwards or past its array, the arrays hold more than the
  // ends say, or a name is there twice (add() never makes one).
  explicit VectorTable(Parts parts);

  // Room for `vectors` vectors before the index grows.
  void reserve(std::size_t vectors);
  // Appends a vector; a name already there keeps its first vector (false).
  bool add(std::string_view name, std::span<const double> values);

  std::size_t size() const { return parts_.name_ends.size(); }
  bool empty() const { return size() == 0; }
  // The k-th vector added.
  std::string_view name(std::size_t k) const;
  std::span<const double> values(std::size_t k) const;

  // The named vector's values, or nothing.  The span lives until the next add.
  std::optional<std::span<const double>> find(std::string_view name) const;
  bool contains(std::string_view name) const { return find(name).has_value(); }
  // The named vector's values; throws std::out_of_range when there is none.
  std::span<const double> at(std::string_view name) const;

  const Parts& parts() const { return parts_; }

  // Same vectors, in the same order.
  friend bool operator==(const VectorTable& a, const VectorTable& b);

 private:
  // The slot holding `name`, or the empty slot where it would go
  // (slots_.size() when there are no slots yet).
  std::size_t slot_of(std::string_view name) const;
  void rebuild_index(std::size_t slot_count);

  Parts parts_;
  // Open addressing, linear probing: k + 1 for vector k, 0 for an empty slot;
  // at most half full.
  std::vector<std::uint32_t> slots_;
};

}  // namespace xbar
