#include "noise/mosfet_point.hpp"

#include <algorithm>
#include <cmath>
#include <map>
#include <span>
#include <stdexcept>

#include <fmt/format.h>

#include "common/ascii_case.hpp"
#include "common/diagnostics.hpp"

namespace xbar {
namespace {

std::vector<const Element*> mosfets_of(const Circuit& circuit) {
  std::vector<const Element*> mosfets;
  for (const Element& e : circuit.elements)
    if (e.kind == ElementKind::kMosfet) mosfets.push_back(&e);
  return mosfets;
}

Element voltage_source(std::string name, NodeId plus, NodeId minus, double v) {
  Element e{};
  e.kind = ElementKind::kVoltageSource;
  e.name = std::move(name);
  e.nodes = {plus, minus};
  e.value = v;
  return e;
}

}  // namespace

NoiseCharacterisation mosfet_noise_circuit(const Circuit& circuit, const std::vector<std::array<double, 4>>& terminal_v,
                                           const NoiseOptions& options) {
  const std::vector<const Element*> mosfets = mosfets_of(circuit);
  if (terminal_v.size() != mosfets.size())
    throw std::invalid_argument("noise: one set of terminal voltages per transistor");
  Circuit ch;
  ch.title = "xbar transistor noise characterisation";
  ch.node_names = {"0"};
  ch.includes = circuit.includes;
  ch.options = circuit.options;  // the temperature and tolerances of the tile
  // Measured: ngspice 46 refuses `noise` under `.options klu`.
  std::erase_if(ch.options, [](const auto& kv) { return kv.first == "klu"; });
  ch.transistor = circuit.transistor;
  for (std::size_t k = 0; k < mosfets.size(); ++k) {
    static constexpr const char* kTerminal[] = {"d", "g", "s", "b"};
    std::array<NodeId, 4> n{};
    for (int t = 0; t < 4; ++t) {
      n[t] = ch.add_node(fmt::format("nz{}{}", kTerminal[t], k));
      // The drain is held through the 0 V sensing source from node nzx.
      const NodeId held = t == 0 ? ch.add_node(fmt::format("nzx{}", k)) : n[t];
      ch.elements.push_back(voltage_source(fmt::format("vnz{}{}", kTerminal[t], k), held, kGround, terminal_v[k][t]));
      if (t == 0) ch.elements.push_back(voltage_source(fmt::format("vnzi{}", k), held, n[0], 0.0));
    }
    Element m = *mosfets[k];
    m.nodes = {n[0], n[1], n[2], n[3]};
    ch.elements.push_back(std::move(m));
  }
  NoiseCharacterisation out;
  out.netlist = write_spice_netlist(ch);
  out.netlist.pop_back();  // `.end`, put back last
  // Output: the sum of the drain currents, by unit-gain CCVSs in series (H
  // sources are noiseless in ngspice).  Each transistor's terminals are held,
  // so its own noise reaches the output only through its drain current.
  std::string low = "0";
  for (std::size_t k = 0; k < mosfets.size(); ++k) {
    const std::string high = k + 1 == mosfets.size() ? "nzo" : fmt::format("nzo{}", k);
    out.netlist.push_back(fmt::format("hnzo{} {} {} vnzi{} 1", k, high, low, k));
    low = high;
  }
  // A dummy input for ngspice's input-referred figure (not used).
  out.netlist.push_back("vnzin nzin 0 dc 0 ac 1");
  out.netlist.push_back("rnzin nzin 0 1 noisy=0");
  out.netlist.push_back(".end");
  // pts_per_summary 1: ngspice reports every generator's own band power.
  out.command = fmt::format("noise v(nzo) vnzin lin 2 {:.17g} {:.17g} 1", options.f_min, options.f_max);
  return out;
}

std::vector<MosfetPoint> mosfet_points(const Circuit& circuit, Simulator& sim, const NoiseOptions& options) {
  const std::vector<const Element*> mosfets = mosfets_of(circuit);
  if (mosfets.empty()) return {};
  if (circuit.vectors != 1) throw std::invalid_argument("noise: the transistors' op needs a one-vector circuit");
  for (const Element* e : mosfets)
    if (e->subckt)
      throw SimulationError(fmt::format(
          "noise: transistor '{}' is a subcircuit (a PDK wrapper); xbar's noise takes .model cards only", e->name));

  // The operating point: small-signal parameters and terminal voltages.
  std::vector<std::string> lines = write_spice_netlist(circuit);
  lines.pop_back();  // `.end`
  static constexpr const char* kParams[] = {"gm", "gds", "gmbs", "gbd", "gbs"};
  std::string save = ".save";
  for (const Element* e : mosfets) {
    for (const char* p : kParams) save += fmt::format(" @{}[{}]", e->name, p);
    for (NodeId n : e->nodes)
      if (n != kGround) save += " " + circuit.node_names.at(static_cast<std::size_t>(n));
  }
  lines.push_back(save);
  lines.push_back(".end");
  const SimResult r = sim.run(lines, "op");
  auto get = [&](const SimResult& res, const std::string& name) {
    const auto values = res.vectors.find(ascii_lower(name));
    if (!values || values->empty()) throw SimulationError(fmt::format("ngspice returned no {}", name), res.log);
    return (*values)[0];
  };
  std::vector<MosfetPoint> points;
  std::vector<std::array<double, 4>> terminal_v;
  points.reserve(mosfets.size());
  for (const Element* e : mosfets) {
    auto p = [&](const char* name) { return get(r, fmt::format("@{}[{}]", e->name, name)); };
    points.push_back({p("gm"), p("gds"), p("gmbs"), p("gbd"), p("gbs")});
    std::array<double, 4>& v = terminal_v.emplace_back();
    for (int t = 0; t < 4; ++t)
      v[t] = e->nodes[t] == kGround ? 0.0 : get(r, circuit.node_names.at(static_cast<std::size_t>(e->nodes[t])));
  }

  // The drain-current noise at that point, every generator's band power.
  const NoiseCharacterisation ch = mosfet_noise_circuit(circuit, terminal_v, options);
  const SimResult nz = sim.run(ch.netlist, ch.command);
  std::map<std::string, std::size_t> index;
  for (std::size_t k = 0; k < mosfets.size(); ++k) index[ascii_lower(mosfets[k]->name)] = k;
  std::vector<char> seen(mosfets.size(), 0);
  // Named onoise_total<sep><device><sep><generator>, <sep> '.' (BSIM4) or
  // '_' (MOS1); generator names hold neither.
  static const std::string kPrefix = "onoise_total";
  for (std::size_t v = 0; v < nz.vectors.size(); ++v) {
    const std::string_view name = nz.vectors.name(v);
    const std::span<const double> values = nz.vectors.values(v);
    if (!name.starts_with(kPrefix) || name.size() <= kPrefix.size() + 1 || values.empty()) continue;
    const std::string rest(name.substr(kPrefix.size() + 1));
    const std::size_t sep = rest.find_last_of("._");
    if (sep == std::string::npos) continue;
    const auto it = index.find(rest.substr(0, sep));
    if (it == index.end()) continue;  // a device's total (or no device)
    const std::string gen = rest.substr(sep + 1);
    const double power = values[0] * values[0];  // ngspice reports the rms
    MosfetPoint& p = points[it->second];
    seen[it->second] = 1;
    if (power == 0.0) continue;
    if (gen == "id") {
      p.white += power / options.white_band();
    } else if (gen == "1overf") {
      p.flicker += power / options.flicker_band();
    } else {
      // ngspice's channel generators are "id" (thermal) and "1overf" in every
      // MOS model; any other with power (rd, rs, rg, the body network, gate
      // currents) sits on a node xbar's network does not have.
      throw SimulationError(
          fmt::format("noise: transistor '{}' (model '{}') has noise generator '{}' ({:.3g} A rms), which sits on a "
                      "node inside the transistor (series or body resistance, gate current) that xbar's noise "
                      "network does not model; only the channel's thermal and flicker noise are supported",
                      mosfets[it->second]->name, mosfets[it->second]->model, gen, values[0]),
          nz.log);
    }
  }
  for (std::size_t k = 0; k < mosfets.size(); ++k)
    if (!seen[k])
      throw SimulationError(fmt::format("ngspice's noise characterisation reported nothing for '{}'", mosfets[k]->name),
                            nz.log);
  return points;
}

}  // namespace xbar
