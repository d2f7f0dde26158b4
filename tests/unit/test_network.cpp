// The network module: IDX reader, MLP training and its file format.
#include <doctest/doctest.h>
#include <zlib.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "common/diagnostics.hpp"
#include "common/tolerance.hpp"
#include "network/idx_reader.hpp"
#include "network/mlp.hpp"
#include "network/model_cache.hpp"

using namespace xbar;
namespace fs = std::filesystem;

namespace {

const std::string kData = "/usr/share/datasets/fashion-mnist/";

fs::path scratch(const std::string& name) {
  const fs::path dir = fs::current_path() / "network-test-scratch";
  fs::create_directories(dir);
  return dir / name;
}

void write_bytes(const fs::path& p, const std::vector<unsigned char>& b, bool gz) {
  if (gz) {
    gzFile f = gzopen(p.c_str(), "wb");
    gzwrite(f, b.data(), static_cast<unsigned>(b.size()));
    gzclose(f);
  } else {
    std::ofstream(p, std::ios::binary).write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
  }
}

std::string error_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const InputError& e) {
    return e.diagnostics().str();
  }
  return "";
}

// The network every test here shares: trained once, then read from the cache.
const Mlp& shared_net() {
  static const Mlp net = [] {
    const IdxDataset train = read_idx_dataset(kData + "train-images-idx3-ubyte.gz", kData + "train-labels-idx1-ubyte.gz");
    return trained_mlp(train, TrainOptions{}, kData + "train-images-idx3-ubyte.gz",
                       (fs::current_path() / "network-cache").string());
  }();
  return net;
}

}  // namespace

TEST_CASE("idx: the Fashion-MNIST files read with their shapes") {
  const IdxDataset test = read_idx_dataset(kData + "t10k-images-idx3-ubyte.gz", kData + "t10k-labels-idx1-ubyte.gz");
  CHECK(test.count == 10000);
  CHECK(test.rows == 28);
  CHECK(test.cols == 28);
  CHECK(test.classes == 10);
  std::vector<int> per_class(10);
  for (auto l : test.labels) per_class[l]++;
  for (int c : per_class) CHECK(c == 1000);  // the test set is balanced
  float mx = 0;
  for (float p : test.pixels) mx = std::max(mx, p);
  CHECK(mx == 1.0f);
}

TEST_CASE("idx: malformed files are reported with file and byte offset") {
  const auto p = scratch("bad.idx");
  // header of 2 images of 2x2, but only 7 pixels
  std::vector<unsigned char> b{0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2, 1, 2, 3, 4, 5, 6, 7};
  write_bytes(p, b, true);
  std::string e = error_of([&] { read_idx(p.string()); });
  CHECK(e.find(p.string() + ": error: at byte 23: the dimensions ask for 8 values but the file holds 7") !=
        std::string::npos);
  b.push_back(8);
  write_bytes(p, b, false);  // plain (not gzipped) is read too
  CHECK(read_idx(p.string()).data.size() == 8);
  b[2] = 0x0d;  // float type
  write_bytes(p, b, true);
  CHECK(error_of([&] { read_idx(p.string()); }).find("at byte 2: IDX value type 0x0d") != std::string::npos);
  write_bytes(p, {1, 0, 8, 1}, true);
  CHECK(error_of([&] { read_idx(p.string()); }).find("at byte 0: not an IDX file") != std::string::npos);
  write_bytes(p, {0, 0, 8, 2, 0, 0}, true);
  CHECK(error_of([&] { read_idx(p.string()); }).find("ends inside the dimension sizes") != std::string::npos);
  write_bytes(p, {0, 0, 8, 2, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}, true);
  CHECK(error_of([&] { read_idx(p.string()); }).find("more data than the file can hold") != std::string::npos);
  // A truncated gzip stream.
  write_bytes(p, std::vector<unsigned char>(5000, 7), true);
  const auto size = fs::file_size(p);
  fs::resize_file(p, size / 2);
  CHECK(error_of([&] { read_idx(p.string()); }).find(p.string() + ": error: at byte") != std::string::npos);
  CHECK(error_of([&] { read_idx((p.string() + ".missing")); }).find("cannot open") != std::string::npos);
  // Images and labels that disagree in count.
  const auto img = scratch("img.idx"), lab = scratch("lab.idx");
  write_bytes(img, {0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 2, 9, 9}, false);
  write_bytes(lab, {0, 0, 8, 1, 0, 0, 0, 2, 1, 2}, false);
  CHECK(error_of([&] { read_idx_dataset(img.string(), lab.string()); }).find("2 labels for 1 images") !=
        std::string::npos);
}

