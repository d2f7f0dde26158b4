#pragma once
// Config -> TileSpec: the one place where a validated config becomes the tile
// description both engines start from.
#include "config_loader/config.hpp"
#include "tile/tile_spec.hpp"

namespace xbar {

// Builds the tile from a validated config: generates or reads weights and
// inputs, quantizes, applies variability.  Data-file problems throw InputError
// with positions in those files.
TileSpec build_tile_spec(const Config& config);

}  // namespace xbar
