#pragma once
// Where xbar's data files (device models, the regression suite) are: found
// relative to the program or library that holds this code, so an installed
// xbar never refers to the tree it was built in.
//   installed:   PREFIX/bin/xbar, PREFIX/lib/libxbar.so -> PREFIX/share/xbar
//   build tree:  build/xbar -> build/share/xbar; build/tests/t -> build/share/xbar
//                (CMake links build/share/xbar/* to the source folders)
#include <filesystem>

namespace xbar {

// The first of BINDIR/../share/xbar and BINDIR/share/xbar that exists, where
// BINDIR holds the executable or shared library this code is linked into; the
// first candidate when neither does (so a message names where it looked).
const std::filesystem::path& data_dir();

}  // namespace xbar
