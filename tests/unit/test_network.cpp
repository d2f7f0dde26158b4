// The network module: IDX reader, MLP training and its file format.
#include <doctest/doctest.h>
#include <zlib.h>
#include <cstdlib>

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
    std::ofstream(p, std::ios::binary)
        .write(reinterpret_cast<const char*>(b.data()), static_cast<std::streamsize>(b.size()));
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

// Where the trained network is cached: XBAR_TEST_NETWORK_CACHE when set
// (scripts/test points the release and the sanitizer runs at one folder, so
// the slow sanitizer build reads the network instead of training it again).
std::string test_cache_dir() {
  const char* env = std::getenv("XBAR_TEST_NETWORK_CACHE");
  return env && *env ? std::string(env) : (fs::current_path() / "network-cache").string();
}

// The network every test here shares: trained once, then read from the cache.
const Mlp& shared_net() {
  static const Mlp net = [] {
    const IdxDataset train =
        read_idx_dataset(kData + "train-images-idx3-ubyte.gz", kData + "train-labels-idx1-ubyte.gz");
    return trained_mlp(train, TrainOptions{}, kData + "train-images-idx3-ubyte.gz", test_cache_dir());
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
  CHECK(error_of([&] {
          load_mlp_csv({{w1.string(), b1.string()}, {w2.string(), b2.string()}});
        }).find("2 biases for the 1 outputs") != std::string::npos);
}

// ---- mapping, engines and the whole run --------------------------------------

#include <fmt/format.h>
#include "config_loader/loader.hpp"
#include "netlist_gen/portable_random.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "network/crossbar_mlp.hpp"
#include "network/network_outputs.hpp"
#include "network/network_run.hpp"
#include "network/tile_engines.hpp"

#include <omp.h>

namespace {

// `network` holds entries of the network section, one per line, indented by 2;
// `extra` may start with a `tile:` line of its own instead of 128x128 1R.
Config network_config(const std::string& extra, const std::string& network = "") {
  const std::string tile = extra.rfind("tile:", 0) == 0 ? "" : "tile: {rows: 128, cols: 128, cell: 1R}\n";
  const std::string yaml = "name: nettest\n" + tile + extra + "network:\n  cache: " + test_cache_dir() + "\n" + network;
  return load_config_text(yaml, "nettest.yaml", fs::current_path().string());
}

TileSpec wired_base() {
  TileSpec b;
  b.r_wl = 1, b.r_bl = 1, b.r_driver = 10, b.r_sense = 5;
  return b;
}

}  // namespace

TEST_CASE("network mapping: a small layer's conductances, signals and scaling") {
  Mlp net;
  DenseLayer d;
  d.in = 2, d.out = 2, d.w = {0.5f, -1.0f, 0.25f, 0.0f}, d.b = {0.0f, 1.0f};
  net.layers.push_back(d);
  MappingOptions o;
  o.tile_rows = 2, o.tile_cols = 4, o.dac_bits = 0, o.adc_bits = 0;
  TileSpec base;
  MappedNetwork m = map_network(net, base, o);
  REQUIRE(m.tiles() == 1);
  const MappedTile& t = m.layers[0].tiles[0];
  const double dg = o.g_on - o.g_off;
  // w / max|w|: row 0 (input 0) holds w(0,0) = 0.5 and w(1,0) = 0.25
  CHECK(Tolerance{1e-12, 0}.accepts(o.g_off + 0.5 * dg, t.spec.g_at(0, 0)));
  CHECK(Tolerance{1e-12, 0}.accepts(o.g_off, t.spec.g_at(0, 1)));
  CHECK(Tolerance{1e-12, 0}.accepts(o.g_off + 1.0 * dg, t.spec.g_at(1, 1)));  // w(0,1) = -1: minus column
  CHECK(Tolerance{1e-12, 0}.accepts(o.g_off + 0.25 * dg, t.spec.g_at(0, 2)));
  // Ideal tiles without DAC/ADC give the float layer back exactly.
  m.layers[0].x_max = 1, m.layers[0].adc_fs = 0;
  Matrix x(1, 2);
  x << 0.3, 0.8;
  const LayerOutputs y = run_layer(m.layers[0], x, o, ideal_readout);
  CHECK(Tolerance{1e-12, 1e-15}.accepts(0.5 * 0.3 - 1.0 * 0.8, y.pre(0, 0)));
  CHECK(Tolerance{1e-12, 1e-15}.accepts(0.25 * 0.3 + 1.0, y.post(0, 1)));
  CHECK(Tolerance{1e-12, 1e-15}.accepts(0.5 * 0.3 - 1.0 * 0.8, y.post(0, 0)));  // a last layer: no ReLU
}

TEST_CASE("network engines: transfer matrices equal direct nodal solves to 1e-9") {
  const Mlp& net = shared_net();
  const IdxDataset test =
      read_idx_dataset(kData + "t10k-images-idx3-ubyte.gz", kData + "t10k-labels-idx1-ubyte.gz", 16);
  for (auto mapping : {SignedMapping::kPair, SignedMapping::kOffset}) {
    MappingOptions o;
    o.mapping = mapping;
    o.sigma = 0.1;
    MappedNetwork m = map_network(net, wired_base(), o);
    m.layers[0].x_max = 1;
    const Matrix v = dac_volts(m.layers[0], as_matrix(test), o);
    TransferEngine transfer;
    for (const MappedTile* t : {&m.layers[0].tiles.front(), &m.layers[0].tiles.back()}) {
      const Matrix vt = v.middleCols(t->row0, t->rows);
      Eigen::VectorXd pa, pb;
      const Matrix a = transfer.currents(*t, vt, &pa), b = nodal_currents(*t, vt, &pb, 5);
      const double scale = b.cwiseAbs().maxCoeff();
      CHECK((a - b).cwiseAbs().maxCoeff() <= 1e-9 * scale);
      CHECK((pa - pb).cwiseAbs().maxCoeff() <= 1e-9 * pb.cwiseAbs().maxCoeff());
      // The wires matter: the circuit is not the ideal product.
      const Matrix ideal = ideal_currents(*t, vt, nullptr);
      CHECK((ideal - b).cwiseAbs().maxCoeff() > 1e-4 * scale);
      // What the image pass uses: signals V S and the power summed through V'V.
      const Matrix gram = vt.transpose() * vt;
      const TileReadout ra = transfer(*t, vt, gram), rb = readout_of(*t, b, pb);
      CHECK((ra.signal - rb.signal).cwiseAbs().maxCoeff() <= 1e-9 * scale);
      CHECK(Tolerance{1e-9, 0}.accepts(rb.power_sum, ra.power_sum));
      Eigen::VectorXd pi;
      const TileReadout ri = ideal_readout(*t, vt, gram), rj = readout_of(*t, ideal_currents(*t, vt, &pi), pi);
      CHECK((ri.signal - rj.signal).cwiseAbs().maxCoeff() <= 1e-12 * scale);
      CHECK(Tolerance{1e-12, 0}.accepts(rj.power_sum, ri.power_sum));
    }
  }
}

TEST_CASE("network run: with ideal wires and device, circuit decisions equal the quantized-ideal ones on all 10,000") {
  shared_net();  // trained into the cache the config names
  const Config c = network_config("parasitics: {r_wl: 0, r_bl: 0}\nperiphery: {r_driver: 0, r_sense: 0}\n");
  const NetworkResult r = run_network(c);
  CHECK(r.images == 10000);
  CHECK(r.engine == "transfer");
  CHECK(r.decisions_circuit_vs_quantized == 0);
  CHECK(r.acc_circuit == r.acc_quantized);
  CHECK(r.acc_float >= 0.86);
  CHECK(Tolerance{0, 0.01}.accepts(r.acc_float, r.acc_quantized));  // 8-bit DAC/ADC cost < 1 point
  for (const auto& l : r.layers) CHECK(l.nrmse_vs_ideal < 1e-12);
  REQUIRE(r.tiles.size() == 30);
  for (const auto& t : r.tiles) {
    CHECK(t.nrmse_vs_ideal < 1e-12);
    CHECK(t.max_ir_drop_fs < 1e-12);  // no wires: every cell sees its row's voltage
  }
  CHECK(r.transfer_check_max_rel <= 1e-9);
  long long total = 0;
  for (const auto& row : r.confusion)
    for (long long v : row) total += v;
  CHECK(total == 10000);
}

TEST_CASE("network mapping: 784-256-10 on 128x128 tiles") {
  const MappedNetwork m = map_network(shared_net(), wired_base(), MappingOptions{});
  // 784 inputs on 128-row tiles: 7 row tiles; 256 outputs, 64 pairs per tile: 4 column tiles.
  REQUIRE(m.layers.size() == 2);
  CHECK(m.layers[0].tiles.size() == 28);
  CHECK(m.layers[1].tiles.size() == 2);
  CHECK(m.layers[0].tiles[6 * 4].rows == 784 - 6 * 128);  // the last row tile: 16 rows
  CHECK(m.tiles() == 30);
}

TEST_CASE("network run: wires cost accuracy; energy adds up; SPICE agrees with nodal") {
  // A small network (784-16-10, one epoch: 7 + 1 tiles) keeps the SPICE
  // sample and the transfer extraction short; it is cached like the other.
  const Config c = network_config("parasitics: {r_wl: 5, r_bl: 5}\n",
                                  "  hidden: 16\n  epochs: 1\n  images: 500\n  spice_sample: 2\n"
                                  "  adc: {bits: 6, fom: 5f}\n  dac: {bits: 6, energy: 10f}\n  read_window: 10n\n");
  const NetworkResult r = run_network(c);
  CHECK(r.images == 500);
  CHECK(r.spice_images == 2);
  CHECK(r.spice_max_rel <= 1e-6);
  CHECK(r.layers[0].nrmse_vs_ideal > 1e-3);
  double e = 0;
  for (const auto& l : r.layers) {
    // ADC: Walden FOM x 2^bits per conversion; DAC: energy per conversion.
    CHECK(Tolerance{1e-12, 0}.accepts(static_cast<double>(l.adc_conversions) * 5e-15 * 64, l.adc_energy));
    CHECK(Tolerance{1e-12, 0}.accepts(static_cast<double>(l.dac_conversions) * 10e-15, l.dac_energy));
    CHECK(l.array_energy > 0);
    e += l.array_energy + l.dac_energy + l.adc_energy;
  }
  CHECK(Tolerance{1e-12, 0}.accepts(e, r.energy));
  CHECK(Tolerance{1e-12, 0}.accepts(static_cast<double>(r.ops) / e / 1e12, r.tops_per_w));
  // 784 inputs: 7 row tiles; 16 outputs: one column tile; layer 2 one tile of 16 rows.
  CHECK(r.layers[0].tiles == 7);
  CHECK(r.layers[0].dac_conversions == 784);
  CHECK(r.layers[0].adc_conversions == 7 * 16);
  // Tiles, each with its own error and IR drop; their energies sum to the layer's.
  REQUIRE(r.tiles.size() == 8);
  std::vector<double> array(2), dac(2), adc(2);
  for (const auto& t : r.tiles) {
    CHECK(t.nrmse_vs_ideal > 1e-4);
    CHECK(t.max_err_fs > 0);
    CHECK(t.max_ir_drop_fs > 1e-3);
    CHECK(t.max_ir_drop_fs < 1);
    array[t.layer - 1] += t.array_energy, dac[t.layer - 1] += t.dac_energy, adc[t.layer - 1] += t.adc_energy;
  }
  for (std::size_t k = 0; k < 2; ++k) {
    CHECK(Tolerance{1e-12, 0}.accepts(r.layers[k].array_energy, array[k]));
    CHECK(Tolerance{1e-12, 0}.accepts(r.layers[k].dac_energy, dac[k]));
    CHECK(Tolerance{1e-12, 0}.accepts(r.layers[k].adc_energy, adc[k]));
  }
  CHECK(r.tiles[6].rows == 16);
  CHECK(r.tiles[7].rows == 16);
  const auto dir = scratch("run");
  write_network_outputs(dir, c, r);
  CHECK(fs::exists(dir / "network.json"));
  CHECK(fs::exists(dir / "layers.csv"));
  CHECK(fs::exists(dir / "confusion.csv"));
  std::ifstream tiles(dir / "tiles.csv");
  std::string line;
  int lines = 0;
  while (std::getline(tiles, line)) ++lines;
  CHECK(lines == 9);
}

TEST_CASE("network config: bad network keys are reported with positions") {
  const std::string e = error_of([] { network_config("", "  mapping: diagonal\n  adc: {bits: 99}\n"); });
  MESSAGE(e);
  CHECK(e.find("nettest.yaml:5:12: error:") != std::string::npos);
  CHECK(e.find("nettest.yaml:6:15: error:") != std::string::npos);
}

TEST_CASE("network temperature: a tile of the network at 85 C equals the tile xbar run builds at 85 C") {
  // One 4-input, 2-output layer on one 4x4 1R tile (pair mapping).  The
  // network's tile, with the sinh device's tcg and the wires' tcr at 85 C,
  // against the tile the tile builder makes from the same conductances
  // (weights.kind: conductance, written from the network's tile at 27 C).
  Mlp net;
  DenseLayer d;
  d.in = 4, d.out = 2, d.w = {0.5f, -1.0f, 0.25f, 0.75f, -0.5f, 0.125f, 1.0f, -0.25f}, d.b = {0.0f, 0.0f};
  net.layers.push_back(d);
  const auto config_at = [](double celsius, const std::string& weights) {
    return load_config_text(
        fmt::format("name: temp\ntile: {{rows: 4, cols: 4, cell: 1R}}\n"
                    "device: {{model: sinh, params: {{v0: 0.3, tcg: -2e-3}}, g_on: 100u, g_off: 1u}}\n"
                    "parasitics: {{r_wl: 20, r_bl: 20, tcr: 0.0039}}\n"
                    "simulator: {{engine: nodal, temperature: {}}}\n{}",
                    celsius, weights),
        "temp.yaml", fs::current_path().string());
  };
  const auto mapped = [&](const Config& c) {
    MappingOptions o = mapping_options(c);
    o.dac_bits = 0, o.adc_bits = 0;
    return map_network(net, build_tile_spec(c), o);
  };
  const MappedNetwork at27 = mapped(config_at(27, ""));
  const MappedTile& t27 = at27.layers[0].tiles[0];
  const auto file = scratch("temperature_g.csv");
  {
    std::ofstream f(file);
    for (int i = 0; i < 4; ++i)
      for (int j = 0; j < 4; ++j) f << fmt::format("{:.17g}{}", t27.spec.g_at(i, j), j < 3 ? "," : "\n");
  }
  const std::string weights = "weights: {source: file, kind: conductance, file: " + file.string() + "}\n";
  const MappedNetwork at85 = mapped(config_at(85, ""));
  const MappedTile& t85 = at85.layers[0].tiles[0];
  const TileSpec tile85 = build_tile_spec(config_at(85, weights));
  // Cells exp(tcg (85 - 27)), wires (1 + tcr (85 - 20)) / (1 + tcr 7): the same factors in both.
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) {
      CHECK(Tolerance{1e-15, 0}.accepts(tile85.g_at(i, j), t85.spec.g_at(i, j)));
      CHECK(Tolerance{1e-12, 0}.accepts(t27.spec.g_at(i, j) * std::exp(-2e-3 * 58), t85.spec.g_at(i, j)));
    }
  CHECK(Tolerance{1e-12, 0}.accepts(20 * (1 + 0.0039 * 65) / (1 + 0.0039 * 7), t85.spec.r_wl));
  CHECK(Tolerance{1e-15, 0}.accepts(tile85.r_wl, t85.spec.r_wl));
  CHECK(Tolerance{1e-15, 0}.accepts(tile85.r_bl, t85.spec.r_bl));
  // The circuits: the network's per-image engine and the tile's nodal solve on the same inputs.
  Matrix v(2, 4);
  v << 0.2, 0.1, 0.0, 0.15, 0.05, 0.2, 0.2, 0.0;
  const Matrix net_i = nodal_currents(t85, v, nullptr);
  TileSpec s = tile85;
  s.inputs = {{0.2, 0.1, 0.0, 0.15}, {0.05, 0.2, 0.2, 0.0}};
  const TileSolution sol = solve_tile_batch(s);
  const Matrix cold = nodal_currents(t27, v, nullptr);
  for (int k = 0; k < 2; ++k)
    for (int j = 0; j < 4; ++j) {
      CHECK(Tolerance{1e-12, 1e-18}.accepts(sol.column_current[k][j], net_i(k, j)));
      CHECK(std::abs(cold(k, j) - net_i(k, j)) > 0.05 * std::abs(cold(k, j)));  // the temperature shows
    }
}

