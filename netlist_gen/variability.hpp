#pragma once
// The random variations of a tile (docs/config.md, "Variability and Monte
// Carlo"): every draw comes from one seed, split into independent streams, so
// a tile is the same on every machine and a Monte-Carlo sample is rebuilt
// from (montecarlo.seed, sample) alone.
#include <cstdint>
#include <vector>

#include "config_loader/config.hpp"
#include "tile/tile_spec.hpp"

namespace xbar {

// SplitMix64's output function (Steele, Lea and Flood, OOPSLA 2014): a
// bijection that spreads neighbouring inputs over all 64 bits.
std::uint64_t mix_seed(std::uint64_t x);

// The seed of Monte-Carlo sample k of montecarlo.seed s.
std::uint64_t sample_seed(std::uint64_t s, std::uint64_t k);

// The seed of a tile's variations: device.variability.seed, or the sample's
// seed when montecarlo.sample >= 0.
std::uint64_t variability_seed(const Config& c);

// Independent streams of one variability seed.  The device lognormal draws
// from the seed itself (what device.variability.seed has always meant).
enum class VariabilityStream : std::uint64_t { kStuck = 1, kWires = 2, kTransistors = 3, kWireSegments = 4 };
std::uint64_t stream_seed(std::uint64_t seed, VariabilityStream stream);

// Device-to-device lognormal spread and stuck-at cells on the placed
// conductances g (absent cells stay absent; a draw is made for every cell so
// the pattern does not shift when a cell is absent).
void apply_device_variability(const Config& c, std::vector<double>& g);

// Die-to-die spread of the wire and driver resistances, in place on the tile,
// and the segment-to-segment spread of the wires (t.r_wl_factor, r_bl_factor,
// r_gl_factor: one draw per cell and line, in that order, whether or not the
// segment exists, so the pattern does not shift with the tile's other keys).
void apply_wire_variability(const Config& c, TileSpec& t);

// Pelgrom mismatch of every access transistor: t.delta_vth and t.beta_factor,
// one value per physical cell.  Left empty when a_vt and a_beta are 0 or the
// tile has no transistors.
void apply_transistor_mismatch(const Config& c, TileSpec& t);

}  // namespace xbar
