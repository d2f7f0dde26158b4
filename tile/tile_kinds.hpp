#pragma once
// The kinds a tile is made of, shared by the config, both engines and the
// reports.  Depends on nothing, so every layer above tile/ can name them.
namespace xbar {

enum class CellKind { k1R, k1T1R, k2T2R };
enum class SenseKind { kVirtualGround, kTia };

inline const char* to_string(CellKind k) {
  switch (k) {
    case CellKind::k1R: return "1R";
    case CellKind::k1T1R: return "1T1R";
    case CellKind::k2T2R: return "2T2R";
  }
  return "?";
}

inline const char* to_string(SenseKind k) {
  switch (k) {
    case SenseKind::kVirtualGround: return "virtual_ground";
    case SenseKind::kTia: return "tia";
  }
  return "?";
}

}  // namespace xbar
