#pragma once
// Circuit IR: nodes and elements, independent of any simulator's syntax.
// Built from a TileSpec by build_tile_circuit(); rendered to SPICE text only
// by write_spice_netlist(); checked by check_circuit_graph().
#include <algorithm>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <fmt/format.h>

#include "tile/tile_spec.hpp"

namespace xbar {

using NodeId = int;  // 0 is ground
constexpr NodeId kGround = 0;

enum class ElementKind : std::uint8_t {
  kResistor,       // value = ohm
  kCapacitor,      // value = F
  kVoltageSource,  // value = DC volts; nodes {plus, minus}
  kVcvs,           // nodes {out+, out-, ctrl+, ctrl-}, value = gain
  kCell,           // memory device, nodes {a, b}; value = conductance at 0 V
  kMosfet,         // nodes {drain, gate, source, bulk}; model name, w, l;
                   // `subckt`: an X instance of a (PDK) subcircuit
  kBatchSource,    // ideal voltage source whose value is picked per input
                   // vector by an index source (nodes {plus, minus, index})
  kPwlSource,      // ideal voltage source following a piecewise-linear
                   // waveform (transient); nodes {plus, minus}
  kSelector,       // the selector of a 1S1R cell, nodes {a, b}, law Circuit::selector
  kDynamicCell,    // memory device with a state (transient): an X instance of
                   // subcircuit `model`, nodes {a, b, state}, `params` on the
                   // instance; value = conductance at 0 V of its initial state
};

// An element's terminals (at most four), held in the element: a 256x256
// tile has ~200k elements, and a heap array for each cost about as much as
// the rest of building them.
class NodeList {
 public:
  static constexpr std::size_t kMax = 4;
  NodeList() = default;
  NodeList(std::initializer_list<NodeId> l) { assign(l); }
  void assign(std::initializer_list<NodeId> l) {
    if (l.size() > kMax) throw std::length_error("an element has at most 4 terminals");
    std::copy(l.begin(), l.end(), ids_);
    n_ = static_cast<std::uint8_t>(l.size());
  }
  void push_back(NodeId n) {
    if (n_ == kMax) throw std::length_error("an element has at most 4 terminals");
    ids_[n_++] = n;
  }
  std::size_t size() const { return n_; }
  bool empty() const { return n_ == 0; }
  NodeId& operator[](std::size_t k) { return ids_[k]; }
  NodeId operator[](std::size_t k) const { return ids_[k]; }
  NodeId* begin() { return ids_; }
  NodeId* end() { return ids_ + n_; }
  const NodeId* begin() const { return ids_; }
  const NodeId* end() const { return ids_ + n_; }

 private:
  NodeId ids_[kMax] = {};
  std::uint8_t n_ = 0;
};

// A std::vector held on the heap only when it has entries: 8 bytes in an
// element instead of 24, for the fields only a few kinds of element use.
template <class T>
class OptionalVector {
 public:
  OptionalVector() = default;
  OptionalVector(const OptionalVector& o) : v_(o.v_ ? std::make_unique<std::vector<T>>(*o.v_) : nullptr) {}
  OptionalVector(OptionalVector&&) noexcept = default;
  OptionalVector& operator=(const OptionalVector& o) { return *this = o.v_ ? *o.v_ : std::vector<T>(); }
  OptionalVector& operator=(OptionalVector&&) noexcept = default;
  OptionalVector& operator=(std::vector<T> v) {
    v_ = v.empty() ? nullptr : std::make_unique<std::vector<T>>(std::move(v));
    return *this;
  }
  OptionalVector& operator=(std::initializer_list<T> l) { return *this = std::vector<T>(l); }
  template <class It>
  void assign(It first, It last) {
    *this = std::vector<T>(first, last);
  }
  void reserve(std::size_t n) { held().reserve(n); }
  void push_back(T x) { held().push_back(std::move(x)); }
  template <class... A>
  T& emplace_back(A&&... a) {
    return held().emplace_back(std::forward<A>(a)...);
  }
  std::size_t size() const { return v_ ? v_->size() : 0; }
  bool empty() const { return size() == 0; }
  T& operator[](std::size_t k) { return (*v_)[k]; }
  const T& operator[](std::size_t k) const { return (*v_)[k]; }
  T* begin() { return v_ ? v_->data() : nullptr; }
  T* end() { return v_ ? v_->data() + v_->size() : nullptr; }
  const T* begin() const { return v_ ? v_->data() : nullptr; }
  const T* end() const { return v_ ? v_->data() + v_->size() : nullptr; }

 private:
  std::vector<T>& held() {
    if (!v_) v_ = std::make_unique<std::vector<T>>();
    return *v_;
  }
  std::unique_ptr<std::vector<T>> v_;
};

// A std::string held on the heap only when set: 8 bytes in an element
// instead of 32, for the model only transistors and dynamic cells name.
class OptionalString {
 public:
  OptionalString() = default;
  OptionalString(const OptionalString& o) : s_(o.s_ ? std::make_unique<std::string>(*o.s_) : nullptr) {}
  OptionalString(OptionalString&&) noexcept = default;
  OptionalString& operator=(const OptionalString& o) { return *this = o.str(); }
  OptionalString& operator=(OptionalString&&) noexcept = default;
  OptionalString& operator=(std::string s) {
    s_ = s.empty() ? nullptr : std::make_unique<std::string>(std::move(s));
    return *this;
  }
  const std::string& str() const {
    static const std::string none;
    return s_ ? *s_ : none;
  }
  operator const std::string&() const { return str(); }
  bool empty() const { return !s_; }

