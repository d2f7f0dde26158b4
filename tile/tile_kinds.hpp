#pragma once
// The kinds a tile is made of, shared by the config, both engines and the
// reports.  Depends on nothing, so every layer above tile/ can name them.
// A new cell kind: one file in tile/cells/ and one line in cell_kinds().
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tile/cell_kind.hpp"
#include "tile/cells/cell_1r.hpp"
#include "tile/cells/cell_1s1r.hpp"
#include "tile/cells/cell_1t1r.hpp"
#include "tile/cells/cell_2t2r.hpp"

namespace xbar {

// Every cell kind, in the order `tile.cell` lists them; the first is the default.
inline const std::vector<const CellKindInfo*>& cell_kinds() {
  static const std::vector<const CellKindInfo*> kinds = {&cell_1r(), &cell_1t1r(), &cell_2t2r(), &cell_1s1r()};
  return kinds;
}

// A cell kind: a handle on its registry entry (`kind->differential`, ...).
class CellKind {
 public:
  CellKind() = default;  // the first kind, 1R
  static CellKind at(int index) {
    CellKind k;
    k.index_ = index;
    return k;
  }
  static std::optional<CellKind> named(std::string_view name) {
    for (std::size_t k = 0; k < cell_kinds().size(); ++k)
      if (name == cell_kinds()[k]->name) return at(static_cast<int>(k));
    return std::nullopt;
  }
  int index() const { return index_; }
  const CellKindInfo& info() const { return *cell_kinds().at(static_cast<std::size_t>(index_)); }
  const CellKindInfo* operator->() const { return &info(); }
  bool operator==(const CellKind&) const = default;

 private:
  int index_ = 0;
};

// The kind of that name; throws std::out_of_range for a name not registered
// (code and tests name kinds; configs go through the loader's checked enum).
inline CellKind cell_kind(std::string_view name) {
  if (auto k = CellKind::named(name)) return *k;
  throw std::out_of_range("no cell kind '" + std::string(name) + "'");
}

enum class SenseKind { kVirtualGround, kTia };

inline const char* to_string(CellKind k) { return k->name; }

inline const char* to_string(SenseKind k) {
  switch (k) {
    case SenseKind::kVirtualGround: return "virtual_ground";
    case SenseKind::kTia: return "tia";
  }
  return "?";
}

}  // namespace xbar
