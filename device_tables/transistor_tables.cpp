#include "device_tables/transistor_tables.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <map>
#include <mutex>
#include <stdexcept>

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

struct Grid {
  double lo = 0, h = kTableStep;
  int n = 0;
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

// The characterisation circuit: the tile's transistor instance alone, with
// ideal sources on drain, gate and source, bulk at ground, and the tile's
// own simulator options (temperature among them).
Circuit sweep_circuit(const TileSpec& tile, double v_gate) {
  TileSpec one = tile;  // a 1x1 copy: its circuit carries exactly the tile's options
  one.rows = 1;
  one.cols = 1;
  one.g.assign(static_cast<std::size_t>(one.phys_cols()), 1e-6);
  one.g_intended = one.g;
  one.inputs = {{0.0}};
  one.transistor.row_on.clear();
  Circuit c;
  c.title = "xbar transistor characterisation";
  c.node_names = {"0"};
  const NodeId d = c.add_node("d"), g = c.add_node("g"), s = c.add_node("s");
  auto source = [&](const char* name, NodeId n, double v) {
    Element e{.kind = ElementKind::kVoltageSource, .name = name, .nodes = {n, kGround}, .value = v};
    c.elements.push_back(e);
  };
  source("vd", d, 0.0);
  source("vg", g, v_gate);
  source("vs", s, 0.0);
  const TransistorSpec& ts = tile.transistor;
  Element m{.kind = ElementKind::kMosfet, .name = ts.subckt ? "xt" : "mt", .nodes = {d, g, s, kGround}};
  m.model = ts.model;
  m.w = ts.w;
  m.l = ts.l;
  m.subckt = ts.subckt;
  c.elements.push_back(m);
  c.transistor = ts;
  c.includes = ts.model_files;
  c.options = build_tile_circuit(one).options;
  c.saves = {"vd#branch", "d", "s"};
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
  const std::size_t cells = static_cast<std::size_t>(g.n) * g.n;
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

std::vector<double> run_sweep(const std::vector<std::string>& netlist, const std::string& command, const Grid& g) {
  const SimResult r = make_isolated_simulator()->run(netlist, command);
  const std::size_t cells = static_cast<std::size_t>(g.n) * g.n;
  auto vec = [&](const char* name) -> const std::vector<double>& {
    const auto it = r.vectors.find(name);
    if (it == r.vectors.end() || it->second.size() != cells)
      throw SimulationError(
          fmt::format("transistor characterisation: ngspice returned no {}-point vector '{}'", cells, name), r.log);
    return it->second;
  };
  const auto& i_vd = vec("vd#branch");
  const auto& vd = vec("d");
  const auto& vs = vec("s");
  std::vector<double> id(cells);
  for (std::size_t k = 0; k < cells; ++k) {
    // Inner sweep: the drain; outer: the source.  The grid must be the one asked for.
    const double want_d = g.lo + g.h * static_cast<double>(k % g.n), want_s = g.lo + g.h * static_cast<double>(k / g.n);
    if (std::abs(vd[k] - want_d) > 1e-9 || std::abs(vs[k] - want_s) > 1e-9)
      throw SimulationError(
          fmt::format("transistor characterisation: sweep point {} at ({}, {}) V, expected ({}, {}) V", k, vd[k], vs[k],
                      want_d, want_s),
          r.log);
    id[k] = -i_vd[k];  // a source's branch current flows into its + terminal
  }
  return id;
}

std::mutex memo_mutex;
std::map<std::string, std::shared_ptr<const BicubicTable>> memo;

}  // namespace

const BicubicTable& TransistorTables::at_gate(double vg) const {
  for (std::size_t k = 0; k < v_gate.size(); ++k)
    if (v_gate[k] == vg) return *drain_current[k];
  throw std::out_of_range(fmt::format("no transistor table at gate voltage {} V", vg));
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

std::shared_ptr<const TransistorTables> transistor_tables(const TileSpec& tile, TransistorTableReport* report) {
  const auto t0 = std::chrono::steady_clock::now();
  if (!tile.access_transistors()) throw std::invalid_argument("transistor tables: the tile has no access transistors");
  const Grid g = table_grid(tile);
  std::vector<double> gates = tile_gate_voltages(tile);
  std::sort(gates.begin(), gates.end());
  gates.erase(std::unique(gates.begin(), gates.end()), gates.end());

  TransistorTableReport rep;
  rep.cache_hit = true;
  auto tables = std::make_shared<TransistorTables>();
  const std::filesystem::path dir = transistor_cache_dir();
  for (double vg : gates) {
    const Circuit c = sweep_circuit(tile, vg);
    const std::vector<std::string> netlist = write_spice_netlist(c);
    const std::string command = fmt::format("dc vd {:.17g} {:.17g} {:.17g} vs {:.17g} {:.17g} {:.17g}", g.lo,
                                            g.lo + g.h * (g.n - 1), g.h, g.lo, g.lo + g.h * (g.n - 1), g.h);
    // Everything that shapes the table: the netlist (card text inlined, W, L,
    // gate voltage, options), the sweep and the file format.
    std::string key = fmt::format("xbar transistor table v{}\n{}\n", kTableFormatVersion, command);
    for (const auto& line : netlist) key += line + '\n';
    const std::string name = "transistor-" + hex_hash(key) + ".bin";
    const std::filesystem::path file = dir.empty() ? std::filesystem::path() : dir / name;
    rep.files.push_back(file.string());

    std::shared_ptr<const BicubicTable> table;
    {
      std::lock_guard lock(memo_mutex);
      if (auto it = memo.find(key); it != memo.end()) table = it->second;
    }
    if (!table) {
      std::vector<double> values;
      bool hit = false;
      if (!file.empty()) {
        std::ifstream in(file, std::ios::binary);
        if (in) {
          const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
          hit = decode(bytes, key, g, values);
        }
      }
      if (!hit) {
        rep.cache_hit = false;
        values = run_sweep(netlist, command, g);
        if (!file.empty()) {
          // A cache that cannot be written costs time, not correctness.
          try {
            std::filesystem::create_directories(dir);
            write_file_atomically(file, encode(key, g, values));
          } catch (const std::exception&) {
          }
        }
      }
      table = std::make_shared<const BicubicTable>(g.lo, g.h, g.n, values);
      std::lock_guard lock(memo_mutex);
      memo.emplace(key, table);
    }
    tables->v_gate.push_back(vg);
    tables->drain_current.push_back(table);
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
