// TileSpec -> circuit IR (docs/circuit.md).  Zero resistances merge nodes with
// a union-find, so no 0-ohm element ever reaches a simulator.
#include "netlist_gen/circuit.hpp"

#include <algorithm>
#include <charconv>
#include <numeric>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

namespace xbar {

NodeId Circuit::add_node(std::string name) {
  if (node_names.empty()) node_names.push_back("0");
  node_names.push_back(std::move(name));
  return static_cast<NodeId>(node_names.size() - 1);
}

std::size_t Circuit::count(ElementKind kind) const {
  std::size_t n = 0;
  for (const auto& e : elements) n += e.kind == kind;
  return n;
}

namespace {

// "wl3_7": a prefix and one or two indices.  A 256x256 tile names ~330k nodes
// and elements, so this skips fmt's format-string parsing per name.
std::string indexed_name(std::string_view prefix, int i, int j = -1) {
  char buf[64];  // the prefixes are this file's short literals
  if (prefix.size() > 32) throw std::logic_error("indexed_name: prefix too long");
  char* end = std::copy(prefix.begin(), prefix.end(), buf);
  end = std::to_chars(end, buf + sizeof buf, i).ptr;
  if (j >= 0) {
    *end++ = '_';
    end = std::to_chars(end, buf + sizeof buf, j).ptr;
  }
  return std::string(buf, end);  // made once, at its size
}

// Logical tile nodes before merging.  Each gets a provisional id; merges join
// them; finish() gives every set one circuit node named after its first member.
class NodeMerger {
 public:
  void reserve(std::size_t n) {
    names_.reserve(n);
    parent_.reserve(n);
  }
  int make(std::string name) {
    names_.push_back(std::move(name));
    parent_.push_back(static_cast<int>(parent_.size()));
    return static_cast<int>(parent_.size()) - 1;
  }
  void merge(int a, int b) {
    a = find(a), b = find(b);
    if (a == b) return;
    if (b < a) std::swap(a, b);
    parent_[b] = a;  // the earlier node names the set
  }
  // Creates the circuit nodes; returns provisional id -> NodeId.
  std::vector<NodeId> finish(Circuit& c) {
    std::vector<NodeId> id(parent_.size(), -1);
    c.node_names.reserve(parent_.size() + 1);
    for (std::size_t k = 0; k < parent_.size(); ++k) {
      const int root = find(static_cast<int>(k));
      // A root comes first in its set (merge keeps the smaller id), so its
      // name is still there to move.
      if (id[root] < 0) id[root] = c.add_node(std::move(names_[root]));
      id[k] = id[root];
    }
    return id;
  }

 private:
  int find(int a) {
    while (parent_[a] != a) a = parent_[a] = parent_[parent_[a]];
    return a;
  }
  std::vector<int> parent_;
  std::vector<std::string> names_;
};

constexpr int kGroundKey = -1;

class TileCircuitBuilder {
 public:
  explicit TileCircuitBuilder(const TileSpec& t)
      : t_(t), R_(t.rows), PC_(t.phys_cols()), parts_(t.cell_parts()), inner_(parts_.size() > 1) {}

  Circuit build() {
    c_.title = fmt::format("xbar {} {}x{} {}", t_.name, t_.rows, t_.cols, to_string(t_.cell));
    c_.cell_model = t_.model;
    c_.transistor = t_.transistor;
    c_.selector = t_.selector;
    c_.vectors = t_.vectors();
    if (has_transistors()) c_.includes = t_.transistor.model_files;
    c_.elements.reserve(element_bound());
    make_nodes();
    add_drivers();
    add_word_lines();
    add_gate_lines();
    add_cells();
    add_bit_lines();
    add_sensing();
    finish();
    add_options();
    return std::move(c_);
  }

