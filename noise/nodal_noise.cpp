#include "noise/nodal_noise.hpp"

#include <Eigen/SparseCholesky>
#include <Eigen/SparseCore>

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
  }
}

}  // namespace

std::vector<ColumnNoise> nodal_noise(const TileSpec& tile, const Circuit& circuit, const TileSolution& op,
                                     const NoiseOptions& options) {
  std::vector<ColumnNoise> out;
  out.reserve(static_cast<std::size_t>(op.vectors) * tile.cols);
  Eigen::SimplicialLDLT<SparseMatrix> ldlt;
  bool factored = false;
  Eigen::VectorXd c, y;
  for (int v = 0; v < op.vectors; ++v) {
    const NoiseNetwork net = build_noise_network(tile, circuit, op, v, options);
    // Linear cells: the same conductances at every operating point.
    if (net.unknowns > 0 && (!factored || !tile.model.linear())) {
      ldlt.compute(assemble(net));
      if (ldlt.info() != Eigen::Success)
        throw SimulationError("noise: the small-signal network of the tile could not be factored (a floating node?)");
      factored = true;
    }
    // Band power of each source once per vector.
    std::vector<double> power(net.sources.size());
    for (std::size_t s = 0; s < net.sources.size(); ++s)
      power[s] = options.band_power(net.sources[s].white, net.sources[s].flicker);
    for (int j = 0; j < tile.cols; ++j) {
      const auto cols = output_columns(tile, j);
      c.setZero(net.unknowns);
      for (auto [pj, sign] : cols)
        for (auto [u, coef] : net.output[pj]) c[u] += sign * coef;
      if (net.unknowns > 0) y = ldlt.solve(c);  // K symmetric: the adjoint system is K itself
      ColumnNoise col{.vector = v, .col = j};
      for (std::size_t s = 0; s < net.sources.size(); ++s) {
        const NoiseSource& src = net.sources[s];
        double t = 0;
        for (auto [u, coef] : src.inject) t += coef * y[u];
        for (auto [pj, coef] : src.direct)
          for (auto [qj, sign] : cols)
            if (pj == qj) t += sign * coef;
        add_power(col, src.kind, t * t * power[s]);
      }
      out.push_back(col);
    }
  }
  return out;
}

}  // namespace xbar
