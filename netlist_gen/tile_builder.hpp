#pragma once
// Config -> TileSpec: the one place where a validated config becomes the tile
// description both engines start from.
#include <string>
#include <vector>

#include "config_loader/config.hpp"
#include "tile/tile_spec.hpp"

namespace xbar {

// Builds the tile from a validated config: generates or reads weights and
// inputs, quantizes, applies variability.  Data-file problems throw InputError
// with positions in those files.
TileSpec build_tile_spec(const Config& config);

// Reads every transistor.include file through the model reader and reports each
// one that cannot be used (it would reach ngspice's control language, is not a
// regular file, is too large, ...) at transistor.include, naming the place in
// the model file.  build_tile_spec does the same; this lets `check` report it
// without building a tile.
void check_model_files(const Config& config, Diagnostics& diags);

// Driver voltages for a new batch of inputs on a tile of `config`: one vector
// per batch row, `tile.rows` values each, in the unit of `inputs.kind` (the
// same checks as an inputs file).  Problems throw InputError positioned as
// `source:VECTOR:VALUE` (both from 1).
std::vector<std::vector<double>> tile_inputs(const Config& config, const std::vector<std::vector<double>>& batch,
                                             const std::string& source = "input batch");

}  // namespace xbar
