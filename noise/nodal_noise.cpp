#include "noise/nodal_noise.hpp"

#include <Eigen/CholmodSupport>
#include <Eigen/SparseCore>
#include <Eigen/SparseLU>

#include <algorithm>

#include "common/diagnostics.hpp"
#include "noise/noise_network.hpp"

namespace xbar {
namespace {

using SparseMatrix = Eigen::SparseMatrix<double>;

SparseMatrix assemble(const NoiseNetwork& net) {
  std::vector<Eigen::Triplet<double>> triplets;
  triplets.reserve(net.matrix.size());
  for (const auto& e : net.matrix) triplets.emplace_back(e.row, e.col, e.value);
  SparseMatrix k(net.unknowns, net.unknowns);
  k.setFromTriplets(triplets.begin(), triplets.end());  // duplicates summed
  return k;
}

void add_power(ColumnNoise& c, NoiseKind kind, double p) {
  switch (kind) {
    case NoiseKind::kThermal: c.thermal += p; break;
    case NoiseKind::kShot: c.shot += p; break;
    case NoiseKind::kRead: c.read += p; break;
    case NoiseKind::kSense: c.sense += p; break;
    case NoiseKind::kFlicker: c.flicker += p; break;
  }
}

}  // namespace

std::vector<ColumnNoise> nodal_noise(const TileSpec& tile, const Circuit& circuit, const TileSolution& op,
                                     const NoiseOptions& options,
                                     const std::vector<std::vector<MosfetPoint>>& mosfets) {
  const bool transistors = tile.access_transistors();
  if (transistors && mosfets.size() != static_cast<std::size_t>(op.vectors))
    throw std::invalid_argument("noise: a transistor tile needs its transistors' operating point for every vector");
  std::vector<ColumnNoise> out;
  out.reserve(static_cast<std::size_t>(op.vectors) * tile.cols);
  // Supernodal Cholesky, the adjoint right-hand sides solved a block of
  // columns at a time.  Measured at 256x256: 5.1 s CPU against 6.2 s for a
  // simplicial LDL' with one solve per column; the factorisation's dense
  // kernels (dgemm) are most of it.
  Eigen::CholmodSupernodalLLT<SparseMatrix> chol;
  // The transconductances make a transistor tile's matrix unsymmetric: the
  // adjoint system K' y = c gets its own LU factorisation.
  Eigen::SparseLU<SparseMatrix, Eigen::COLAMDOrdering<int>> lu;
  bool factored = false;
  constexpr int kBlock = 32;
  Eigen::MatrixXd c, yt;  // yt: nb x unknowns, the block's adjoint solutions by row
  for (int v = 0; v < op.vectors; ++v) {
    const NoiseNetwork net = build_noise_network(
        tile, circuit, op, v, options, transistors ? mosfets[static_cast<std::size_t>(v)] : std::vector<MosfetPoint>{});
    // Linear cells: the same conductances at every operating point.
    if (net.unknowns > 0 && (!factored || !tile.model.linear() || tile.inner_node())) {
      bool ok = false;
      if (transistors) {
        const SparseMatrix kt = assemble(net).transpose();
        lu.compute(kt);
        ok = lu.info() == Eigen::Success;
      } else {
        chol.compute(assemble(net));
        ok = chol.info() == Eigen::Success;
      }
      if (!ok)
        throw SimulationError("noise: the small-signal network of the tile could not be factored (a floating node?)");
      factored = true;
    }
    // Band power of each source once per vector.
    std::vector<double> power(net.sources.size());
    for (std::size_t s = 0; s < net.sources.size(); ++s)
      power[s] = options.band_power(net.sources[s].white, net.sources[s].flicker);
    for (int j0 = 0; j0 < tile.cols; j0 += kBlock) {
      const int nb = std::min(kBlock, tile.cols - j0);
      c.setZero(net.unknowns, nb);
      for (int b = 0; b < nb; ++b)
        for (auto [pj, sign] : output_columns(tile, j0 + b))
          for (auto [u, coef] : net.output[pj]) c(u, b) += sign * coef;
      if (net.unknowns > 0)  // without transistors K is symmetric: the adjoint system is K itself
        yt = (transistors ? Eigen::MatrixXd(lu.solve(c)) : Eigen::MatrixXd(chol.solve(c))).transpose();
      // Each source against the whole block: its transfers to the block's
      // columns are contiguous (yt column u), so the inner loops vectorise.
      std::vector<ColumnNoise> block(static_cast<std::size_t>(nb));
      std::vector<double> t(static_cast<std::size_t>(nb));
      std::vector<std::vector<std::pair<int, double>>> cols;
      for (int b = 0; b < nb; ++b) {
        block[static_cast<std::size_t>(b)] = ColumnNoise{.vector = v, .col = j0 + b};
        cols.push_back(output_columns(tile, j0 + b));
      }
      for (std::size_t s = 0; s < net.sources.size(); ++s) {
        const NoiseSource& src = net.sources[s];
        std::fill(t.begin(), t.end(), 0.0);
        for (auto [u, coef] : src.inject) {
          const double* yu = yt.col(u).data();
          for (int b = 0; b < nb; ++b) t[static_cast<std::size_t>(b)] += coef * yu[b];
        }
        for (auto [pj, coef] : src.direct)
          for (int b = 0; b < nb; ++b)
            for (auto [qj, sign] : cols[static_cast<std::size_t>(b)])
              if (pj == qj) t[static_cast<std::size_t>(b)] += sign * coef;
        for (int b = 0; b < nb; ++b) {
          const double tb = t[static_cast<std::size_t>(b)];
          add_power(block[static_cast<std::size_t>(b)], src.kind, tb * tb * power[s]);
        }
      }
      out.insert(out.end(), block.begin(), block.end());
    }
  }
  return out;
}

}  // namespace xbar
