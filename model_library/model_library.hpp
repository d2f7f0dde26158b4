#pragma once
// The one reader of SPICE model files (a PDK, xbar's own cards).  It reads a
// file the way ngspice would -- `.include`/`.lib` resolved relative to the
// including file's folder, `~/` through the home folder, `.lib FILE SECTION`
// sections -- checks every line against ngspice's control language, and returns
// the whole text with every include inlined.  That text goes into the netlist,
// so ngspice never opens a model file itself.
#include <cstdint>
#include <string>
#include <vector>

#include "common/diagnostics.hpp"

namespace xbar {

struct ModelReadLimits {
  std::uintmax_t max_file_bytes = std::uintmax_t{64} << 20;    // one file
  std::uintmax_t max_total_bytes = std::uintmax_t{256} << 20;  // everything inlined
  int max_depth = 16;                                          // nested includes
};

// A model file that cannot be used: bad input (exit 2).  `pos` is the place
// inside the model file (FILE:LINE:COL), `reason` the problem alone.
class ModelFileError : public InputError {
 public:
  ModelFileError(SourcePos pos, const std::string& reason)
      : InputError(pos, reason), pos_(std::move(pos)), reason_(reason) {}
  const SourcePos& pos() const { return pos_; }
  const std::string& reason() const { return reason_; }

 private:
  SourcePos pos_;
  std::string reason_;
};

// The text of `path` with every `.include`/`.lib` reference replaced by the
// text it names (each such line kept as a `* ` comment), ready to be placed in a
// netlist.  Throws ModelFileError on a file that is missing, not a regular file,
// too large, nested too deep, or holding a line that would reach ngspice's
// control language.
std::vector<std::string> read_model_library(const std::string& path, const ModelReadLimits& limits = {});

}  // namespace xbar