 private:
  std::unique_ptr<std::string> s_;
};

}  // namespace xbar

// An OptionalString formats as its string.
template <>
struct fmt::formatter<xbar::OptionalString> : fmt::formatter<std::string_view> {
  template <class Context>
  auto format(const xbar::OptionalString& s, Context& ctx) const {
    return fmt::formatter<std::string_view>::format(s.str(), ctx);
  }
};

namespace xbar {

// A 256x256 tile has ~200k elements: what every element has comes first and
// the fields of a few kinds take little room, so the element array (read by
// the check, the writer and the engines) stays small.
struct Element {
  ElementKind kind;
  bool subckt = false;  // kMosfet: the model is a .subckt
  NodeList nodes;
  double value = 0.0;
  std::string name;  // unique, SPICE-safe (made by the builder)
  // (The fields above, all the check and the writer read of most elements,
  // fill one 64-byte cache line; the element is two.)
  // Where the element belongs in the tile, for reports: row/col or -1.
  int row = -1, col = -1;
  OptionalString model;                                   // kMosfet, kDynamicCell: model name
  double w = 0, l = 0;                                    // kMosfet
  OptionalVector<double> batch_values;                    // kBatchSource: one value per vector
  OptionalVector<double> pwl_time, pwl_value;             // kPwlSource: s, V (times increasing)
  OptionalVector<std::pair<std::string, double>> params;  // kDynamicCell, kMosfet: instance parameters
};

// Which role each tile node plays, so results can be mapped back.
struct TileNodeMap {
  int rows = 0, phys_cols = 0;
  std::vector<NodeId> wl;                  // rows x phys_cols: WL(i,j)
  std::vector<NodeId> bl;                  // rows x phys_cols: BL(i,j) (the cell's bit-line side)
  std::vector<NodeId> cell_mid;            // two-part cells (1T1R/2T2R, 1S1R): rows x phys_cols junction
                                           // below the device (kGround where the cell is absent); else empty
  std::vector<NodeId> gate;                // 1T1R/2T2R: rows x phys_cols gate-line node G(i,j); else empty
  std::vector<std::string> gate_source;    // 1T1R/2T2R: rows, the gate-line source of row i
  std::vector<NodeId> sense;               // phys_cols: S_j
  std::vector<NodeId> tia_out;             // phys_cols (tia only)
  std::vector<std::string> driver_source;  // rows: name of the source V_i
  std::vector<std::string> sense_source;   // phys_cols (virtual ground only)
  std::string index_source;                // batch index source, empty for one vector
  NodeId wl_at(int i, int j) const { return wl[static_cast<std::size_t>(i) * phys_cols + j]; }
  NodeId bl_at(int i, int j) const { return bl[static_cast<std::size_t>(i) * phys_cols + j]; }
  NodeId mid_at(int i, int j) const { return cell_mid[static_cast<std::size_t>(i) * phys_cols + j]; }
};

struct Circuit {
  std::string title;
  std::vector<std::string> node_names;  // index = NodeId; [0] = "0"
  std::vector<Element> elements;
  CellModel cell_model;
  TransistorSpec transistor;  // for 1T1R/2T2R
  SelectorSpec selector;      // for 1S1R
  // Model files the netlist includes (absolute paths): the transistor card
  // from models/ or the user's files.  Checked and quoted by the writer.
  std::vector<std::string> includes;
  std::vector<std::pair<std::string, std::string>> options;  // .options k=v ("" value: flag)
  TileNodeMap map;
  int vectors = 1;
  // Transient: the only vectors ngspice keeps (`.save`): node names and
  // "source#branch" names.  Empty: ngspice keeps everything.
  std::vector<std::string> saves;

  NodeId add_node(std::string name);
  std::size_t count(ElementKind kind) const;
};

// TileSpec -> circuit.  A resistance of 0 merges its two nodes.  For more than
// one input vector the drivers become batch sources stepped by one index
// source, so one circuit load and one analysis serve every vector.
Circuit build_tile_circuit(const TileSpec& tile);

// The analysis command that solves every vector of `c` ("op", or a dc sweep of
// the index source).
std::string analysis_command(const Circuit& c);

// SPICE text, one line per entry: title first, `.end` last, no control lines.
std::vector<std::string> write_spice_netlist(const Circuit& c);

// A circuit and the analysis command (without the dot) that solves it.
struct JobCircuit {
  Circuit circuit;
  std::string command;
};

// The netlist as a plain `ngspice -b FILE` runs it: write_spice_netlist() plus
// the analysis card, `.save` of the vectors xbar reads (when the circuit does
// not list its own) and `.print` of the column outputs (of every saved vector
// for a transient).
std::vector<std::string> write_standalone_netlist(const JobCircuit& job);

// Graph checks before any simulation (Boost.Graph): every node has a DC path
// to ground or a source, no dangling cell, element counts match the tile.
// A problem here is a generator bug, so the caller treats it as internal.
struct CircuitCheckReport {
  std::size_t nodes = 0, elements = 0;
  std::vector<std::string> problems;
  bool ok() const { return problems.empty(); }
};
CircuitCheckReport check_circuit_graph(const Circuit& c, const TileSpec& tile);

// check_circuit_graph, throwing std::logic_error (a generator bug: internal
// error) that lists the problems; `what` names the circuit in the message.
void require_sound_circuit(const Circuit& c, const TileSpec& tile, const char* what);

}  // namespace xbar