 private:
  int wl(int i, int j) const { return wl_[static_cast<std::size_t>(i) * PC_ + j]; }
  int bl(int i, int j) const { return bl_[static_cast<std::size_t>(i) * PC_ + j]; }
  std::size_t at(int i, int j) const { return static_cast<std::size_t>(i) * PC_ + j; }
  bool has_transistors() const { return t_.access_transistors(); }

  // At least as many elements as the tile gets (zero resistances place fewer),
  // so the element array never moves while it grows.
  std::size_t element_bound() const {
    const std::size_t R = R_, PC = PC_, cells = R * PC;
    std::size_t n = 1 + 2 * R + 2 * cells + 2 * PC + cells;  // index, drivers, lines, sensing, cells
    n += cells * (parts_.size() - 1);                        // the parts beside the device
    if (has_transistors()) n += R + cells;                   // gate sources and lines
    return n;
  }

  void make_nodes() {
    const std::size_t cells = static_cast<std::size_t>(R_) * PC_;
    nodes_.reserve(1 + R_ + (2 + inner_ + has_transistors()) * cells + 2 * PC_);
    if (c_.vectors > 1) idx_ = nodes_.make("idx");
    for (int i = 0; i < R_; ++i) in_.push_back(nodes_.make(indexed_name("in", i)));
    wl_.resize(cells);
    bl_.resize(cells);
    for (int i = 0; i < R_; ++i)
      for (int j = 0; j < PC_; ++j) wl_[at(i, j)] = nodes_.make(indexed_name("wl", i, j));
    for (int i = 0; i < R_; ++i)
      for (int j = 0; j < PC_; ++j) bl_[at(i, j)] = nodes_.make(indexed_name("bl", i, j));
    if (inner_ || has_transistors()) {
      // The junction M(i,j) below the device of every present cell (two
      // parts in series), and the gate-line nodes G(i,j) of a kind with
      // access transistors.
      if (inner_) mid_.assign(static_cast<std::size_t>(R_) * PC_, kGroundKey);
      if (has_transistors()) gate_.resize(static_cast<std::size_t>(R_) * PC_);
      for (int i = 0; i < R_; ++i)
        for (int j = 0; j < PC_; ++j) {
          if (inner_ && t_.g_at(i, j) > 0.0) mid_[at(i, j)] = nodes_.make(indexed_name("m", i, j));
          if (has_transistors()) gate_[at(i, j)] = nodes_.make(indexed_name("g", i, j));
        }
    }
    for (int j = 0; j < PC_; ++j) s_.push_back(nodes_.make(indexed_name("s", j)));
    if (t_.sense == SenseKind::kTia)
      for (int j = 0; j < PC_; ++j) o_.push_back(nodes_.make(indexed_name("o", j)));
  }

  // Placed straight into the circuit; `nodes` holds provisional node keys
  // until finish() resolves them.
  Element& add(ElementKind kind, std::string name, std::initializer_list<int> keys, double value, int row = -1,
               int col = -1) {
    Element& e = c_.elements.emplace_back();
    e.kind = kind;
    e.name = std::move(name);
    e.nodes.assign(keys);
    e.value = value;
    e.row = row;
    e.col = col;
    return e;
  }

  // A series resistance: an element when positive, a merge when zero.  The
  // name is only made when the element is.
  void series(std::string_view prefix, int i, int j, int a, int b, double ohm, int row, int col) {
    if (ohm == 0.0)
      nodes_.merge(a, b);
    else
      add(ElementKind::kResistor, indexed_name(prefix, i, j), {a, b}, ohm, row, col);
  }

  void add_drivers() {
    if (c_.vectors > 1) {
      add(ElementKind::kVoltageSource, "vidx", {idx_, kGroundKey}, 0.0);
      c_.map.index_source = "vidx";
    }
    for (int i = 0; i < R_; ++i) {
      if (c_.vectors > 1) {
        Element& e = add(ElementKind::kBatchSource, indexed_name("bd", i), {in_[i], kGroundKey, idx_}, 0.0, i);
        e.batch_values.reserve(t_.inputs.size());
        for (const auto& vec : t_.inputs) e.batch_values.push_back(vec[i]);
        c_.map.driver_source.push_back(e.name);
      } else {
        Element& e = add(ElementKind::kVoltageSource, indexed_name("vd", i), {in_[i], kGroundKey}, t_.inputs[0][i], i);
        c_.map.driver_source.push_back(e.name);
      }
      series("rd", i, -1, in_[i], wl(i, 0), t_.r_driver, i, -1);
    }
  }

