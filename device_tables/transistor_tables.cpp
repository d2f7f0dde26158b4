#include "device_tables/transistor_tables.hpp"

#include <algorithm>
#include <chrono>
#include <climits>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <set>
#include <stdexcept>
#include <system_error>
#include <tuple>
#include <utility>

#include <fmt/format.h>

#include "common/atomic_file.hpp"
#include "common/diagnostics.hpp"
#include "netlist_gen/circuit.hpp"
#include "spice_bridge/simulator.hpp"

namespace xbar {
namespace {

constexpr char kMagic[8] = {'X', 'B', 'A', 'R', 'T', 'T', 'A', 'B'};
// The range is rounded out to this quantum (so similar inputs share a table)
// and widened by kMargin grid steps on each side, where the natural spline
// end conditions are; the tile's voltages never reach them.
constexpr double kRangeQuantum = 0.25;
constexpr int kMargin = 8;

std::uint64_t fnv1a(std::string_view s, std::uint64_t h) {
  for (unsigned char ch : s) h = (h ^ ch) * 1099511628211ull;
  return h;
}

// 128 bits of hash (two FNV-1a streams with different offsets), as hex.  The
// file also holds the whole key text, so a collision could not be trusted.
std::string hex_hash(std::string_view s) {
  return fmt::format("{:016x}{:016x}", fnv1a(s, 14695981039346656037ull), fnv1a(s, 0x84222325cbf29ce4ull));
}

// The grid: n points from lo on both the drain and the source axis.
struct Grid {
  double lo = 0, h = kTableStep;
  int n = 0;
  double hi() const { return lo + h * (n - 1); }
  std::size_t points() const { return static_cast<std::size_t>(n) * static_cast<std::size_t>(n); }
};

Grid table_grid(const TileSpec& tile) {
  double vmin = 0, vmax = 0;
  for (const auto& v : tile.inputs)
    for (double x : v) vmin = std::min(vmin, x), vmax = std::max(vmax, x);
  Grid g;
  const double lo = std::floor(vmin / kRangeQuantum) * kRangeQuantum - kMargin * g.h;
  const double hi = std::ceil(vmax / kRangeQuantum) * kRangeQuantum + kMargin * g.h;
  g.lo = lo;
  g.n = static_cast<int>(std::llround((hi - lo) / g.h)) + 1;
  return g;
}

// A characterised transistor: nominal, or a mismatch node.
struct Node {
  bool mismatch = false;
  int k_vt = 0, k_mu = 0;
  bool operator<(const Node& o) const { return std::tie(mismatch, k_vt, k_mu) < std::tie(o.mismatch, o.k_vt, o.k_mu); }
};

// The characterisation circuit: the tile's transistor instance alone (one
// node) or one instance per node, each behind its own 0 V sense source from
// the common drain, with ideal sources on drain, gate and source, bulk at
// ground, and the tile's own simulator options (temperature among them).
// The instances share nothing but ideal-source nodes, so each sees exactly
// what it would alone; the cache key of a node is its one-instance circuit.
Circuit sweep_circuit(const TileSpec& tile, double v_gate, const std::vector<Node>& nodes) {
  TileSpec one = tile;  // a 1x1 copy: its circuit carries exactly the tile's options
  one.rows = 1;
  one.cols = 1;
  one.g.assign(static_cast<std::size_t>(one.phys_cols()), 1e-6);
  one.g_intended = one.g;
  one.inputs = {{0.0}};
  one.transistor.row_on.clear();
  one.delta_vth.clear();
  one.beta_factor.clear();
  Circuit c;
  c.title = "xbar transistor characterisation";
  c.node_names = {"0"};
  const NodeId d = c.add_node("d"), g = c.add_node("g"), s = c.add_node("s");
  auto source = [&](std::string name, NodeId p, NodeId n, double v) {
    Element& e = c.elements.emplace_back();
    e.kind = ElementKind::kVoltageSource;
    e.name = std::move(name);
    e.nodes = {p, n};
    e.value = v;
  };
  source("vd", d, kGround, 0.0);
  source("vg", g, kGround, v_gate);
  source("vs", s, kGround, 0.0);
  const TransistorSpec& ts = tile.transistor;
  const bool single = nodes.size() == 1;
  c.saves = {"d", "s"};
  for (std::size_t k = 0; k < nodes.size(); ++k) {
    NodeId drain = d;
    if (!single) {
      drain = c.add_node(fmt::format("d{}", k));
      source(fmt::format("vi{}", k), drain, d, 0.0);
    }
    c.saves.push_back(single ? "vd#branch" : fmt::format("vi{}#branch", k));
    const std::string name = ts.subckt ? "xt" : "mt";
    Element& m = c.elements.emplace_back();
    m.kind = ElementKind::kMosfet;
    m.name = single ? name : fmt::format("{}{}", name, k);
    m.nodes = {drain, g, s, kGround};
    m.model = ts.model;
    m.w = ts.w;
    m.l = ts.l;
    m.subckt = ts.subckt;
    if (nodes[k].mismatch)
      m.params = {{"delvto", nodes[k].k_vt * kMismatchVtStep}, {"mulu0", 1.0 + nodes[k].k_mu * kMismatchMuStep}};
  }
  c.transistor = ts;
  c.includes = ts.model_files;
  c.options = build_tile_circuit(one).options;
  // ngspice 46 reads /proc/meminfo at every point of a sweep unless told not
  // to (half of a characterisation's time); the values are the same.
  c.options.emplace_back("no_mem_check", "");
  return c;
}

void put(std::string& out, const void* p, std::size_t n) { out.append(static_cast<const char*>(p), n); }

std::string encode(const std::string& key, const Grid& g, const std::vector<double>& values) {
  std::string out;
  put(out, kMagic, sizeof kMagic);
  const std::uint32_t version = kTableFormatVersion, n = static_cast<std::uint32_t>(g.n);
  const std::uint64_t key_len = key.size();
  put(out, &version, sizeof version);
  put(out, &n, sizeof n);
  put(out, &g.lo, sizeof g.lo);
  put(out, &g.h, sizeof g.h);
  put(out, &key_len, sizeof key_len);
  out += key;
  put(out, values.data(), values.size() * sizeof(double));
  const std::uint64_t check = fnv1a(out, 14695981039346656037ull);
  put(out, &check, sizeof check);
  return out;
}

// The table in `bytes` if it is a whole, uncorrupted file of exactly this key
// and grid with finite values; otherwise nothing (a miss).
bool decode(const std::string& bytes, const std::string& key, const Grid& g, std::vector<double>& values) {
  const std::size_t cells = g.points();
  const std::size_t expect = sizeof kMagic + 4 + 4 + 8 + 8 + 8 + key.size() + cells * 8 + 8;
  if (bytes.size() != expect || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) return false;
  std::uint64_t check = 0;
  std::memcpy(&check, bytes.data() + bytes.size() - 8, 8);
  if (check != fnv1a(std::string_view(bytes).substr(0, bytes.size() - 8), 14695981039346656037ull)) return false;
  const char* p = bytes.data() + sizeof kMagic;
  std::uint32_t version = 0, n = 0;
  double lo = 0, h = 0;
  std::uint64_t key_len = 0;
  std::memcpy(&version, p, 4), p += 4;
  std::memcpy(&n, p, 4), p += 4;
  std::memcpy(&lo, p, 8), p += 8;
  std::memcpy(&h, p, 8), p += 8;
  std::memcpy(&key_len, p, 8), p += 8;
  if (version != kTableFormatVersion || n != static_cast<std::uint32_t>(g.n) || lo != g.lo || h != g.h ||
      key_len != key.size() || std::string_view(p, key.size()) != key)
    return false;
  p += key.size();
  values.resize(cells);
  std::memcpy(values.data(), p, cells * 8);
  return std::all_of(values.begin(), values.end(), [](double v) { return std::isfinite(v); });
}

// The sweep goes in two pieces along the source axis, each in its own
// ngspice run.  Always two, whatever the machine or the simulator, so the
// values (each piece starts from its own first point's solution) and the
// cache key are the same everywhere.
constexpr int kSweepPieces = 2;

// The source rows [first, last) of piece k.
std::pair<int, int> piece_rows(const Grid& g, int k) { return {g.n * k / kSweepPieces, g.n * (k + 1) / kSweepPieces}; }

// The .dc command of piece k: the drain (inner) over the whole axis, the
// source (outer) over the piece's rows.
std::string sweep_command(const Grid& g, int k) {
  const auto [first, last] = piece_rows(g, k);
  return fmt::format("dc vd {:.17g} {:.17g} {:.17g} vs {:.17g} {:.17g} {:.17g}", g.lo, g.hi(), g.h, g.lo + g.h * first,
                     g.lo + g.h * (last - 1), g.h);
}

// Piece k's drain currents (one vector per instance, in the order of the
// circuit's saves) into `out`'s rows of that piece.
void take_piece(const Circuit& c, const Grid& g, int k, const SimResult& r, std::vector<std::vector<double>>& out) {
  const auto [first, last] = piece_rows(g, k);
  const auto nd = static_cast<std::size_t>(g.n);
  const std::size_t cells = nd * static_cast<std::size_t>(last - first), offset = nd * static_cast<std::size_t>(first);
  auto vec = [&](const std::string& name) {
    const auto values = r.vectors.find(name);
    if (!values || values->size() != cells)
      throw SimulationError(
          fmt::format("transistor characterisation: ngspice returned no {}-point vector '{}'", cells, name), r.log);
    return *values;
  };
  const auto vd = vec("d");
  const auto vs = vec("s");
  for (std::size_t k = 0; k < cells; ++k) {
    // The grid must be the one asked for.
    const double want_d = g.lo + g.h * static_cast<double>(k % nd),
                 want_s = g.lo + g.h * static_cast<double>(first + k / nd);
    if (std::abs(vd[k] - want_d) > 1e-9 || std::abs(vs[k] - want_s) > 1e-9)
      throw SimulationError(
          fmt::format("transistor characterisation: sweep point {} at ({}, {}) V, expected ({}, {}) V", offset + k,
                      vd[k], vs[k], want_d, want_s),
          r.log);
  }
  for (std::size_t s = 2; s < c.saves.size(); ++s) {
    const auto& i = vec(c.saves[s]);
    std::vector<double>& id = out[s - 2];
    // A source's branch current flows into its + terminal, which is the drain's side.
    for (std::size_t k = 0; k < cells; ++k) id[offset + k] = -i[k];
  }
}

// The drain current of every instance of the circuit over the grid (inner
// sweep the drain, outer the source), in the order of its saves: the pieces
// one after the other in `sim` (a sweep worker's, which may start no
// process), else each in its own isolated child.  The children run one after
// the other: forking from two threads at once deadlocked a child on an
// allocator lock the other thread held at the fork (seen under ASan).
std::vector<std::vector<double>> run_sweep(const Circuit& c, const Grid& g, Simulator* sim) {
  const std::vector<std::string> netlist = write_spice_netlist(c);
  std::vector<std::vector<double>> out(c.saves.size() - 2, std::vector<double>(g.points()));
  std::unique_ptr<Simulator> own;
  if (!sim) sim = (own = make_isolated_simulator()).get();
  for (int k = 0; k < kSweepPieces; ++k) take_piece(c, g, k, sim->run(netlist, sweep_command(g, k)), out);
  return out;
}

std::mutex memo_mutex;
std::map<std::string, std::shared_ptr<const DrainCurrentTable>> memo;

}  // namespace

std::size_t TransistorTables::gate_index(double vg) const {
  for (std::size_t k = 0; k < v_gate.size(); ++k)
    if (v_gate[k] == vg) return k;
  throw std::out_of_range(fmt::format("no transistor table at gate voltage {} V", vg));
}

const DrainCurrentTable& TransistorTables::at_gate(double vg) const {
  const std::size_t k = gate_index(vg);
  if (k >= drain_current.size()) throw std::out_of_range("no nominal transistor table (the tile has mismatch)");
  return *drain_current[k];
}

const DrainCurrentTable& TransistorTables::at_node(int gate, int k_vt, int k_mu) const {
  const auto it = node.find({gate, k_vt, k_mu});
  if (it == node.end())
    throw std::out_of_range(fmt::format("no transistor table at delvto {} V, mulu0 {}", k_vt * kMismatchVtStep,
                                        1 + k_mu * kMismatchMuStep));
  return *it->second;
}

LagrangeStencil lagrange_stencil(double x, double h) {
  const double s = x / h;
  const int k = static_cast<int>(std::floor(s));
  const double t = s - k;  // in [0, 1): the nodes sit at t = -1, 0, 1, 2
  return {k,
          {-t * (t - 1) * (t - 2) / 6, (t + 1) * (t - 1) * (t - 2) / 2, -(t + 1) * t * (t - 2) / 2,
           (t + 1) * t * (t - 1) / 6}};
}

CellTransistors::CellTransistors(const TileSpec& tile, const TransistorTables& tables)
    : cols_(static_cast<std::size_t>(tile.phys_cols())) {
  const std::vector<double> gates = tile_gate_voltages(tile);
  if (tile.delta_vth.empty()) {
    for (double vg : gates) row_table_.push_back(&tables.at_gate(vg));
    return;
  }
  // Each gate's nodes as a dense (k_vt, k_mu) grid over their bounding box;
  // the corners no cell needs stay null.
  struct Box {
    int vt0 = INT_MAX, vt1 = INT_MIN, mu0 = INT_MAX, mu1 = INT_MIN;
  };
  std::vector<Box> box(tables.v_gate.size());
  for (const auto& [k, table] : tables.node) {
    Box& b = box[static_cast<std::size_t>(k[0])];
    b.vt0 = std::min(b.vt0, k[1]), b.vt1 = std::max(b.vt1, k[1]);
    b.mu0 = std::min(b.mu0, k[2]), b.mu1 = std::max(b.mu1, k[2]);
  }
  // Padded to every cell's whole stencil (nodes of weight 0 are not
  // characterised: for_each_weighted_node).
  grid_.resize(box.size());
  for (std::size_t gi = 0; gi < box.size(); ++gi) {
    Box& b = box[gi];
    if (b.vt0 > b.vt1) continue;  // a gate with no node: every cell on it fails the check below
    b = {b.vt0 - 1, b.vt1 + 2, b.mu0 - 1, b.mu1 + 2};
    grid_[gi].resize(static_cast<std::size_t>(b.vt1 - b.vt0 + 1) * (b.mu1 - b.mu0 + 1));
  }
  for (const auto& [k, table] : tables.node) {
    const Box& b = box[static_cast<std::size_t>(k[0])];
    auto& g = grid_[static_cast<std::size_t>(k[0])];
    g[static_cast<std::size_t>(k[1] - b.vt0) * (b.mu1 - b.mu0 + 1) + (k[2] - b.mu0)] = table.get();
  }
  stencil_.resize(tile.delta_vth.size());
  for (std::size_t c = 0; c < stencil_.size(); ++c) {
    const std::size_t gate = tables.gate_index(gates[c / cols_]);
    const LagrangeStencil v = lagrange_stencil(tile.delta_vth[c], kMismatchVtStep);
    const LagrangeStencil m = lagrange_stencil(tile.beta_factor[c] - 1.0, kMismatchMuStep);
    const Box& b = box[gate];
    // Every node of the stencil must have been characterised (tables made
    // for another tile may lack some).
    if (v.k - 1 < b.vt0 || v.k + 2 > b.vt1 || m.k - 1 < b.mu0 || m.k + 2 > b.mu1)
      throw std::out_of_range(
          fmt::format("no transistor tables around delvto {} V, mulu0 {}", tile.delta_vth[c], tile.beta_factor[c]));
    const std::size_t stride = static_cast<std::size_t>(b.mu1 - b.mu0 + 1);
    const DrainCurrentTable* const* first =
        &grid_[gate][static_cast<std::size_t>(v.k - 1 - b.vt0) * stride + (m.k - 1 - b.mu0)];
    for_each_weighted_node(v.w, m.w, [&](int a, int d, double) {
      if (first[a * stride + d] == nullptr)
        tables.at_node(static_cast<int>(gate), v.k - 1 + a, m.k - 1 + d);  // throws, naming the node
    });
    stencil_[c] = {first, stride, v.w, m.w};
  }
}

std::filesystem::path transistor_cache_dir() {
  if (const char* d = std::getenv("XBAR_CACHE_DIR"); d && *d) return d;
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return std::filesystem::path(d) / "xbar";
  if (const char* d = std::getenv("HOME"); d && *d) return std::filesystem::path(d) / ".cache" / "xbar";
  return {};
}

std::vector<double> tile_gate_voltages(const TileSpec& tile) {
  std::vector<double> v(static_cast<std::size_t>(tile.rows));
  for (int i = 0; i < tile.rows; ++i) v[i] = tile.transistor.row_is_on(i) ? tile.transistor.v_gate : 0.0;
  return v;
}

std::shared_ptr<const TransistorTables> transistor_tables(const TileSpec& tile, TransistorTableReport* report,
                                                          Simulator* sim) {
  const auto t0 = std::chrono::steady_clock::now();
  if (!tile.access_transistors()) throw std::invalid_argument("transistor tables: the tile has no access transistors");
  const Grid g = table_grid(tile);
  const std::vector<double> row_gate = tile_gate_voltages(tile);
  std::vector<double> gates = row_gate;
  std::sort(gates.begin(), gates.end());
  gates.erase(std::unique(gates.begin(), gates.end()), gates.end());

  // The nodes each gate voltage needs: the nominal transistor, or every
  // cell's 4 x 4 stencil.
  std::vector<std::set<Node>> wanted(gates.size());
  const bool mismatch = !tile.delta_vth.empty();
  if (!mismatch) {
    for (auto& w : wanted) w.insert(Node{});
  } else {
    const std::size_t cols = static_cast<std::size_t>(tile.phys_cols());
    for (std::size_t c = 0; c < tile.delta_vth.size(); ++c) {
      const std::size_t gi =
          static_cast<std::size_t>(std::lower_bound(gates.begin(), gates.end(), row_gate[c / cols]) - gates.begin());
      const LagrangeStencil v = lagrange_stencil(tile.delta_vth[c], kMismatchVtStep);
      const LagrangeStencil m = lagrange_stencil(tile.beta_factor[c] - 1.0, kMismatchMuStep);
      for_each_weighted_node(v.w, m.w, [&](int a, int b, double) {
        wanted[gi].insert(Node{true, v.k - 1 + a, m.k - 1 + b});
      });
    }
  }

  TransistorTableReport rep;
  rep.cache_hit = true;
  auto tables = std::make_shared<TransistorTables>();
  tables->v_gate = gates;
  const std::filesystem::path dir = transistor_cache_dir();
  std::string commands;
  for (int k = 0; k < kSweepPieces; ++k) commands += sweep_command(g, k) + '\n';
  for (std::size_t gi = 0; gi < gates.size(); ++gi) {
    std::vector<Node> missing;
    std::vector<std::string> missing_key;
    std::vector<std::filesystem::path> missing_file;
    auto store = [&](const Node& n, std::shared_ptr<const DrainCurrentTable> table) {
      if (mismatch)
        tables->node[{static_cast<int>(gi), n.k_vt, n.k_mu}] = std::move(table);
      else
        tables->drain_current.push_back(std::move(table));
    };
    for (const Node& n : wanted[gi]) {
      // Everything that shapes the table: the netlist (card text inlined, W,
      // L, gate voltage, delvto and mulu0, options), the sweep and the file format.
      std::string key = fmt::format("xbar transistor table v{}\n{}", kTableFormatVersion, commands);
      for (const auto& line : write_spice_netlist(sweep_circuit(tile, gates[gi], {n}))) key += line + '\n';
      const std::string name = "transistor-" + hex_hash(key) + ".bin";
      const std::filesystem::path file = dir.empty() ? std::filesystem::path() : dir / name;
      rep.files.push_back(file.string());

      std::shared_ptr<const DrainCurrentTable> table;
      {
        std::lock_guard lock(memo_mutex);
        if (auto it = memo.find(key); it != memo.end()) table = it->second;
      }
      if (!table && !file.empty()) {
        std::ifstream in(file, std::ios::binary);
        std::vector<double> values;
        if (in) {
          const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
          if (decode(bytes, key, g, values)) {
            table = std::make_shared<const DrainCurrentTable>(g.lo, g.n, g.h, values);
            std::lock_guard lock(memo_mutex);
            memo.emplace(key, table);
          }
        }
      }
      if (table) {
        store(n, std::move(table));
      } else {
        missing.push_back(n);
        missing_key.push_back(std::move(key));
        missing_file.push_back(file);
      }
    }
    if (missing.empty()) continue;
    rep.cache_hit = false;
    rep.characterised += static_cast<int>(missing.size());
    const std::vector<std::vector<double>> values = run_sweep(sweep_circuit(tile, gates[gi], missing), g, sim);
    for (std::size_t k = 0; k < missing.size(); ++k) {
      if (!missing_file[k].empty()) {
        // A cache that cannot be written costs time, not correctness.
        try {
          std::filesystem::create_directories(dir);
          write_file_atomically(missing_file[k], encode(missing_key[k], g, values[k]));
        } catch (const std::exception&) {
        }
      }
      auto table = std::make_shared<const DrainCurrentTable>(g.lo, g.n, g.h, values[k]);
      {
        std::lock_guard lock(memo_mutex);
        memo.emplace(missing_key[k], table);
      }
      store(missing[k], std::move(table));
    }
  }
  rep.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  if (report) *report = rep;
  return tables;
}

void clear_transistor_table_memo() {
  std::lock_guard lock(memo_mutex);
  memo.clear();
}

}  // namespace xbar
