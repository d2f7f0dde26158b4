#pragma once
// Reader of IDX files (the MNIST format: a 4-byte magic 00 00 TYPE NDIMS, NDIMS
// big-endian 32-bit sizes, then the values), plain or gzipped.  The files are
// untrusted: every size is checked against the bytes present, and a problem is
// an InputError naming the file and the byte offset (in the decompressed
// stream) where it was found.
#include <cstdint>
#include <string>
#include <vector>

namespace xbar {

struct IdxArray {
  std::vector<std::uint32_t> dims;  // e.g. {10000, 28, 28}
  std::vector<std::uint8_t> data;   // row-major, the product of dims long
};

// The largest decompressed file accepted (a guard against gzip bombs).
inline constexpr std::uint64_t kMaxIdxBytes = 1ull << 30;

// Reads an IDX file of unsigned bytes (type 0x08), the only type the image
// data sets use; other types are reported as unsupported.
IdxArray read_idx(const std::string& path);

// Images and labels of one data set, checked against each other.
struct IdxDataset {
  int count = 0, rows = 0, cols = 0;  // images of rows x cols pixels
  std::vector<float> pixels;          // count x (rows * cols), scaled to [0, 1]
  std::vector<std::uint8_t> labels;   // count
  int classes = 0;                    // 1 + the largest label
  int features() const { return rows * cols; }
};

// Reads an image file (3 dimensions) and a label file (1 dimension) of the
// same count.  `limit` > 0 keeps only the first `limit` images.
IdxDataset read_idx_dataset(const std::string& images_path, const std::string& labels_path, int limit = 0);

}  // namespace xbar