TEST_CASE("network run: 1T1R tiles with a real transistor, per image on the nodal engine, agree with SPICE") {
  // The small network (784-16-10, one epoch) on 32x32 1T1R tiles with the
  // BSIM4 card: 25 + 1 tiles, every image solved per tile with the
  // transistor's drain-current tables; one image also through SPICE.
  const Config c = network_config(
      "tile: {rows: 32, cols: 32, cell: 1T1R}\nparasitics: {r_wl: 2, r_bl: 2}\n"
      "transistor: {model: nmos, w: 0.5u, l: 0.1u, v_gate: 1.2}\n",
      "  hidden: 16\n  epochs: 1\n  images: 40\n  spice_sample: 1\n");
  const NetworkResult r = run_network(c);
  CHECK(r.engine == "per_image");
  CHECK(r.images == 40);
  REQUIRE(r.tiles.size() == 26);
  CHECK(r.spice_images == 1);
  // Measured 1.8e-5 (of the tile's largest column current on that image, small
  // on tiles with few lit pixels): above the 1e-6 of linear and sinh tiles; the
  // transistor enters the nodal engine as interpolated tables without its
  // junction leakage.  The bound keeps a 1 % error failing.
  CHECK(r.spice_max_rel <= 5e-5);
  // The transistors' on-resistance and the wires show against the ideal tiles.
  CHECK(r.layers[0].nrmse_vs_ideal > 1e-3);
  CHECK(r.layers[0].nrmse_vs_ideal < 0.5);
  for (const auto& t : r.tiles) CHECK(t.max_ir_drop_fs > 0);
  CHECK(r.acc_circuit > 0.5);
}

