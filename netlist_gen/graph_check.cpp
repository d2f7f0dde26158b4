// Structural checks of a circuit before any simulation, with Boost.Graph.
// A floating node makes ngspice fall back to gmin stepping and return an
// arbitrary "successful" answer, so it must be ruled out here.
#include <array>
#include <map>
#include <stdexcept>

#include <fmt/format.h>
#include <boost/graph/incremental_components.hpp>

#include "netlist_gen/circuit.hpp"

namespace xbar {
namespace {

// Up to two node pairs, held in place: the check runs over every element of
// the tile (~200k at 256x256), so no allocation per element.
struct NodePairs {
  NodePairs() = default;
  NodePairs(std::initializer_list<std::pair<NodeId, NodeId>> l) : n(l.size()) {
    std::copy(l.begin(), l.end(), p.begin());
  }
  const std::pair<NodeId, NodeId>* begin() const { return p.data(); }
  const std::pair<NodeId, NodeId>* end() const { return p.data() + n; }
  std::array<std::pair<NodeId, NodeId>, 2> p{};
  std::size_t n = 0;
};

// The terminal pairs through which an element conducts at DC.
NodePairs dc_paths(const Element& e) {
  switch (e.kind) {
    case ElementKind::kResistor:
    case ElementKind::kVoltageSource:
    case ElementKind::kBatchSource:
    case ElementKind::kPwlSource:
    case ElementKind::kCell: return {{e.nodes[0], e.nodes[1]}};
    case ElementKind::kSelector: return {{e.nodes[0], e.nodes[1]}};
    case ElementKind::kVcvs: return {{e.nodes[0], e.nodes[1]}};    // the output branch only
    case ElementKind::kMosfet: return {{e.nodes[0], e.nodes[2]}};  // drain-source channel
    case ElementKind::kCapacitor: return {};
    // The state node sits on the subcircuit's 1 F capacitor with an initial
    // condition (tran with uic): it needs no path of its own.
    case ElementKind::kDynamicCell: return {{e.nodes[0], e.nodes[1]}, {e.nodes[2], kGround}};
  }
  return {};
}

// Elements of each kind, counted in place (a map lookup per element of a
// 256x256 tile cost a third of the check).
class KindCounts {
 public:
  std::size_t& operator[](ElementKind k) { return n_.at(static_cast<std::size_t>(k)); }

