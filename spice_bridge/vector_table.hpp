#pragma once
// The vectors of one ngspice plot, stored flat: every name in one string,
// every value in one array, and an index over the names built once.  A
// 256x256 op returns ~131k vectors of one point each: as a map of strings to
// vectors that is ~260k allocations to build in the parent, to page in and to
// free again; flat, it is four arrays that cross the isolated simulator's pipe
// as they are.
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
  // (from 0 for k = 0).
  struct Parts {
    std::string names;
    std::vector<std::uint64_t> name_ends;
    std::vector<double> values;
    std::vector<std::uint64_t> value_ends;

    void append(std::string_view name, std::span<const double> vector_values);
  };

  VectorTable() = default;
  // Takes over `parts` and indexes their names.  A name given again keeps its
  // first vector (the later ones are dropped).  Throws std::invalid_argument
  // when an end runs backwards or past its array, or an array holds more than
  // its ends say.
  explicit VectorTable(Parts parts);

  std::size_t size() const { return parts_.name_ends.size(); }
  bool empty() const { return size() == 0; }
  // The k-th vector, in the order of the parts.
  std::string_view name(std::size_t k) const;
  std::span<const double> values(std::size_t k) const;

  // The named vector's values, or nothing.
  std::optional<std::span<const double>> find(std::string_view name) const;
  bool contains(std::string_view name) const { return find(name).has_value(); }
  // The named vector's values; throws std::out_of_range when there is none.
  std::span<const double> at(std::string_view name) const;

  const Parts& parts() const { return parts_; }

  // Same vectors, in the same order.
  friend bool operator==(const VectorTable& a, const VectorTable& b);

 private:
  // The slot holding `name` (whose hash is `hash`), or the empty slot where
  // it would go.
  std::size_t slot_of(std::string_view name, std::size_t hash) const;
  // Indexes every name; the positions of those already there, in order.
  std::vector<std::size_t> index_names();

  Parts parts_;
  // Open addressing, linear probing, at most half full: k + 1 for vector k,
  // 0 for an empty slot.
  std::vector<std::uint32_t> slots_;
};

}  // namespace xbar