  void add_word_lines() {
    for (int i = 0; i < R_; ++i)
      for (int j = 1; j < PC_; ++j) series("rw", i, j, wl(i, j - 1), wl(i, j), t_.r_wl_at(i, j), i, j);
  }

  // Gate line of row i: an ideal source at v_gate (0 V for a row that is off)
  // into G(i,0), then r_gl per segment, like a word line without a driver
  // resistance.  Gates draw no DC current, so the far end stays open.
  void add_gate_lines() {
    if (!has_transistors()) return;
    for (int i = 0; i < R_; ++i) {
      const double v = t_.transistor.row_is_on(i) ? t_.transistor.v_gate : 0.0;
      c_.map.gate_source.push_back(
          add(ElementKind::kVoltageSource, indexed_name("vg", i), {gate_[at(i, 0)], kGroundKey}, v, i).name);
      for (int j = 1; j < PC_; ++j) series("rg", i, j, gate_[at(i, j - 1)], gate_[at(i, j)], t_.r_gl_at(i, j), i, j);
    }
  }

  // Each present cell is its kind's parts in series from WL(i,j) to BL(i,j)
  // (tile/cells/): 1R and the ideal switch the device alone, so SPICE solves
  // exactly the nodal engine's circuit; two parts meet at the junction
  // M(i,j): WL - device - M - NMOS (drain M, gate G(i,j), source BL, bulk at
  // ground) for 1T1R/2T2R, WL - device - M - selector - BL for 1S1R.
  void add_cells() {
    for (int i = 0; i < R_; ++i)
      for (int j = 0; j < PC_; ++j) {
        const double g = t_.g_at(i, j);
        if (g <= 0.0) continue;  // absent cell: no device, no other part
        const int top = wl(i, j), bottom = bl(i, j);
        const int mid = inner_ ? mid_[at(i, j)] : bottom;
        for (std::size_t k = 0; k < parts_.size(); ++k)
          add_part(parts_[k], i, j, k == 0 ? top : mid, k + 1 == parts_.size() ? bottom : mid, g);
      }
  }

  void add_part(CellPart part, int i, int j, int a, int b, double g) {
    switch (part) {
      case CellPart::kDevice: {
        // A cell name carries its element's letter: r for a linear law's
        // resistor, b for the behavioural current source of any other.
        const std::string_view prefix = t_.model.linear() ? "rc" : "bc";
        add(ElementKind::kCell, indexed_name(prefix, i, j), {a, b}, g, i, j);
        return;
      }
      case CellPart::kAccessTransistor: {
        const TransistorSpec& ts = t_.transistor;
        Element& m = add(ElementKind::kMosfet, indexed_name(ts.subckt ? "xt" : "mt", i, j),
                         {a, gate_[at(i, j)], b, kGroundKey}, 0.0, i, j);
        m.model = ts.model;
        m.w = ts.w;
        m.l = ts.l;
        m.subckt = ts.subckt;
        if (!t_.delta_vth.empty()) {
          const std::size_t k = static_cast<std::size_t>(i) * PC_ + j;
          m.params = {{"delvto", t_.delta_vth[k]}, {"mulu0", t_.beta_factor[k]}};
        }
        return;
      }
      case CellPart::kSelector: {
        const std::string_view prefix = t_.selector.law.linear() ? "rs" : "bs";
        add(ElementKind::kSelector, indexed_name(prefix, i, j), {a, b}, t_.selector.g, i, j);
        return;
      }
    }
  }