TEST_CASE("mlp: the trained network reaches 86 % and numpy agrees from the saved file") {
  const Mlp& net = shared_net();
  const IdxDataset test = read_idx_dataset(kData + "t10k-images-idx3-ubyte.gz", kData + "t10k-labels-idx1-ubyte.gz");
  const double acc = accuracy(predict(net, test), test);
  MESSAGE("float test accuracy " << acc);
  CHECK(acc >= 0.86);
  const auto file = scratch("net.txt");
  save_mlp(net, file.string());
  const std::string cmd = std::string("/usr/bin/python3 ") + XBAR_SOURCE_DIR + "/tests/network/mlp_accuracy.py " +
                          file.string() + " " + kData + "t10k-images-idx3-ubyte.gz " + kData +
                          "t10k-labels-idx1-ubyte.gz";
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe);
  char buf[64] = {};
  REQUIRE(fgets(buf, sizeof buf, pipe));
  REQUIRE(pclose(pipe) == 0);
  const double numpy_acc = std::stod(buf);
  // numpy sums in another order: at most a few of 10,000 decisions may flip.
  CHECK(Tolerance{0, 3e-4}.accepts(acc, numpy_acc));
  // The file loads back to the same network, value for value.
  const Mlp back = load_mlp(file.string());
  REQUIRE(back.layers.size() == net.layers.size());
  for (std::size_t l = 0; l < net.layers.size(); ++l) {
    CHECK(back.layers[l].w == net.layers[l].w);
    CHECK(back.layers[l].b == net.layers[l].b);
    CHECK(back.layers[l].relu == net.layers[l].relu);
  }
}

TEST_CASE("mlp: training is deterministic for a seed") {
  IdxDataset small = read_idx_dataset(kData + "train-images-idx3-ubyte.gz", kData + "train-labels-idx1-ubyte.gz", 2000);
  TrainOptions o;
  o.hidden = {32};
  o.epochs = 2;
  const Mlp a = train_mlp(small, o), b = train_mlp(small, o);
  CHECK(a.layers[0].w == b.layers[0].w);
  CHECK(a.layers[1].b == b.layers[1].b);
  o.seed = 2;
  const Mlp c = train_mlp(small, o);
  CHECK(a.layers[0].w != c.layers[0].w);
}

TEST_CASE("mlp: malformed network files name line and column") {
  const auto p = scratch("badnet.txt");
  std::ofstream(p) << "xbar-mlp 1\nlayer 2 1 linear\n1,2\n0.5\nend\n";
  CHECK(load_mlp(p.string()).layers.size() == 1);
  std::ofstream(p) << "xbar-mlp 1\nlayer 2 1 linear\n1,x\n0.5\nend\n";
  CHECK(error_of([&] { load_mlp(p.string()); }).find(p.string() + ":3:3: error: not a finite number") !=
        std::string::npos);
  std::ofstream(p) << "xbar-mlp 1\nlayer 2 1 linear\n1,2,3\n0.5\nend\n";
  CHECK(error_of([&] { load_mlp(p.string()); }).find(":3:4: error: more than 2 values") != std::string::npos);
  std::ofstream(p) << "xbar-mlp 1\nlayer 2 1 relu\n1,2\n0.5\nend\n";
  CHECK(error_of([&] { load_mlp(p.string()); }).find("the last layer must be linear") != std::string::npos);
  std::ofstream(p) << "xbar-mlp 1\nlayer 2 1 linear\n1,2\n";
  CHECK(error_of([&] { load_mlp(p.string()); }).find(":3: error: the file ends where the bias row") !=
        std::string::npos);
  std::ofstream(p) << "xbar-mlp 1\nlayer 999999999 1 linear\n";
  CHECK(error_of([&] { load_mlp(p.string()); }).find(":2:7: error: layer sizes must be") != std::string::npos);
}

TEST_CASE("mlp: layers load from CSV files") {
  const auto w1 = scratch("w1.csv"), b1 = scratch("b1.csv"), w2 = scratch("w2.csv"), b2 = scratch("b2.csv");
  std::ofstream(w1) << "1,0\n0,1\n1,1\n";
  std::ofstream(b1) << "0,0,-1\n";
  std::ofstream(w2) << "1,-1,0.5\n";
  std::ofstream(b2) << "0.25\n";
  const Mlp net = load_mlp_csv({{w1.string(), b1.string()}, {w2.string(), b2.string()}});
  REQUIRE(net.layers.size() == 2);
  CHECK(net.layers[0].in == 2);
  CHECK(net.layers[0].out == 3);
  CHECK(net.layers[0].relu);
  CHECK(!net.layers[1].relu);
  CHECK(net.layers[1].w[2] == 0.5f);
  std::ofstream(b2) << "0.25,1\n";
  CHECK(error_of([&] { load_mlp_csv({{w1.string(), b1.string()}, {w2.string(), b2.string()}}); })
            .find("2 biases for the 1 outputs") != std::string::npos);
}