 private:
  std::array<std::size_t, static_cast<std::size_t>(ElementKind::kDynamicCell) + 1> n_{};  // the last kind
};

// What the tile should contain, computed from the TileSpec alone.
std::map<ElementKind, std::size_t> expected_counts(const TileSpec& t) {
  const std::size_t R = t.rows, PC = t.phys_cols();
  std::size_t cells = 0;
  for (double g : t.g) cells += g > 0;
  std::map<ElementKind, std::size_t> n;
  const bool batch = t.vectors() > 1;
  n[ElementKind::kCell] = cells;
  n[ElementKind::kResistor] = (t.r_driver > 0 ? R : 0) + (t.r_wl > 0 ? R * (PC - 1) : 0) +
                              (t.r_bl > 0 ? PC * (R - 1) : 0) + (t.r_sense > 0 ? PC : 0) +
                              (t.sense == SenseKind::kTia ? PC : 0);
  n[ElementKind::kVoltageSource] = (batch ? 1 : R) + (t.sense == SenseKind::kVirtualGround ? PC : 0);
  n[ElementKind::kBatchSource] = batch ? R : 0;
  n[ElementKind::kVcvs] = t.sense == SenseKind::kTia ? PC : 0;
  n[ElementKind::kSelector] = t.cell->has(CellPart::kSelector) ? cells : 0;
  if (t.access_transistors()) {
    // One access transistor per present cell; one gate source per row and
    // r_gl segments along it.
    n[ElementKind::kMosfet] = cells;
    n[ElementKind::kVoltageSource] += R;
    n[ElementKind::kResistor] += t.r_gl > 0 ? R * (PC - 1) : 0;
  } else {
    n[ElementKind::kMosfet] = 0;
  }
  return n;
}

const char* kind_name(ElementKind k) {
  switch (k) {
    case ElementKind::kResistor: return "resistors";
    case ElementKind::kCapacitor: return "capacitors";
    case ElementKind::kVoltageSource: return "voltage sources";
    case ElementKind::kVcvs: return "amplifiers";
    case ElementKind::kCell: return "cells";
    case ElementKind::kSelector: return "selectors";
    case ElementKind::kMosfet: return "transistors";
    case ElementKind::kBatchSource: return "batch sources";
    case ElementKind::kPwlSource: return "pwl sources";
    case ElementKind::kDynamicCell: return "dynamic cells";
  }
  return "?";
}

// Transistor terminals: the channel (drain-source) conducts, the gate does
// not, so a gate node needs its own DC path (its gate line) -- the component
// check covers that.  Here: the cell structure itself.  The drain must meet a
// cell and nothing else, the gate must not be tied to the channel, the bulk
// sits at ground, and a subcircuit instance names its subcircuit.
void check_transistors(const Circuit& c, CircuitCheckReport& r) {
  std::vector<int> cell_terminals(c.node_names.size(), 0);
  for (const auto& e : c.elements)
    if (e.kind == ElementKind::kCell)
      for (NodeId n : e.nodes) ++cell_terminals[n];
  for (const auto& e : c.elements) {
    if (e.kind != ElementKind::kMosfet || r.problems.size() >= 20) continue;
    if (e.nodes.size() != 4) {
      r.problems.push_back(fmt::format("transistor {} has {} terminals, not 4 (d g s b)", e.name, e.nodes.size()));
      continue;
    }
    const NodeId d = e.nodes[0], g = e.nodes[1], s = e.nodes[2], b = e.nodes[3];
    if (d == kGround || cell_terminals[d] != 1)
      r.problems.push_back(
          fmt::format("transistor {}: drain {} is not the junction with exactly one cell", e.name, c.node_names[d]));
    if (g == d || g == s) r.problems.push_back(fmt::format("transistor {}: gate tied to its channel", e.name));
    if (b != kGround) r.problems.push_back(fmt::format("transistor {}: bulk is not at ground", e.name));
    if (e.model.empty() || !(e.w > 0) || !(e.l > 0))
      r.problems.push_back(fmt::format("transistor {}: no model or a non-positive w/l", e.name));
    if (e.subckt != (e.name[0] == 'x'))
      r.problems.push_back(fmt::format("transistor {}: subcircuit flag and instance letter disagree", e.name));
  }
}

}  // namespace

CircuitCheckReport check_circuit_graph(const Circuit& c, const TileSpec& tile) {
  CircuitCheckReport r;
  r.nodes = c.node_names.size();
  r.elements = c.elements.size();
  // The DC-connected components, grown edge by edge with Boost.Graph's
  // incremental components (a union-find): no graph is stored.
  const std::size_t N = c.node_names.size();
  std::vector<std::size_t> rank(N), parent(N);
  boost::disjoint_sets<std::size_t*, std::size_t*> components(rank.data(), parent.data());
  for (std::size_t n = 0; n < N; ++n) components.make_set(n);
  std::vector<int> terminals(N, 0);
  KindCounts counts;  // one pass instead of Circuit::count per kind
  // The cells' terminals, kept so the dangling check below need not read the
  // element array (~30 MB at 256x256) a second time.
  std::vector<std::pair<const Element*, NodeList>> cells;
  for (const auto& e : c.elements) {
    ++counts[e.kind];
    if (e.kind == ElementKind::kCell || e.kind == ElementKind::kSelector) cells.emplace_back(&e, e.nodes);
    for (NodeId n : e.nodes) {
      if (n < 0 || static_cast<std::size_t>(n) >= N) {
        r.problems.push_back(fmt::format("element {} names node {} which does not exist", e.name, n));
        return r;
      }
      ++terminals[n];
    }
    for (auto [a, b] : dc_paths(e)) components.union_set(a, b);
  }
  const std::size_t ground_set = components.find_set(kGround);
  for (std::size_t n = 1; n < N; ++n) {
    if (components.find_set(n) != ground_set)
      r.problems.push_back(fmt::format("node {} has no DC path to ground or a source", c.node_names[n]));
    if (r.problems.size() >= 20) break;
  }
  // A dangling element hangs from a node nothing else touches.  Word- and
  // bit-line ends beyond an absent cell are open by design (docs/circuit.md), so only
  // cells and sources count.
  for (const auto& [e, nodes] : cells)
    for (NodeId n : nodes)
      if (n != kGround && terminals[n] == 1)
        r.problems.push_back(fmt::format("cell {} dangles at node {}", e->name, c.node_names[n]));
  if (counts[ElementKind::kMosfet] > 0) check_transistors(c, r);
  for (const auto& [kind, want] : expected_counts(tile)) {
    // A transient circuit's drivers are pwl sources standing for the tile's
    // voltage sources.
    // Dynamic cells stand for the tile's cells.
    const std::size_t have = counts[kind] +
                             (kind == ElementKind::kVoltageSource ? counts[ElementKind::kPwlSource] : 0) +
                             (kind == ElementKind::kCell ? counts[ElementKind::kDynamicCell] : 0);
    if (have != want)
      r.problems.push_back(fmt::format("{} {} in the circuit; the tile needs {}", have, kind_name(kind), want));
  }
  return r;
}

void require_sound_circuit(const Circuit& c, const TileSpec& tile, const char* what) {
  const CircuitCheckReport report = check_circuit_graph(c, tile);
  if (report.ok()) return;
  std::string msg = fmt::format("the generated {} fails its structural check:", what);
  for (const auto& p : report.problems) msg += "\n  " + p;
  throw std::logic_error(msg);
}

}  // namespace xbar
