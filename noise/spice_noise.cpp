#include "noise/spice_noise.hpp"

#include <cmath>
#include <stdexcept>

#include <fmt/format.h>

#include "common/diagnostics.hpp"
#include "noise/noise_network.hpp"

namespace xbar {
namespace {

std::string num(double v) { return fmt::format("{:.17g}", v); }

// The circuit with a node in series with each column's amplifier input, for
// the sense amplifier's voltage noise: the virtual-ground source's low end,
// or the TIA's non-inverting input.
std::vector<std::string> input_nodes(Circuit& c, const TileSpec& t) {
  std::vector<std::string> nodes;
  for (int pj = 0; pj < c.map.phys_cols; ++pj) {
    const std::string name = fmt::format("nzen{}", pj);
    const NodeId n = c.add_node(name);
    bool found = false;
    for (Element& e : c.elements) {
      if (t.sense == SenseKind::kTia && e.kind == ElementKind::kVcvs && e.col == pj) {
        e.nodes[2] = n, found = true;  // V_out = gain (V(nzen) - V_S)
      } else if (t.sense != SenseKind::kTia && e.kind == ElementKind::kVoltageSource &&
                 e.name == c.map.sense_source[pj]) {
        e.nodes[1] = n, found = true;  // S_j held at V(nzen)
      }
    }
    if (!found) throw std::logic_error(fmt::format("noise: no amplifier input found for column {}", pj));
    nodes.push_back(name);
  }
  return nodes;
}

}  // namespace

std::vector<NoiseJob> spice_noise_jobs(const TileSpec& tile, const Circuit& circuit, const TileSolution& op, int vector,
                                       const NoiseOptions& options) {
  if (circuit.vectors != 1) throw std::invalid_argument("noise: the SPICE circuit must hold one input vector");
  // The sources ngspice does not model itself (a transistor's channel noise
  // is its own), so the transistors' small-signal values do not matter here.
  const NoiseNetwork net = build_noise_network(tile, circuit, op, vector, options,
                                               std::vector<MosfetPoint>(circuit.count(ElementKind::kMosfet)));
  Circuit c = circuit;
  // Measured: ngspice 46 refuses `noise` under `.options klu` ("not (yet)
  // supported"), so the check runs on its default Sparse 1.3 solver.
  std::erase_if(c.options, [](const auto& kv) { return kv.first == "klu"; });
  const bool tia = tile.sense == SenseKind::kTia;
  const std::vector<std::string> en = options.sense_e_n > 0 ? input_nodes(c, tile) : std::vector<std::string>{};
  std::vector<std::string> lines = write_spice_netlist(c);
  lines.pop_back();  // `.end`, put back last
  auto node = [&](NodeId n) -> const std::string& { return c.node_names.at(static_cast<std::size_t>(n)); };
  // A dummy input for ngspice's input-referred figure (not used).
  lines.push_back("vnzin nzin 0 dc 0 ac 1");
  lines.push_back("rnzin nzin 0 1 noisy=0");
  lines.push_back(".model rnzflk r (kf=0.5 af=2)");
  const double aux_white = 4.0 * kBoltzmann * options.temperature_k;  // a 1-ohm resistor's density
  for (std::size_t k = 0; k < net.sources.size(); ++k) {
    const NoiseSource& s = net.sources[k];
    if (s.spice == NoiseSource::Spice::kNative) continue;
    // (controlling source, gain) per spectral part.
    std::vector<std::pair<std::string, double>> parts;
    if (s.white > 0) {
      lines.push_back(fmt::format("vnzw{0} nzw{0} 0 dc 0", k));
      lines.push_back(fmt::format("rnzw{0} nzw{0} 0 1", k));
      parts.push_back({fmt::format("vnzw{}", k), std::sqrt(s.white / aux_white)});
    }
    if (s.flicker > 0) {
      // Two flicker resistors with opposite 1 A: no DC through the sensing
      // source, 1/f density 2 * 0.5 * 1^2 / f.
      lines.push_back(fmt::format("vnzf{0} nzf{0} 0 dc 0", k));
      lines.push_back(fmt::format("vnzfp{0} nzfp{0} 0 dc 1", k));
      lines.push_back(fmt::format("vnzfm{0} nzfm{0} 0 dc -1", k));
      lines.push_back(fmt::format("rnzfa{0} nzfp{0} nzf{0} 1 rnzflk", k));
      lines.push_back(fmt::format("rnzfb{0} nzf{0} nzfm{0} 1 rnzflk", k));
      parts.push_back({fmt::format("vnzf{}", k), std::sqrt(s.flicker)});
    }
    for (std::size_t p = 0; p < parts.size(); ++p) {
      const auto& [ctl, gain] = parts[p];
      switch (s.spice) {
        case NoiseSource::Spice::kAcross:
          lines.push_back(fmt::format("fnz{}_{} {} {} {} {}", k, p, node(s.a), node(s.b), ctl, num(gain)));
          break;
        case NoiseSource::Spice::kSenseCurrent:
          lines.push_back(fmt::format("fnz{}_{} 0 {} {} {}", k, p, node(c.map.sense[s.pj]), ctl, num(gain)));
          break;
        case NoiseSource::Spice::kSenseVoltage:
          lines.push_back(fmt::format("hnz{}_{} {} 0 {} {}", k, p, en.at(s.pj), ctl, num(gain)));
          break;
        case NoiseSource::Spice::kNative: break;
      }
    }
  }
  // Outputs: a TIA's output voltage(s); a virtual-ground column's source
  // current, turned into a voltage by a noiseless 1-ohm transresistance.
  std::vector<std::string> outputs;
  for (int j = 0; j < tile.cols; ++j) {
    const auto cols = output_columns(tile, j);
    if (tia) {
      outputs.push_back(cols.size() == 1 ? fmt::format("v({})", node(c.map.tia_out[cols[0].first]))
                                         : fmt::format("v({}, {})", node(c.map.tia_out[cols[0].first]),
                                                       node(c.map.tia_out[cols[1].first])));
      continue;
    }
    std::string low = "0";
    for (std::size_t q = cols.size(); q-- > 0;) {
      const std::string out = q == 0 ? fmt::format("nzo{}", j) : fmt::format("nzo{}_{}", j, q);
      lines.push_back(
          fmt::format("hnzo{}_{} {} {} {} {}", j, q, out, low, c.map.sense_source[cols[q].first], num(cols[q].second)));
      low = out;
    }
    outputs.push_back(fmt::format("v(nzo{})", j));
  }
  lines.push_back(".end");
  std::vector<NoiseJob> jobs;
  for (int j = 0; j < tile.cols; ++j)
    jobs.push_back({lines,
                    fmt::format("noise {} vnzin lin 2 {} {}", outputs[j], num(options.f_min), num(options.f_max)),
                    tia ? 1.0 / tile.tia_r_f : 1.0});
  return jobs;
}

std::vector<double> spice_noise(const TileSpec& tile, const Circuit& circuit, const TileSolution& op, int vector,
                                const NoiseOptions& options, Simulator& sim) {
  std::vector<double> rms;
  for (const NoiseJob& job : spice_noise_jobs(tile, circuit, op, vector, options)) {
    const SimResult r = sim.run(job.netlist, job.command);
    const auto total = r.vectors.find("onoise_total");
    if (!total || total->empty()) throw SimulationError("ngspice's noise analysis returned no onoise_total", r.log);
    rms.push_back((*total)[0] * job.scale);
  }
  return rms;
}

}  // namespace xbar