namespace {

bool same_bits(const Matrix& a, const Matrix& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() && (a.array() == b.array()).all();
}

// Every figure of a run that the images' outputs feed, compared for equality.
void check_same_run(const NetworkResult& a, const NetworkResult& b) {
  CHECK(a.acc_circuit == b.acc_circuit);
  CHECK(a.decisions_circuit_vs_quantized == b.decisions_circuit_vs_quantized);
  CHECK(a.confusion == b.confusion);
  CHECK(a.energy == b.energy);
  REQUIRE(a.layers.size() == b.layers.size());
  for (std::size_t k = 0; k < a.layers.size(); ++k) {
    CHECK(a.layers[k].nrmse_vs_ideal == b.layers[k].nrmse_vs_ideal);
    CHECK(a.layers[k].nrmse_vs_float == b.layers[k].nrmse_vs_float);
    CHECK(a.layers[k].array_energy == b.layers[k].array_energy);
  }
  REQUIRE(a.tiles.size() == b.tiles.size());
  for (std::size_t k = 0; k < a.tiles.size(); ++k) {
    CHECK(a.tiles[k].nrmse_vs_ideal == b.tiles[k].nrmse_vs_ideal);
    CHECK(a.tiles[k].max_err_fs == b.tiles[k].max_err_fs);
    CHECK(a.tiles[k].max_ir_drop_fs == b.tiles[k].max_ir_drop_fs);
    CHECK(a.tiles[k].array_energy == b.tiles[k].array_energy);
  }
}

// One linear layer of `in` x `out` normal random weights, no bias.
Mlp random_layer(int in, int out, std::uint64_t seed) {
  Mlp net;
  DenseLayer d;
  d.in = in, d.out = out;
  PortableRandom rng(seed);
  for (int k = 0; k < in * out; ++k) d.w.push_back(static_cast<float>(rng.normal()));
  d.b.assign(static_cast<std::size_t>(out), 0.0f);
  net.layers.push_back(d);
  return net;
}

// The layer on 16x16 tiles (pair mapping) of the cells `yaml` gives, with 2 ohm wires.
MappedNetwork on_16x16_tiles(const Mlp& net, const std::string& yaml) {
  const TileSpec base = build_tile_spec(load_config_text("name: tiles\n" + yaml + "parasitics: {r_wl: 2, r_bl: 2}\n",
                                                         "tiles.yaml", fs::current_path().string()));
  MappingOptions o;
  o.tile_rows = 16, o.tile_cols = 16;
  return map_network(net, base, o);
}

}  // namespace

