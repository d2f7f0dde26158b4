#include "network/network_run.hpp"

#include <chrono>
#include <filesystem>
#include <numeric>

#include <fmt/format.h>

#include "common/diagnostics.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "network/model_cache.hpp"
#include "network/tile_engines.hpp"
#include "runner/transient_job.hpp"
#include "spice_bridge/simulator.hpp"

namespace xbar {
namespace {

double nrmse(const Matrix& got, const Matrix& ref) {
  const double r = std::sqrt(ref.squaredNorm() / static_cast<double>(ref.size()));
  const double d = std::sqrt((got - ref).squaredNorm() / static_cast<double>(ref.size()));
  return r > 0 ? d / r : d;
}

// Float pre-activations of every layer (images x out each), and last the
// scores; in float, as the network was trained.
std::vector<Matrix> float_pre(const Mlp& net, const IdxDataset& data) {
  using MatF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  std::vector<Matrix> pre;
  MatF a = Eigen::Map<const MatF>(data.pixels.data(), data.count, data.features());
  for (const auto& l : net.layers) {
    const Eigen::Map<const MatF> W(l.w.data(), l.out, l.in);
    MatF z = a * W.transpose();
    pre.push_back(z.cast<double>());
    z.rowwise() += Eigen::Map<const Eigen::RowVectorXf>(l.b.data(), l.out);
    a = l.relu ? MatF(z.cwiseMax(0.0f)) : z;
  }
  pre.push_back(a.cast<double>());  // the scores
  return pre;
}

// max |I_a - I_b| / max |I_b| over the columns of each tile, worst tile.
// Tiles whose rows are all at 0 V (an image's blank border) carry no signal
// to compare: left out (SPICE's leakage currents against 0 would be noise).
double worst_tile_difference(const MappedLayer& l, const Matrix& volts, const CurrentsEngine& a,
                             const CurrentsEngine& b) {
  double worst = 0;
  for (const auto& t : l.tiles) {
    const Matrix vt = volts.middleCols(t.row0, t.rows);
    if (vt.cwiseAbs().maxCoeff() == 0) continue;
    const Matrix ia = a(t, vt, nullptr), ib = b(t, vt, nullptr);
    worst = std::max(worst, (ia - ib).cwiseAbs().maxCoeff() / std::max(ib.cwiseAbs().maxCoeff(), 1e-300));
  }
  return worst;
}

// The network, and the training images `calibration` needs (all of them
// only when the network is trained in this run).
Mlp obtain_network(const Config& c, IdxDataset& train, NetworkResult& r, const NetworkProgress& say) {
  const auto& n = c.network;
  const auto calibration_only = [&] { train = read_idx_dataset(n.train_images, n.train_labels, n.calibration_images); };
  if (!n.model.empty()) {
    calibration_only();
    r.model_file = n.model;
    return load_mlp(n.model);
  }
  if (!n.layers_csv.empty()) {
    if (n.layers_csv.size() % 2 != 0)
      throw InputError(c.where("network.layers_csv"), "network.layers_csv lists weights and bias files in pairs");
    calibration_only();
    std::vector<CsvLayerFiles> f;
    for (std::size_t k = 0; k < n.layers_csv.size(); k += 2) f.push_back({n.layers_csv[k], n.layers_csv[k + 1]});
    return load_mlp_csv(f);
  }
  TrainOptions t;
  t.hidden = n.hidden > 0 ? std::vector<int>{n.hidden} : std::vector<int>{};
  t.epochs = n.epochs, t.batch = n.batch, t.learning_rate = n.learning_rate, t.seed = n.seed;
  r.model_file = cached_mlp_path(n.cache, t, n.train_images);
  if (std::filesystem::exists(r.model_file)) {
    calibration_only();
    return load_mlp(r.model_file);
  }
  if (say) say(fmt::format("network: {} (training it: not cached)", r.model_file));
  train = read_idx_dataset(n.train_images, n.train_labels);
  return trained_mlp(train, t, n.train_images, n.cache, &r.trained, [&](int epoch, double loss) {
    if (say) say(fmt::format("training: epoch {}/{}, loss {:.4f}", epoch, t.epochs, loss));
  });
}

// The layer's tile with the most summed conductance on its used rows: the
// most current to deliver, so the slowest to settle of tiles that share the
// wires and the drivers.
const MappedTile& worst_case_tile(const MappedLayer& l) {
  const MappedTile* worst = &l.tiles.front();
  double most = -1;
  for (const auto& t : l.tiles) {
    const auto used = t.spec.g.begin() + static_cast<std::ptrdiff_t>(t.rows) * t.spec.phys_cols();
    const double sum = std::accumulate(t.spec.g.begin(), used, 0.0);
    if (sum > most) most = sum, worst = &t;
  }
  return *worst;
}

// Settle time of `t` (see LayerReport::latency), every used row stepped to v_read.
double settle_latency(const Config& c, const MappedTile& t, double v_read) {
  std::vector<double> step(static_cast<std::size_t>(t.spec.rows), 0.0);
  std::fill(step.begin(), step.begin() + t.rows, v_read);
  auto sim = make_isolated_simulator();
  return step_settle_time(t.spec, step, c.analysis.tran, *sim);
}

}  // namespace

bool has_network_section(const Config& c) {
  for (const auto& [key, pos] : c.origin)
    if (key.rfind("network.", 0) == 0) return true;
  return false;
}

std::vector<std::pair<std::string, double>> network_metrics(const NetworkResult& r) {
  return {{"accuracy_circuit", r.acc_circuit},
          {"accuracy_float", r.acc_float},
          {"accuracy_quantized", r.acc_quantized},
          {"energy_per_inference_J", r.energy},
          {"tops_per_w", r.tops_per_w}};
}

MappingOptions mapping_options(const Config& c) {
  MappingOptions o;
  o.tile_rows = c.tile.rows, o.tile_cols = c.tile.cols;
  o.mapping = c.network.mapping == 1 ? SignedMapping::kOffset : SignedMapping::kPair;
  o.g_on = c.device.g_on, o.g_off = c.device.g_off;
  o.levels = c.device.levels;
  o.sigma = c.device.variability_sigma, o.seed = c.device.variability_seed;
  o.dac_bits = c.network.dac_bits, o.adc_bits = c.network.adc_bits;
  o.v_read = c.inputs.v_read;
  return o;
}

NetworkResult run_network(const Config& c, const NetworkProgress& say) {
  const auto t0 = std::chrono::steady_clock::now();
  const auto& n = c.network;
  NetworkResult r;
  const IdxDataset test = read_idx_dataset(n.test_images, n.test_labels, n.images);
  IdxDataset train;  // the calibration images, or all when training
  const Mlp net = obtain_network(c, train, r, say);
  if (train.features() != test.features())
    throw InputError(c.where("network.test_images"),
                     fmt::format("test images have {} pixels, training images {}", test.features(), train.features()));
  if (net.inputs() != test.features())
    throw InputError(
        c.where(n.model.empty() ? "network.layers_csv" : "network.model"),
        fmt::format("the network takes {} inputs but the images have {} pixels", net.inputs(), test.features()));
  if (net.outputs() < test.classes)
    throw InputError(c.where("network.test_labels"),
                     fmt::format("labels go up to {} but the network has {} outputs", test.classes - 1, net.outputs()));
  r.images = test.count;
  r.classes = net.outputs();

  const TileSpec base = build_tile_spec(c);  // the config's electrical parameters
  if (base.cell->differential && n.mapping == 1)
    throw InputError(c.where("network.mapping"), "2T2R cells hold signed weights as pairs: use network.mapping: pair");
  if (c.tile.cols < 2 && !base.cell->differential)
    throw InputError(c.where("tile.cols"), "signed weights need at least 2 columns per tile");
  MappedNetwork m = map_network(net, base, mapping_options(c));
  {
    IdxDataset cal = std::move(train);
    cal.count = std::min(n.calibration_images, cal.count);
    cal.pixels.resize(static_cast<std::size_t>(cal.count) * cal.features());
    calibrate(m, as_matrix(cal));
  }
  if (say)
    say(fmt::format("mapped {} layers onto {} tiles of {}x{}", m.layers.size(), m.tiles(), c.tile.rows, c.tile.cols));

  TransferEngine transfer;
  const CircuitEngine circuit = circuit_engine(base, transfer);
  const bool linear = circuit.name == "transfer";
  r.engine = circuit.name;
  const TileEngine ideal = ideal_readout;
  const std::vector<Matrix> fpre = float_pre(net, test);
  const Matrix x_test = as_matrix(test);
  Matrix xq, xc;  // the next layer's inputs: quantized-ideal path, circuit path
  const int sample = std::min<int>(n.spice_sample, r.images);
  const int check = std::min<int>(linear ? 8 : 0, r.images);
  for (std::size_t li = 0; li < m.layers.size(); ++li) {
    const MappedLayer& ml = m.layers[li];
    const Matrix& in_c = li == 0 ? x_test : xc;
    LayerReport lr;
    lr.in = ml.layer->in, lr.out = ml.layer->out, lr.tiles = static_cast<int>(ml.tiles.size());
    lr.w_scale = ml.w_scale, lr.x_max = ml.x_max, lr.adc_fs = ml.adc_fs;
    for (const auto& t : ml.tiles) {
      lr.row_tiles = std::max(lr.row_tiles, t.row0 / c.tile.rows + 1);
      lr.dac_conversions += t.rows;
      lr.adc_conversions += t.cols;
    }
    lr.col_tiles = lr.tiles / std::max(lr.row_tiles, 1);
    lr.ops = 2LL * lr.in * lr.out;
    lr.latency = n.read_window;
    if (n.latency == 1) {
      const MappedTile& slow = worst_case_tile(ml);
      if (say) say(fmt::format("layer {}: settle time of tile {} from a SPICE transient", li + 1, slow.spec.name));
      lr.latency = settle_latency(c, slow, m.opt.v_read);
      lr.latency_tile = slow.spec.name;
    }
    if (say) say(fmt::format("layer {}: {} tiles through the {} engine", li + 1, lr.tiles, r.engine));
    // The circuits, and the ideal tiles on the same (circuit) inputs; on the
    // first layer those are also the quantized-ideal path's inputs.
    LayerOutputs cq;
    LayerOutputs cc = run_layer(ml, in_c, m.opt, circuit.read, &ideal, &cq);
    LayerOutputs q = li == 0 ? cq : run_layer(ml, xq, m.opt, ideal);
    lr.nrmse_vs_ideal = nrmse(cc.pre, cq.pre);
    lr.nrmse_vs_float = nrmse(cc.pre, fpre[li]);
    lr.array_energy = cc.mean_power * n.read_window;
    const double adc_per_conversion = m.opt.adc_bits > 0 ? n.adc_fom * std::ldexp(1.0, m.opt.adc_bits) : 0.0;
    lr.dac_energy = static_cast<double>(lr.dac_conversions) * n.dac_energy;
    lr.adc_energy = static_cast<double>(lr.adc_conversions) * adc_per_conversion;
    const std::vector<double> ir_drop = full_scale_ir_drops(ml, m.opt.v_read);
    for (std::size_t k = 0; k < ml.tiles.size(); ++k) {
      const MappedTile& t = ml.tiles[k];
      TileReport tr;
      tr.layer = static_cast<int>(li) + 1;
      tr.name = t.spec.name;
      tr.row0 = t.row0, tr.rows = t.rows, tr.col0 = t.col0, tr.cols = t.cols;
      tr.nrmse_vs_ideal = cc.tiles[k].nrmse_vs_ideal;
      tr.max_err_fs = cc.tiles[k].max_err_fs;
      tr.max_ir_drop_fs = ir_drop[k];
      tr.array_energy = cc.tiles[k].mean_power * n.read_window;
      tr.dac_energy = t.rows * n.dac_energy;
      tr.adc_energy = t.cols * adc_per_conversion;
      r.tiles.push_back(tr);
    }
    // Transfer matrices against direct nodal solves, on a few images.
    if (check > 0) {
      r.transfer_check_max_rel = std::max(
          r.transfer_check_max_rel,
          worst_tile_difference(
              ml, dac_volts(ml, in_c.topRows(check), m.opt), circuit.currents,
              [](const MappedTile& t, const Matrix& v, Eigen::VectorXd* p) { return nodal_currents(t, v, p); }));
      r.transfer_check_images = check;
    }
    if (sample > 0) {
      if (say) say(fmt::format("layer {}: {} images through SPICE", li + 1, sample));
      r.spice_max_rel = std::max(r.spice_max_rel, worst_tile_difference(ml, dac_volts(ml, in_c.topRows(sample), m.opt),
                                                                        spice_currents, circuit.currents));
      r.spice_images = sample;
    }
    xq = std::move(q.post);
    xc = std::move(cc.post);
    r.layers.push_back(lr);
  }
  const std::vector<int> pf = argmax_rows(fpre.back()), pq = argmax_rows(xq), pc = argmax_rows(xc);
  r.confusion.assign(static_cast<std::size_t>(r.classes), std::vector<long long>(static_cast<std::size_t>(r.classes)));
  for (int k = 0; k < r.images; ++k) {
    const auto kk = static_cast<std::size_t>(k);
    r.acc_float += pf[kk] == test.labels[kk];
    r.acc_quantized += pq[kk] == test.labels[kk];
    r.acc_circuit += pc[kk] == test.labels[kk];
    r.decisions_circuit_vs_quantized += pc[kk] != pq[kk];
    r.confusion[test.labels[kk]][static_cast<std::size_t>(pc[kk])]++;
  }
  r.acc_float /= r.images, r.acc_quantized /= r.images, r.acc_circuit /= r.images;
  for (const auto& l : r.layers) {
    r.energy += l.array_energy + l.dac_energy + l.adc_energy;
    r.ops += l.ops;
  }
  for (const auto& l : r.layers) r.latency += l.latency;  // the layers run one after the other
  r.tops_per_w = r.energy > 0 ? static_cast<double>(r.ops) / r.energy / 1e12 : 0.0;
  r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return r;
}

}  // namespace xbar
