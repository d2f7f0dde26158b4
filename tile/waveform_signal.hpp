#pragma once
// One signal of `output.waveforms` (transient runs), in tile coordinates.
// Plain data: the config holds a list of them, the transient circuit saves them.
#include <string>

#include "common/diagnostics.hpp"

namespace xbar {

enum class WaveformKind {
  kColumnCurrent,  // i_col: I_j of a physical column (docs/circuit.md), A
  kDriverCurrent,  // i_driver: current delivered by row driver i, A
  kWordLine,       // v_wl: word-line voltage at cell (row, col), V
  kBitLine,        // v_bl: bit-line voltage at cell (row, col), V
  kSenseNode,      // v_sense: voltage of sense node S_col, V
};

struct WaveformSignal {
  WaveformKind kind = WaveformKind::kColumnCurrent;
  int row = -1, col = -1;  // -1 where the kind does not use it
  SourcePos pos;           // where the user wrote it
};

inline const char* waveform_kind_name(WaveformKind k) {
  switch (k) {
    case WaveformKind::kColumnCurrent: return "i_col";
    case WaveformKind::kDriverCurrent: return "i_driver";
    case WaveformKind::kWordLine: return "v_wl";
    case WaveformKind::kBitLine: return "v_bl";
    case WaveformKind::kSenseNode: return "v_sense";
  }
  return "?";
}

inline bool waveform_uses_row(WaveformKind k) {
  return k == WaveformKind::kDriverCurrent || k == WaveformKind::kWordLine || k == WaveformKind::kBitLine;
}
inline bool waveform_uses_col(WaveformKind k) { return k != WaveformKind::kDriverCurrent; }
inline const char* waveform_unit(WaveformKind k) {
  return k == WaveformKind::kColumnCurrent || k == WaveformKind::kDriverCurrent ? "A" : "V";
}

}  // namespace xbar
