// TileSpec -> circuit IR (SPEC section 1).  Zero resistances merge nodes with
// a union-find, so no 0-ohm element ever reaches a simulator.
#include "netlist_gen/circuit.hpp"

#include <numeric>
#include <stdexcept>

#include <fmt/format.h>

namespace xbar {

NodeId Circuit::add_node(const std::string& name) {
  if (node_names.empty()) node_names.push_back("0");
  node_names.push_back(name);
  return static_cast<NodeId>(node_names.size() - 1);
}

std::size_t Circuit::count(ElementKind kind) const {
  std::size_t n = 0;
  for (const auto& e : elements) n += e.kind == kind;
  return n;
}

namespace {

// Logical tile nodes before merging.  Each gets a provisional id; merges join
// them; finish() gives every set one circuit node named after its first member.
class NodeMerger {
 public:
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
    for (std::size_t k = 0; k < parent_.size(); ++k) {
      const int root = find(static_cast<int>(k));
      if (id[root] < 0) id[root] = c.add_node(names_[root]);
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

// Elements refer to provisional node keys until the nodes are final.
struct PendingElement {
  Element e;
  std::vector<int> keys;
};

class TileCircuitBuilder {
 public:
  explicit TileCircuitBuilder(const TileSpec& t) : t_(t), R_(t.rows), PC_(t.phys_cols()) {}

  Circuit build() {
    c_.title = fmt::format("xbar {} {}x{} {}", t_.name, t_.rows, t_.cols, to_string(t_.cell));
    c_.cell_model = t_.model;
    c_.transistor = t_.transistor;
    c_.vectors = t_.vectors();
    if (has_transistors()) c_.includes = t_.transistor.model_files;
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
  bool has_transistors() const { return t_.cell != CellKind::k1R; }

  void make_nodes() {
    if (c_.vectors > 1) idx_ = nodes_.make("idx");
    for (int i = 0; i < R_; ++i) in_.push_back(nodes_.make(fmt::format("in{}", i)));
    wl_.resize(static_cast<std::size_t>(R_) * PC_);
    bl_.resize(static_cast<std::size_t>(R_) * PC_);
    for (int i = 0; i < R_; ++i)
      for (int j = 0; j < PC_; ++j) wl_[static_cast<std::size_t>(i) * PC_ + j] = nodes_.make(fmt::format("wl{}_{}", i, j));
    for (int i = 0; i < R_; ++i)
      for (int j = 0; j < PC_; ++j) bl_[static_cast<std::size_t>(i) * PC_ + j] = nodes_.make(fmt::format("bl{}_{}", i, j));
    if (has_transistors()) {
      // 1T1R/2T2R: the device-transistor junction of every present cell and
      // the gate-line nodes G(i,j).
      mid_.assign(static_cast<std::size_t>(R_) * PC_, kGroundKey);
      gate_.resize(static_cast<std::size_t>(R_) * PC_);
      for (int i = 0; i < R_; ++i)
        for (int j = 0; j < PC_; ++j) {
          if (t_.g_at(i, j) > 0.0) mid_[at(i, j)] = nodes_.make(fmt::format("m{}_{}", i, j));
          gate_[at(i, j)] = nodes_.make(fmt::format("g{}_{}", i, j));
        }
    }
    for (int j = 0; j < PC_; ++j) s_.push_back(nodes_.make(fmt::format("s{}", j)));
    if (t_.sense == SenseKind::kTia)
      for (int j = 0; j < PC_; ++j) o_.push_back(nodes_.make(fmt::format("o{}", j)));
  }

  void add(ElementKind kind, std::string name, std::vector<int> keys, double value, int row = -1, int col = -1) {
    PendingElement p;
    p.e.kind = kind;
    p.e.name = std::move(name);
    p.e.value = value;
    p.e.row = row;
    p.e.col = col;
    p.keys = std::move(keys);
    pending_.push_back(std::move(p));
  }

  // A series resistance: an element when positive, a merge when zero.
  void series(const std::string& name, int a, int b, double ohm, int row, int col) {
    if (ohm == 0.0)
      nodes_.merge(a, b);
    else
      add(ElementKind::kResistor, name, {a, b}, ohm, row, col);
  }

  void add_drivers() {
    if (c_.vectors > 1) {
      add(ElementKind::kVoltageSource, "vidx", {idx_, kGroundKey}, 0.0);
      c_.map.index_source = "vidx";
    }
    for (int i = 0; i < R_; ++i) {
      if (c_.vectors > 1) {
        add(ElementKind::kBatchSource, fmt::format("bd{}", i), {in_[i], kGroundKey, idx_}, 0.0, i);
        for (const auto& vec : t_.inputs) pending_.back().e.batch_values.push_back(vec[i]);
        c_.map.driver_source.push_back(fmt::format("bd{}", i));
      } else {
        add(ElementKind::kVoltageSource, fmt::format("vd{}", i), {in_[i], kGroundKey}, t_.inputs[0][i], i);
        c_.map.driver_source.push_back(fmt::format("vd{}", i));
      }
      series(fmt::format("rd{}", i), in_[i], wl(i, 0), t_.r_driver, i, -1);
    }
  }

  void add_word_lines() {
    for (int i = 0; i < R_; ++i)
      for (int j = 1; j < PC_; ++j) series(fmt::format("rw{}_{}", i, j), wl(i, j - 1), wl(i, j), t_.r_wl, i, j);
  }

  // Gate line of row i: an ideal source at v_gate (0 V for a row that is off)
  // into G(i,0), then r_gl per segment, like a word line without a driver
  // resistance.  Gates draw no DC current, so the far end stays open.
  void add_gate_lines() {
    if (!has_transistors()) return;
    for (int i = 0; i < R_; ++i) {
      const double v = t_.transistor.row_is_on(i) ? t_.transistor.v_gate : 0.0;
      add(ElementKind::kVoltageSource, fmt::format("vg{}", i), {gate_[at(i, 0)], kGroundKey}, v, i);
      c_.map.gate_source.push_back(fmt::format("vg{}", i));
      for (int j = 1; j < PC_; ++j) series(fmt::format("rg{}_{}", i, j), gate_[at(i, j - 1)], gate_[at(i, j)], t_.r_gl, i, j);
    }
  }

  // 1R: the device between WL(i,j) and BL(i,j).  1T1R/2T2R: WL(i,j) - device -
  // M(i,j) - NMOS (drain M, gate G(i,j), source BL(i,j), bulk at ground).
  void add_cells() {
    for (int i = 0; i < R_; ++i)
      for (int j = 0; j < PC_; ++j) {
        const double g = t_.g_at(i, j);
        if (g <= 0.0) continue;  // absent cell: no device, no transistor
        if (!has_transistors()) {
          add(ElementKind::kCell, fmt::format("c{}_{}", i, j), {wl(i, j), bl(i, j)}, g, i, j);
          continue;
        }
        add(ElementKind::kCell, fmt::format("c{}_{}", i, j), {wl(i, j), mid_[at(i, j)]}, g, i, j);
        const TransistorSpec& ts = t_.transistor;
        add(ElementKind::kMosfet, fmt::format("{}t{}_{}", ts.subckt ? "x" : "m", i, j),
            {mid_[at(i, j)], gate_[at(i, j)], bl(i, j), kGroundKey}, 0.0, i, j);
        Element& m = pending_.back().e;
        m.model = ts.model;
        m.w = ts.w;
        m.l = ts.l;
        m.subckt = ts.subckt;
      }
  }

  void add_bit_lines() {
    for (int j = 0; j < PC_; ++j)
      for (int i = 1; i < R_; ++i) series(fmt::format("rb{}_{}", i, j), bl(i - 1, j), bl(i, j), t_.r_bl, i, j);
  }

  void add_sensing() {
    for (int j = 0; j < PC_; ++j) {
      series(fmt::format("rs{}", j), bl(R_ - 1, j), s_[j], t_.r_sense, -1, j);
      if (t_.sense == SenseKind::kVirtualGround) {
        add(ElementKind::kVoltageSource, fmt::format("vs{}", j), {s_[j], kGroundKey}, 0.0, -1, j);
        c_.map.sense_source.push_back(fmt::format("vs{}", j));
      } else {
        // Inverting amplifier: V(o) = gain * (0 - V(s)), feedback r_f from s to o.
        add(ElementKind::kVcvs, fmt::format("ea{}", j), {o_[j], kGroundKey, kGroundKey, s_[j]}, t_.tia_gain, -1, j);
        add(ElementKind::kResistor, fmt::format("rf{}", j), {s_[j], o_[j]}, t_.tia_r_f, -1, j);
      }
    }
  }

  void finish() {
    const std::vector<NodeId> id = nodes_.finish(c_);
    auto resolve = [&](int key) { return key == kGroundKey ? kGround : id[key]; };
    c_.elements.reserve(pending_.size());
    for (auto& p : pending_) {
      for (int k : p.keys) p.e.nodes.push_back(resolve(k));
      // A cell name carries its law's letter: r for a linear resistor, b for a
      // behavioural current source.
      if (p.e.kind == ElementKind::kCell) p.e.name.insert(0, t_.model.law == CellLaw::kLinear ? "r" : "b");
      c_.elements.push_back(std::move(p.e));
    }
    auto& m = c_.map;
    m.rows = R_;
    m.phys_cols = PC_;
    for (int k : wl_) m.wl.push_back(resolve(k));
    for (int k : bl_) m.bl.push_back(resolve(k));
    for (int k : s_) m.sense.push_back(resolve(k));
    for (int k : o_) m.tia_out.push_back(resolve(k));
    for (int k : mid_) m.cell_mid.push_back(resolve(k));
    for (int k : gate_) m.gate.push_back(resolve(k));
  }

  void add_options() {
    // KLU is not ngspice 46's default and is 10-100x faster on these arrays.
    // Tight tolerances so nonlinear cells converge far below the error being
    // measured (the defaults stop Newton at 1e-3 relative).
    c_.options = {{"klu", ""}, {"reltol", "1e-9"}, {"vntol", "1e-12"}, {"abstol", "1e-18"}};
    for (const auto& [k, v] : t_.spice_options) {
      bool replaced = false;
      for (auto& o : c_.options)
        if (o.first == k) o.second = v, replaced = true;
      if (!replaced) c_.options.emplace_back(k, v);
    }
  }

  const TileSpec& t_;
  const int R_, PC_;
  Circuit c_;
  NodeMerger nodes_;
  std::vector<PendingElement> pending_;
  int idx_ = -1;
  std::vector<int> in_, wl_, bl_, s_, o_, mid_, gate_;
};

}  // namespace

Circuit build_tile_circuit(const TileSpec& tile) {
  if (tile.rows < 1 || tile.cols < 1) throw std::invalid_argument("tile has no rows or columns");
  if (tile.inputs.empty()) throw std::invalid_argument("tile has no input vectors");
  return TileCircuitBuilder(tile).build();
}

std::string analysis_command(const Circuit& c) {
  if (c.vectors <= 1) return "op";
  return fmt::format("dc {} 0 {} 1", c.map.index_source, c.vectors - 1);
}

}  // namespace xbar
