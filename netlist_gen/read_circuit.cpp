// Read-mode circuit: the op circuit of the tile, with the unselected lines'
// sources replaced by bias sources or removed.  Built as a transform so the
// wires, cells and sensing stay exactly those of op mode.
#include "netlist_gen/read_circuit.hpp"

#include <cmath>
#include <limits>
#include <set>
#include <stdexcept>

#include <fmt/format.h>
#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/connected_components.hpp>

namespace xbar {
namespace {

constexpr double kFloating = std::numeric_limits<double>::quiet_NaN();

std::size_t find_element(const Circuit& c, const std::string& name) {
  for (std::size_t k = 0; k < c.elements.size(); ++k)
    if (c.elements[k].name == name) return k;
  return c.elements.size();
}

// Drops the marked elements, then every node no element touches any more
// (except the tile's own WL/BL nodes, so a cut-off line is reported, not
// silently dropped), renumbering nodes and the node map.
void remove_elements(Circuit& c, const std::set<std::string>& names) {
  std::vector<Element> kept;
  for (auto& e : c.elements)
    if (!names.count(e.name)) kept.push_back(std::move(e));
  c.elements = std::move(kept);

  std::vector<bool> used(c.node_names.size(), false);
  used[kGround] = true;
  for (const auto& e : c.elements)
    for (NodeId n : e.nodes) used[n] = true;
  for (NodeId n : c.map.wl) used[n] = true;
  for (NodeId n : c.map.bl) used[n] = true;
  for (NodeId n : c.map.cell_mid) used[n] = true;

  std::vector<NodeId> remap(c.node_names.size(), -1);
  std::vector<std::string> names_out;
  for (std::size_t n = 0; n < c.node_names.size(); ++n)
    if (used[n]) {
      remap[n] = static_cast<NodeId>(names_out.size());
      names_out.push_back(c.node_names[n]);
    }
  c.node_names = std::move(names_out);
  for (auto& e : c.elements)
    for (NodeId& n : e.nodes) n = remap[n];
  for (auto* v : {&c.map.wl, &c.map.bl, &c.map.cell_mid, &c.map.sense, &c.map.tia_out})
    for (NodeId& n : *v) n = remap[n];
}

Element voltage_source(std::string name, NodeId plus, double volts, int col) {
  Element e;
  e.kind = ElementKind::kVoltageSource;
  e.name = std::move(name);
  e.nodes = {plus, kGround};
  e.value = volts;
  e.col = col;
  return e;
}

}  // namespace

const char* to_string(ReadBias b) {
  switch (b) {
    case ReadBias::kFloating: return "floating";
    case ReadBias::kGrounded: return "grounded";
    case ReadBias::kHalf: return "half";
    case ReadBias::kThird: return "third";
  }
  return "?";
}

double unselected_wl_voltage(const ReadSetup& s) {
  switch (s.bias) {
    case ReadBias::kFloating: return kFloating;
    case ReadBias::kGrounded: return 0.0;
    case ReadBias::kHalf: return s.v_read / 2;
    case ReadBias::kThird: return s.v_read / 3;
  }
  return kFloating;
}

double unselected_bl_voltage(const ReadSetup& s) {
  switch (s.bias) {
    case ReadBias::kFloating: return kFloating;
    case ReadBias::kGrounded: return 0.0;
    case ReadBias::kHalf: return s.v_read / 2;
    case ReadBias::kThird: return 2 * s.v_read / 3;
  }
  return kFloating;
}

std::vector<std::string> floating_nodes(const Circuit& c) {
  using Graph = boost::adjacency_list<boost::vecS, boost::vecS, boost::undirectedS>;
  Graph g(c.node_names.size());
  for (const auto& e : c.elements) {
    switch (e.kind) {
      case ElementKind::kCapacitor: break;
      case ElementKind::kMosfet: boost::add_edge(e.nodes[0], e.nodes[2], g); break;  // the channel
      default: boost::add_edge(e.nodes[0], e.nodes[1], g); break;                    // a VCVS: its output branch
    }
  }
  std::vector<int> component(c.node_names.size());
  boost::connected_components(g, component.data());
  std::vector<std::string> out;
  for (std::size_t n = 1; n < c.node_names.size(); ++n)
    if (component[n] != component[kGround]) out.push_back(c.node_names[n]);
  return out;
}

ReadLines read_lines(const TileSpec& tile, const ReadSetup& setup) {
  const int R = tile.rows, PC = tile.phys_cols();
  if (setup.row < 0 || setup.row >= R || setup.col < 0 || setup.col >= PC)
    throw std::invalid_argument(
        fmt::format("selected cell ({}, {}) is outside the {}x{} tile", setup.row, setup.col, R, PC));
  const bool floating = setup.bias == ReadBias::kFloating;
  ReadLines out;
  out.tile = tile;
  std::vector<double> drive(R, floating ? 0.0 : unselected_wl_voltage(setup));
  drive[setup.row] = setup.v_read;
  out.tile.inputs = {drive};
  // Only the selected row's access transistors conduct; the gate line of
  // every other row is at 0 V, which cuts its sneak paths.
  if (tile.access_transistors()) {
    out.tile.transistor.row_on.assign(R, false);
    out.tile.transistor.row_on[setup.row] = true;
  }
  out.lines.row_driven.assign(R, !floating);
  out.lines.row_driven[setup.row] = true;
  out.lines.sensed_col = setup.col;
  out.lines.col_held.assign(PC, !floating);
  out.lines.col_held[setup.col] = true;
  out.lines.v_held = floating ? 0.0 : unselected_bl_voltage(setup);
  return out;
}

ReadCircuit build_read_circuit(const TileSpec& tile, const ReadSetup& setup) {
  ReadLines lowered = read_lines(tile, setup);
  const int R = tile.rows, PC = tile.phys_cols();
  ReadCircuit rc;
  rc.setup = setup;
  rc.tile = std::move(lowered.tile);
  rc.lines = std::move(lowered.lines);
  const double v_bl = rc.lines.v_held;
  rc.circuit = build_tile_circuit(rc.tile);
  Circuit& c = rc.circuit;
  c.title = fmt::format("{} read ({}, {}) {}", c.title, setup.row, setup.col, to_string(setup.bias));

  rc.col_source = c.map.sense_source;
  if (rc.col_source.empty()) rc.col_source.assign(PC, "");
  std::set<std::string> remove;
  std::vector<Element> add;
  for (int i = 0; i < R; ++i) {
    if (rc.lines.row_driven[i]) continue;
    remove.insert(c.map.driver_source[i]);
    remove.insert(fmt::format("rd{}", i));
    c.map.driver_source[i].clear();
  }
  const bool tia = tile.sense == SenseKind::kTia;
  for (int j = 0; j < PC; ++j) {
    if (j == setup.col) continue;
    if (tia) {
      remove.insert(fmt::format("ea{}", j));
      remove.insert(fmt::format("rf{}", j));
    }
    if (!rc.lines.col_held[j]) {
      remove.insert(fmt::format("rs{}", j));
      if (!tia) remove.insert(rc.col_source[j]);
      rc.col_source[j].clear();
    } else if (tia) {
      rc.col_source[j] = fmt::format("vb{}", j);
      add.push_back(voltage_source(rc.col_source[j], c.map.sense[j], v_bl, j));
    } else {
      c.elements[find_element(c, rc.col_source[j])].value = v_bl;
    }
  }
  if (tia) rc.col_source[setup.col].clear();
  for (auto& e : add) c.elements.push_back(std::move(e));
  remove_elements(c, remove);
  if (tia)
    for (int j = 0; j < PC; ++j)
      if (j != setup.col) c.map.tia_out[j] = -1;
  if (!c.map.sense_source.empty()) c.map.sense_source = rc.col_source;

  const std::vector<std::string> cut_off = floating_nodes(c);
  if (!cut_off.empty()) {
    std::string names;
    for (std::size_t k = 0; k < cut_off.size() && k < 8; ++k) names += (k ? ", " : "") + cut_off[k];
    throw std::runtime_error(fmt::format(
        "with the unselected lines {}, {} node(s) have no DC path (e.g. {}): a floating line whose cells are all "
        "absent cannot be simulated; give it a cell, or bias the unselected lines",
        to_string(setup.bias), cut_off.size(), names));
  }
  return rc;
}

}  // namespace xbar
