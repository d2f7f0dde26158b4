#pragma once
// The isolated simulator's pipe protocol (private to spice_bridge): the child
// sends frames `[u8 kind][u64 length][payload]` in this machine's byte order.
// Log frames stream while the job runs, so a crash still leaves the log behind;
// a run job sends a Version frame (the ngspice version) before its result;
// exactly one Result, Value or Error frame ends a healthy job.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "spice_bridge/simulator.hpp"

namespace xbar::spice {

enum class FrameKind : std::uint8_t { kLog = 1, kStatus = 2, kResult = 3, kValue = 4, kError = 5, kVersion = 6 };

struct Frame {
  FrameKind kind;
  std::string payload;
};

std::string encode_frame(FrameKind kind, std::string_view payload);
// The header alone, for a sender that writes a large payload in place after it.
std::string encode_frame_header(FrameKind kind, std::uint64_t payload_size);
// Takes one whole frame off the front of `buffer`; nullopt while it is incomplete.
// Throws SimulationError on a malformed frame.
std::optional<Frame> take_frame(std::string& buffer);

// A result's vectors cross as their table's four arrays (VectorTable::Parts),
// each copied whole: no per-vector work on either side but the parent's index.
std::string encode_result(const SimResult& result);
SimResult decode_result(std::string_view payload);  // throws SimulationError if malformed

// Status frames: ngspice's progress report, parsed in the child.  The parent
// takes at most kMaxStatusFrame bytes, printable text of at most
// kMaxStatusText characters and a percentage in [0, 100] (or NaN): anything
// else is a malformed reply (SimulationError), so a hostile child cannot
// flood the parent or write control sequences to its terminal.
inline constexpr std::size_t kMaxStatusText = 64;
inline constexpr std::size_t kMaxStatusFrame = 8 + 8 + kMaxStatusText;
SimStatus parse_ngspice_status(std::string_view text);  // "tran: 45.3%"; cleaned and cut to the bounds
std::string encode_status(const SimStatus& status);
SimStatus decode_status(std::string_view payload);

std::string encode_error(const std::string& what, const std::string& detail);
std::pair<std::string, std::string> decode_error(std::string_view payload);

}  // namespace xbar::spice