TEST_CASE("network engines: images with the same inputs share a solve, with the bits of one solve each") {
  // One 16-input, 8-output layer on a 16x16 tile of sinh cells, then of
  // 1T1R cells, and inputs where images repeat: dark ones (all 0 V), an
  // image twice, and -0.0 (other bits than +0.0, so solved on its own).
  const Mlp net = random_layer(16, 8, 7);
  for (const char* cells : {"tile: {rows: 16, cols: 16, cell: 1R}\ndevice: {model: sinh}\n",
                            "tile: {rows: 16, cols: 16, cell: 1T1R}\n"
                            "transistor: {model: nmos_level1, w: 0.5u, l: 0.1u, v_gate: 1.2}\n"}) {
    CAPTURE(cells);
    const MappedNetwork m = on_16x16_tiles(net, cells);
    const MappedTile& t = m.layers[0].tiles[0];
    Matrix v = Matrix::Zero(7, 16);
    for (int i = 0; i < 16; ++i) {
      v(0, i) = 0.2 * (i % 5) / 4;
      v(2, i) = 0.2 * ((3 * i) % 7) / 6;
    }
    v.row(3) = v.row(0);
    v.row(5).setConstant(-0.0);
    v(6, 4) = 0.2;  // one lit row
    Eigen::VectorXd p;
    const Matrix I = nodal_currents(t, v, &p, 2);
    for (Eigen::Index k = 0; k < v.rows(); ++k) {
      CAPTURE(k);
      Eigen::VectorXd pk;
      const Matrix Ik = nodal_currents(t, v.middleRows(k, 1), &pk);  // one image: a solve of its own
      CHECK(same_bits(Ik, I.middleRows(k, 1)));
      CHECK(pk(0) == p(k));
    }
    CHECK(I.row(0).cwiseAbs().maxCoeff() > 1e-6);  // the lit images carry current
    CHECK(same_bits(I.row(1), I.row(4)));
  }
}

