#include "network/crossbar_mlp.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "common/diagnostics.hpp"
#include "netlist_gen/portable_random.hpp"

namespace xbar {
namespace {

double quantize_fraction(double f, int levels) {
  if (levels < 2) return f;
  return std::round(f * (levels - 1)) / (levels - 1);
}

}  // namespace

int MappedNetwork::tiles() const {
  int n = 0;
  for (const auto& l : layers) n += static_cast<int>(l.tiles.size());
  return n;
}

MappedNetwork map_network(const Mlp& net, const TileSpec& base, const MappingOptions& opt) {
  const bool native_pair = base.cell->differential;
  if (native_pair && opt.mapping == SignedMapping::kOffset)
    throw std::invalid_argument("2T2R cells hold signed weights as pairs: the offset mapping needs 1R or 1T1R cells");
  const int per_tile = native_pair                           ? opt.tile_cols
                       : opt.mapping == SignedMapping::kPair ? opt.tile_cols / 2
                                                             : opt.tile_cols - 1;
  if (per_tile < 1) throw std::invalid_argument("a tile needs at least 2 columns for signed weights");
  const double dg = opt.g_on - opt.g_off, g_mid = 0.5 * (opt.g_on + opt.g_off);
  PortableRandom rng(opt.seed);
  MappedNetwork m;
  m.opt = opt;
  for (const auto& layer : net.layers) {
    MappedLayer ml;
    ml.layer = &layer;
    float wmax = 0;
    for (float w : layer.w) wmax = std::max(wmax, std::abs(w));
    ml.w_scale = wmax > 0 ? wmax : 1.0;
    ml.signal_per_weight = opt.v_read * (opt.mapping == SignedMapping::kPair ? dg : 0.5 * dg);
    for (int r0 = 0; r0 < layer.in; r0 += opt.tile_rows) {
      for (int c0 = 0; c0 < layer.out; c0 += per_tile) {
        MappedTile t;
        t.row0 = r0, t.rows = std::min(opt.tile_rows, layer.in - r0);
        t.col0 = c0, t.cols = std::min(per_tile, layer.out - c0);
        t.spec = base;
        t.spec.name = fmt::format("layer{}_r{}_c{}", m.layers.size(), r0 / opt.tile_rows, c0 / per_tile);
        t.spec.rows = opt.tile_rows;  // the physical tile; rows past the slice are driven at 0 V
        t.spec.cols = opt.tile_cols;
        t.spec.inputs.clear();
        t.v_full_scale = opt.v_read;
        const int P = t.spec.phys_cols();
        // Unused cells are programmed to g_off (pair) or g_mid (offset): a
        // full physical tile, so edge tiles see the same wires as the others.
        t.spec.g.assign(static_cast<std::size_t>(opt.tile_rows) * P,
                        opt.mapping == SignedMapping::kPair ? opt.g_off : g_mid);
        for (int j = 0; j < t.cols; ++j) {
          if (opt.mapping == SignedMapping::kPair) {
            t.plus.push_back(2 * j);
            t.minus.push_back(2 * j + 1);
          } else {
            t.plus.push_back(j);
            t.minus.push_back(P - 1);
          }
        }
        for (int i = 0; i < t.rows; ++i) {
          for (int j = 0; j < t.cols; ++j) {
            const double w = layer.w[static_cast<std::size_t>(c0 + j) * layer.in + (r0 + i)] / ml.w_scale;
            double* row = &t.spec.g[static_cast<std::size_t>(i) * P];
            if (opt.mapping == SignedMapping::kPair) {
              row[t.plus[j]] = opt.g_off + quantize_fraction(std::max(w, 0.0), opt.levels) * dg;
              row[t.minus[j]] = opt.g_off + quantize_fraction(std::max(-w, 0.0), opt.levels) * dg;
            } else {
              row[t.plus[j]] = opt.g_off + quantize_fraction(0.5 * (w + 1), opt.levels) * dg;
            }
          }
        }
        if (opt.sigma > 0)
          for (double& g : t.spec.g) g *= std::exp(opt.sigma * rng.normal());
        // Drift (PCM) and temperature (tcg) of the device model, as the tile builder applies them.
        base.model.scale_placed(t.spec.g);
        ml.tiles.push_back(std::move(t));
      }
    }
    m.layers.push_back(std::move(ml));
  }
  return m;
}

namespace {

using RowMajor = Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// The used rows of the placed conductances (used rows x physical columns).
Eigen::Map<const RowMajor, 0, Eigen::OuterStride<>> used_conductances(const MappedTile& t) {
  return {t.spec.g.data(), t.rows, t.spec.phys_cols(), Eigen::OuterStride<>(t.spec.phys_cols())};
}

// Each logical column's signal: the + column minus the - (or reference) column.
template <class M>
Matrix signal_columns(const MappedTile& t, const M& currents) {
  Matrix s(currents.rows(), t.cols);
  for (int j = 0; j < t.cols; ++j) s.col(j) = currents.col(t.plus[j]) - currents.col(t.minus[j]);
  return s;
}

// In place: the signed ADC of full scale fs (codes back to amperes).
void adc_in_place(Matrix& s, double fs, int bits) {
  if (fs <= 0) return;
  if (bits <= 0) return;  // no quantization
  const double q = std::ldexp(1.0, bits - 1) - 1, to_code = q / fs, to_amp = fs / q;
  for (double& y : s.reshaped()) y = std::round(std::clamp(y * to_code, -q, q)) * to_amp;
}

}  // namespace

Matrix ideal_currents(const MappedTile& t, const Matrix& volts, Eigen::VectorXd* driver_power) {
  const auto G = used_conductances(t);
  if (driver_power) *driver_power = volts.cwiseAbs2() * G.rowwise().sum();
  return volts * G;
}

TileReadout ideal_readout(const MappedTile& t, const Volts& volts, const Matrix& gram) {
  const auto G = used_conductances(t);
  TileReadout r;
  r.signal = volts * signal_columns(t, G);  // G+ - G- per logical column
  // sum over images of sum_i V_i^2 sum_j G_ij
  r.power_sum = gram.diagonal().dot(G.rowwise().sum());
  return r;
}

TileReadout readout_of(const MappedTile& t, const Matrix& currents, const Eigen::VectorXd& driver_power) {
  return {signal_columns(t, currents), driver_power.sum()};
}

Matrix dac_volts(const MappedLayer& l, const Matrix& x, const MappingOptions& opt) {
  if (opt.dac_bits <= 0) return x.unaryExpr([&](double v) { return opt.v_read * std::clamp(v / l.x_max, 0.0, 1.0); });
  const double q = std::ldexp(1.0, opt.dac_bits) - 1, to_code = q / l.x_max, to_volt = opt.v_read / q;
  return x.unaryExpr([=](double v) { return std::round(std::clamp(v * to_code, 0.0, q)) * to_volt; });
}

LayerOutputs run_layer(const MappedLayer& l, const Matrix& x, const MappingOptions& opt, const TileEngine& engine,
                       const TileEngine* reference, LayerOutputs* reference_out) {
  const DenseLayer& d = *l.layer;
  const Eigen::Index n = x.rows();
  const Matrix v = dac_volts(l, x, opt);
  LayerOutputs out, ref;
  for (LayerOutputs* o : {&out, &ref}) o->pre = Matrix::Zero(n, d.out);
  // volts' volts, once per row slice (the column tiles of a slice share it).
  std::map<std::pair<int, int>, Matrix> grams;
  for (const auto& t : l.tiles) {
    const auto key = std::make_pair(t.row0, t.rows);
    auto g = grams.find(key);
    if (g == grams.end()) {
      Matrix gram = Matrix::Zero(t.rows, t.rows);
      gram.selfadjointView<Eigen::Lower>().rankUpdate(v.middleCols(t.row0, t.rows).transpose());
      gram.triangularView<Eigen::StrictlyUpper>() = gram.transpose();
      g = grams.emplace(key, std::move(gram)).first;
    }
    const auto vt = v.middleCols(t.row0, t.rows);
    TileReadout r = engine(t, vt, g->second);
    if (r.signal.rows() != n || r.signal.cols() != t.cols) throw std::logic_error("tile engine returned a wrong shape");
    const double scale = 1.0 / static_cast<double>(std::max<Eigen::Index>(n, 1));
    out.mean_power += r.power_sum * scale;
    if (reference) {
      TileReadout e = (*reference)(t, vt, g->second);
      TileMetrics m;
      const double rms_ref = e.signal.norm();
      m.nrmse_vs_ideal = rms_ref > 0 ? (r.signal - e.signal).norm() / rms_ref : (r.signal - e.signal).norm();
      m.max_err_fs = n > 0 ? (r.signal - e.signal).cwiseAbs().maxCoeff() / (t.rows * l.signal_per_weight) : 0.0;
      m.mean_power = r.power_sum * scale;
      out.tiles.push_back(m);
      ref.mean_power += e.power_sum * scale;
      adc_in_place(e.signal, l.adc_fs, opt.adc_bits);
      ref.pre.middleCols(t.col0, t.cols) += e.signal;
    }
    adc_in_place(r.signal, l.adc_fs, opt.adc_bits);
    out.pre.middleCols(t.col0, t.cols) += r.signal;
  }
  const Eigen::RowVectorXd bias = Eigen::Map<const Eigen::VectorXf>(d.b.data(), d.out).cast<double>().transpose();
  for (LayerOutputs* o : {&out, &ref}) {
    o->pre *= l.w_scale * l.x_max / l.signal_per_weight;
    o->post = o->pre.rowwise() + bias;
    if (d.relu) o->post = o->post.cwiseMax(0.0);
  }
  if (reference_out) *reference_out = std::move(ref);
  return out;
}

void calibrate(MappedNetwork& m, const Matrix& x0) {
  Matrix x = x0;
  for (auto& l : m.layers) {
    l.x_max = std::max(x.maxCoeff(), 1e-30);
    l.adc_fs = 0;  // no ADC while measuring its range
    double fs = 0;
    const TileEngine probe = [&fs](const MappedTile& t, const Volts& v, const Matrix& gram) {
      TileReadout r = ideal_readout(t, v, gram);
      if (r.signal.size() > 0) fs = std::max(fs, r.signal.cwiseAbs().maxCoeff());
      return r;
    };
    run_layer(l, x, m.opt, probe);
    l.adc_fs = fs > 0 ? fs : 1e-30;
    x = run_layer(l, x, m.opt, ideal_readout).post;  // with this layer's ADC, as the next layer will see it
  }
}

Matrix as_matrix(const IdxDataset& d) {
  return Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(d.pixels.data(),
                                                                                                 d.count, d.features())
      .cast<double>();
}

std::vector<int> argmax_rows(const Matrix& scores) {
  std::vector<int> out(static_cast<std::size_t>(scores.rows()));
  for (Eigen::Index k = 0; k < scores.rows(); ++k) scores.row(k).maxCoeff(&out[static_cast<std::size_t>(k)]);
  return out;
}

}  // namespace xbar
