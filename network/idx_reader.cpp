#include "network/idx_reader.hpp"

#include <zlib.h>

#include <fmt/format.h>

#include "common/diagnostics.hpp"

namespace xbar {
namespace {

[[noreturn]] void fail(const std::string& path, std::uint64_t offset, const std::string& what) {
  throw InputError(SourcePos{path, 0, 0}, fmt::format("at byte {}: {}", offset, what));
}

// The whole (decompressed) file.  zlib reads plain files transparently.
std::vector<std::uint8_t> read_all(const std::string& path) {
  gzFile f = gzopen(path.c_str(), "rb");
  if (!f) throw InputError(SourcePos{path, 0, 0}, "cannot open the IDX file");
  std::vector<std::uint8_t> bytes;
  std::vector<std::uint8_t> chunk(1 << 20);
  for (;;) {
    const int n = gzread(f, chunk.data(), static_cast<unsigned>(chunk.size()));
    if (n < 0) {
      int code = 0;
      const std::string msg = gzerror(f, &code);
      const auto at = bytes.size();
      gzclose(f);
      fail(path, at, "the compressed data is corrupt (" + msg + ")");
    }
    if (n == 0) break;
    if (bytes.size() + static_cast<std::size_t>(n) > kMaxIdxBytes) {
      gzclose(f);
      fail(path, kMaxIdxBytes, fmt::format("the file is larger than {} bytes decompressed", kMaxIdxBytes));
    }
    bytes.insert(bytes.end(), chunk.begin(), chunk.begin() + n);
  }
  gzclose(f);
  return bytes;
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  const std::vector<std::uint8_t> b = read_all(path);
  if (b.size() < 4) fail(path, b.size(), "the file ends inside the 4-byte IDX header");
  if (b[0] != 0 || b[1] != 0) fail(path, 0, "not an IDX file (the magic number must start with two zero bytes)");
  if (b[2] != 0x08)
    fail(path, 2, fmt::format("IDX value type 0x{:02x} is not supported (only 0x08, unsigned bytes)", b[2]));
  const int ndims = b[3];
  if (ndims < 1 || ndims > 4) fail(path, 3, fmt::format("{} dimensions: expected 1 to 4", ndims));
  const std::size_t header = 4 + 4 * static_cast<std::size_t>(ndims);
  if (b.size() < header) fail(path, b.size(), "the file ends inside the dimension sizes");
  IdxArray out;
  std::uint64_t count = 1;
  for (int d = 0; d < ndims; ++d) {
    const std::size_t at = 4 + 4 * static_cast<std::size_t>(d);
    const std::uint32_t n = (std::uint32_t{b[at]} << 24) | (std::uint32_t{b[at + 1]} << 16) |
                            (std::uint32_t{b[at + 2]} << 8) | std::uint32_t{b[at + 3]};
    if (n == 0) fail(path, at, fmt::format("dimension {} has size 0", d + 1));
    count *= n;
    if (count > kMaxIdxBytes) fail(path, at, "the dimension sizes describe more data than the file can hold");
    out.dims.push_back(n);
  }
  const std::uint64_t have = b.size() - header;
  if (have != count)
    fail(path, have < count ? b.size() : header + count,
         fmt::format("the dimensions ask for {} values but the file holds {}", count, have));
  out.data.assign(b.begin() + static_cast<std::ptrdiff_t>(header), b.end());
  return out;
}

IdxDataset read_idx_dataset(const std::string& images_path, const std::string& labels_path, int limit) {
  IdxArray img = read_idx(images_path);
  IdxArray lab = read_idx(labels_path);
  if (img.dims.size() != 3)
    fail(images_path, 3,
         fmt::format("an image file has 3 dimensions (count, rows, cols), this one {}", img.dims.size()));
  if (lab.dims.size() != 1)
    fail(labels_path, 3, fmt::format("a label file has 1 dimension (count), this one {}", lab.dims.size()));
  if (img.dims[0] != lab.dims[0])
    fail(labels_path, 4, fmt::format("{} labels for {} images in {}", lab.dims[0], img.dims[0], images_path));
  if (static_cast<std::uint64_t>(img.dims[1]) * img.dims[2] > 65536)
    fail(images_path, 8, "images larger than 65536 pixels are not supported");
  IdxDataset ds;
  ds.count = static_cast<int>(img.dims[0]);
  if (limit > 0 && limit < ds.count) ds.count = limit;
  ds.rows = static_cast<int>(img.dims[1]);
  ds.cols = static_cast<int>(img.dims[2]);
  const std::size_t n = static_cast<std::size_t>(ds.count) * ds.features();
  ds.pixels.resize(n);
  for (std::size_t k = 0; k < n; ++k) ds.pixels[k] = static_cast<float>(img.data[k]) / 255.0f;
  ds.labels.assign(lab.data.begin(), lab.data.begin() + ds.count);
  for (auto l : lab.data) ds.classes = std::max(ds.classes, int{l} + 1);
  return ds;
}

}  // namespace xbar