TEST_CASE("network engines: 1 and 2 threads give the same bits") {
  // The per-image engine (sinh cells) tile by tile, and a whole run: the
  // solves run one image per thread, the IR-drop solves one tile per thread.
  const int threads = omp_get_max_threads();
  const MappedNetwork m =
      on_16x16_tiles(random_layer(32, 16, 3), "tile: {rows: 16, cols: 16, cell: 1R}\ndevice: {model: sinh}\n");
  Matrix v(9, 32);
  for (Eigen::Index k = 0; k < v.rows(); ++k)
    for (Eigen::Index i = 0; i < v.cols(); ++i) v(k, i) = 0.2 * ((k * 7 + i * 3) % 11) / 10;
  std::vector<Matrix> got[2];
  std::vector<double> drops[2];
  for (int n : {1, 2}) {
    omp_set_num_threads(n);
    for (const auto& t : m.layers[0].tiles)
      got[n - 1].push_back(nodal_currents(t, v.middleCols(t.row0, t.rows), nullptr, 4));
    drops[n - 1] = full_scale_ir_drops(m.layers[0], 0.2);
  }
  REQUIRE(got[0].size() == 4);
  for (std::size_t k = 0; k < got[0].size(); ++k) CHECK(same_bits(got[0][k], got[1][k]));
  CHECK(drops[0] == drops[1]);
  CHECK(drops[0][0] > 0);

  // The small network on 32x32 sinh tiles, 8 images (26 tiles).
  shared_net();
  const Config c =
      network_config("tile: {rows: 32, cols: 32, cell: 1R}\ndevice: {model: sinh}\nparasitics: {r_wl: 2, r_bl: 2}\n",
                     "  hidden: 16\n  epochs: 1\n  images: 8\n  calibration_images: 100\n");
  omp_set_num_threads(1);
  const NetworkResult one = run_network(c);
  omp_set_num_threads(2);
  const NetworkResult two = run_network(c);
  omp_set_num_threads(threads);
  CHECK(one.engine == "per_image");
  CHECK(one.layers[0].nrmse_vs_ideal > 0);
  check_same_run(one, two);
}

TEST_CASE("network run: accuracy falls monotonically, within noise, as the wire resistance grows") {
  // The small network (784-16-10) on 1,000 test images at 128x128, wire
  // segments from 0 to 80 ohm.  Noise: two standard errors of an accuracy
  // measured on 1,000 images, sqrt(p (1 - p) / n) at p = 0.8, about 0.025.
  const std::vector<double> r_wire = {0, 10, 40, 80};
  const int n = 1000;
  const double noise = 2 * std::sqrt(0.8 * 0.2 / n);
  std::vector<double> acc;
  for (double r : r_wire) {
    const Config c = network_config(fmt::format("parasitics: {{r_wl: {}, r_bl: {}}}\n", r, r),
                                    fmt::format("  hidden: 16\n  epochs: 1\n  images: {}\n", n));
    acc.push_back(run_network(c).acc_circuit);
    MESSAGE(fmt::format("r_wire {} ohm: accuracy {:.4f}", r, acc.back()));
  }
  for (std::size_t k = 1; k < acc.size(); ++k) CHECK(acc[k] <= acc[k - 1] + noise);
  // And it does fall: by much more than the noise from the first to the last.
  CHECK(acc.front() - acc.back() > 4 * noise);
}
