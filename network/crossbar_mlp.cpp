#include "network/crossbar_mlp.hpp"

#include <cmath>
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

// Quantizes x in [-1, 1] (signed) or [0, 1] to a b-bit code and back.
double quantize_signed(double x, int bits) {
  if (bits <= 0) return x;
  const double q = std::ldexp(1.0, bits - 1) - 1;
  return std::round(std::clamp(x, -1.0, 1.0) * q) / q;
}
double quantize_unsigned(double x, int bits) {
  if (bits <= 0) return std::clamp(x, 0.0, 1.0);
  const double q = std::ldexp(1.0, bits) - 1;
  return std::round(std::clamp(x, 0.0, 1.0) * q) / q;
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
  const int per_tile = native_pair ? opt.tile_cols
                       : opt.mapping == SignedMapping::kPair ? opt.tile_cols / 2 : opt.tile_cols - 1;
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
        // Conductance drift of the device model (PCM), as the tile builder applies it.
        if (base.model.drift_factor != 1.0)
          for (double& g : t.spec.g) g *= base.model.drift_factor;
        ml.tiles.push_back(std::move(t));
      }
    }
    m.layers.push_back(std::move(ml));
  }
  return m;
}

Matrix ideal_currents(const MappedTile& t, const Matrix& volts, Eigen::VectorXd* driver_power) {
  const int P = t.spec.phys_cols();
  const Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>> G(
      t.spec.g.data(), t.spec.rows, P);
  const auto Gu = G.topRows(t.rows);
  if (driver_power) *driver_power = volts.cwiseAbs2() * Gu.rowwise().sum();
  return volts * Gu;
}

Matrix dac_volts(const MappedLayer& l, const Matrix& x, const MappingOptions& opt) {
  return x.unaryExpr([&](double v) { return opt.v_read * quantize_unsigned(v / l.x_max, opt.dac_bits); });
}

LayerOutputs run_layer(const MappedLayer& l, const Matrix& x, const MappingOptions& opt, const TileEngine& engine) {
  const DenseLayer& d = *l.layer;
  const Eigen::Index n = x.rows();
  const Matrix v = dac_volts(l, x, opt);
  LayerOutputs out;
  out.pre = Matrix::Zero(n, d.out);
  out.array_power = Eigen::VectorXd::Zero(n);
  for (const auto& t : l.tiles) {
    Eigen::VectorXd power;
    const Matrix I = engine(t, v.middleCols(t.row0, t.rows), &power);
    if (I.rows() != n || I.cols() != t.spec.phys_cols()) throw std::logic_error("tile engine returned a wrong shape");
    out.array_power += power;
    for (int j = 0; j < t.cols; ++j) {
      auto s = (I.col(t.plus[j]) - I.col(t.minus[j])).eval();
      if (l.adc_fs > 0) s = s.unaryExpr([&](double y) { return l.adc_fs * quantize_signed(y / l.adc_fs, opt.adc_bits); });
      out.pre.col(t.col0 + j) += s;
    }
  }
  out.pre *= l.w_scale * l.x_max / l.signal_per_weight;
  out.post = out.pre.rowwise() + Eigen::Map<const Eigen::VectorXf>(d.b.data(), d.out).cast<double>().transpose();
  if (d.relu) out.post = out.post.cwiseMax(0.0);
  return out;
}

void calibrate(MappedNetwork& m, const Matrix& x0) {
  Matrix x = x0;
  for (auto& l : m.layers) {
    l.x_max = std::max(x.maxCoeff(), 1e-30);
    l.adc_fs = 0;  // no ADC while measuring its range
    double fs = 0;
    const TileEngine probe = [&fs](const MappedTile& t, const Matrix& v, Eigen::VectorXd* p) {
      Matrix I = ideal_currents(t, v, p);
      for (int j = 0; j < t.cols; ++j) fs = std::max(fs, (I.col(t.plus[j]) - I.col(t.minus[j])).cwiseAbs().maxCoeff());
      return I;
    };
    run_layer(l, x, m.opt, probe);
    l.adc_fs = fs > 0 ? fs : 1e-30;
    x = run_layer(l, x, m.opt, ideal_currents).post;  // with this layer's ADC, as the next layer will see it
  }
}

Matrix as_matrix(const IdxDataset& d) {
  return Eigen::Map<const Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
             d.pixels.data(), d.count, d.features())
      .cast<double>();
}

std::vector<int> argmax_rows(const Matrix& scores) {
  std::vector<int> out(static_cast<std::size_t>(scores.rows()));
  for (Eigen::Index k = 0; k < scores.rows(); ++k) scores.row(k).maxCoeff(&out[static_cast<std::size_t>(k)]);
  return out;
}

}  // namespace xbar