  void add_bit_lines() {
    for (int j = 0; j < PC_; ++j)
      for (int i = 1; i < R_; ++i) series("rb", i, j, bl(i - 1, j), bl(i, j), t_.r_bl_at(i, j), i, j);
  }

  void add_sensing() {
    for (int j = 0; j < PC_; ++j) {
      series("rs", j, -1, bl(R_ - 1, j), s_[j], t_.r_sense, -1, j);
      if (t_.sense == SenseKind::kVirtualGround) {
        c_.map.sense_source.push_back(
            add(ElementKind::kVoltageSource, indexed_name("vs", j), {s_[j], kGroundKey}, 0.0, -1, j).name);
      } else {
        // Inverting amplifier: V(o) = gain * (0 - V(s)), feedback r_f from s to o.
        add(ElementKind::kVcvs, indexed_name("ea", j), {o_[j], kGroundKey, kGroundKey, s_[j]}, t_.tia_gain, -1, j);
        add(ElementKind::kResistor, indexed_name("rf", j), {s_[j], o_[j]}, t_.tia_r_f, -1, j);
      }
    }
  }

  void finish() {
    const std::vector<NodeId> id = nodes_.finish(c_);
    auto resolve = [&](int key) { return key == kGroundKey ? kGround : id[key]; };
    for (auto& e : c_.elements)
      for (NodeId& n : e.nodes) n = resolve(n);
    auto resolve_all = [&](const std::vector<int>& keys, std::vector<NodeId>& out) {
      out.reserve(keys.size());
      for (int k : keys) out.push_back(resolve(k));
    };
    auto& m = c_.map;
    m.rows = R_;
    m.phys_cols = PC_;
    resolve_all(wl_, m.wl);
    resolve_all(bl_, m.bl);
    resolve_all(s_, m.sense);
    resolve_all(o_, m.tia_out);
    resolve_all(mid_, m.cell_mid);
    resolve_all(gate_, m.gate);
  }

  void add_options() {
    // KLU is not ngspice 46's default and is 10-100x faster on these arrays.
    // Tight tolerances so nonlinear cells converge far below the error being
    // measured (the defaults stop Newton at 1e-3 relative).
    c_.options = {{"klu", ""}, {"reltol", "1e-9"}, {"vntol", "1e-12"}, {"abstol", "1e-18"}};
    // The transistors' temperature (27 C, ngspice's default, is left implicit
    // so the netlists of earlier versions stay the same).
    if (t_.temperature != 27.0) c_.options.emplace_back("temp", fmt::format("{:.17g}", t_.temperature));
    for (const auto& [k, v] : t_.spice_options) {
      bool replaced = false;
      for (auto& o : c_.options)
        if (o.first == k) o.second = v, replaced = true;
      if (!replaced) c_.options.emplace_back(k, v);
    }
  }

  const TileSpec& t_;
  const int R_, PC_;
  const std::vector<CellPart> parts_;  // per cell, WL side first
  const bool inner_;                   // a junction node per cell
  Circuit c_;
  NodeMerger nodes_;
  int idx_ = -1;
  std::vector<int> in_, wl_, bl_, s_, o_, mid_, gate_;
};

}  // namespace

Circuit build_tile_circuit(const TileSpec& tile) {
  if (tile.rows < 1 || tile.cols < 1) throw std::invalid_argument("tile has no rows or columns");
  if (tile.inputs.empty()) throw std::invalid_argument("tile has no input vectors");
  if (tile.transistor.ideal && !tile.transistor.row_on.empty())
    throw std::invalid_argument("an ideal access switch has every gate on: row_on must be empty");
  return TileCircuitBuilder(tile).build();
}

std::string analysis_command(const Circuit& c) {
  if (c.vectors <= 1) return "op";
  return fmt::format("dc {} 0 {} 1", c.map.index_source, c.vectors - 1);
}

}  // namespace xbar
