// Circuit IR -> SPICE text.  The only place in the project that writes
// netlist syntax.  Every name is checked SPICE-safe and unique here, so no
// config string can smuggle a control line into the simulator.
#include <algorithm>
#include <array>
#include <bit>
#include <charconv>
#include <cstdint>
#include <functional>
#include <iterator>
#include <limits>
#include <stdexcept>
#include <string_view>

#include <fmt/format.h>

#include "model_library/model_library.hpp"
#include "netlist_gen/circuit.hpp"

namespace xbar {
namespace {

constexpr std::array<bool, 256> kSpiceNameChars = [] {
  std::array<bool, 256> ok{};
  for (int ch = 0; ch < 256; ++ch) ok[ch] = (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '_';
  return ok;
}();

// Names are made by the builder from indices; this guards against a bug (or a
// future user-named element) producing anything a SPICE parser would read as
// more than a name.
bool is_spice_safe_name(const std::string& s) {
  if (s.empty() || s.size() > 64) return false;
  for (char ch : s)
    if (!kSpiceNameChars[static_cast<unsigned char>(ch)]) return false;
  return true;
}

bool is_safe_option_token(const std::string& s) {
  for (char ch : s) {
    const bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '_' ||
                    ch == '.' || ch == '-' || ch == '+';
    if (!ok) return false;
  }
  return true;
}

// Full precision, so the netlist holds exactly the values the ideal reference
// uses: the characters of printf's "%.17g" (and fmt's "{:.17g}"), which
// std::to_chars writes several times faster (a 256x256 tile has ~200k).
constexpr std::size_t kNumChars = 32;
char* write_num(char (&buf)[kNumChars], double v) {
  return std::to_chars(buf, buf + kNumChars, v, std::chars_format::general, 17).ptr;
}

std::string num(double v) {
  char buf[kNumChars];
  return std::string(buf, write_num(buf, v));
}

// write_num's characters of the last value, reused while the next value has
// the same bits: a tile's wire segments mostly share one resistance (2/3 of
// a 1R tile's lines), and a conversion costs more than the rest of the line.
class RepeatedNumber {
 public:
  std::string_view text(double v) {
    const auto bits = std::bit_cast<std::uint64_t>(v);
    if (len_ == 0 || bits != bits_) {
      bits_ = bits;
      len_ = static_cast<std::size_t>(write_num(buf_, v) - buf_);
    }
    return {buf_, len_};
  }

 private:
  std::uint64_t bits_ = 0;
  std::size_t len_ = 0;  // 0: nothing written yet
  char buf_[kNumChars];
};

// A 256x256 tile is ~200k lines: each line is made at its size (or in one
// reused buffer), and names and nodes are checked once each.
class Writer {
 public:
  explicit Writer(const Circuit& c) : c_(c), node_checked_(c.node_names.size(), 0) {
    name_hash_.reserve(c.elements.size());
    out_.reserve(c.elements.size() + c.includes.size() + 8);
  }

  std::vector<std::string> write() {
    out_.push_back(c_.title);  // first line: the title (names are checked in the loader)
    // Model files go in as text, read and checked by the one model reader, so
    // ngspice never opens a file the checks did not see.
    for (const auto& path : c_.includes) {
      out_.push_back(fmt::format("* model file {}", checked_path(path)));
      for (auto& line : read_model_library(path)) out_.push_back(std::move(line));
      out_.push_back(fmt::format("* end of model file {}", path));
    }
    // Each element's name is hashed as it is written, and the duplicates
    // sought once all are (one pass over the elements, not two).  A problem
    // met on the way is reported as it would be had every element been
    // checked for a repeated name in turn: a repeat before it comes first,
    // and a repeat in it second only to an unsafe name.
    for (std::size_t k = 0; k < c_.elements.size(); ++k) {
      const Element& e = c_.elements[k];
      if (!is_spice_safe_name(e.name)) {
        throw_duplicate_name(k);
        throw std::invalid_argument(fmt::format("unsafe element name '{}'", e.name));
      }
      name_hash_.push_back(std::hash<std::string_view>{}(e.name));
      try {
        element(e);
      } catch (...) {
        throw_duplicate_name(k + 1);
        throw;
      }
    }
    throw_duplicate_name(c_.elements.size());
    std::string opts = ".options";
    for (const auto& [k, v] : c_.options) {
      if (!is_safe_option_token(k) || !is_safe_option_token(v))
        throw std::invalid_argument(fmt::format("unsafe simulator option '{}={}'", k, v));
      opts += v.empty() ? fmt::format(" {}", k) : fmt::format(" {}={}", k, v);
    }
    out_.push_back(opts);
    save_lines();
    out_.push_back(".end");
    return std::move(out_);
  }

 private:
  const std::string& node(NodeId n) {
    const std::string& s = c_.node_names.at(static_cast<std::size_t>(n));
    if (node_checked_[n]) return s;
    if (n != kGround && !is_spice_safe_name(s)) throw std::invalid_argument(fmt::format("unsafe node name '{}'", s));
    node_checked_[n] = 1;
    return s;
  }

  // `name a b value` and `name a b dc value`, the bulk of every tile: made in
  // place, at its size.
  void two_terminal(const Element& e, std::string_view before_value, double value) {
    const std::string_view parts[] = {e.name, node(e.nodes[0]), node(e.nodes[1]), before_value,
                                      value_text_.text(value)};
    std::string& line = out_.emplace_back();
    line.reserve(parts[0].size() + parts[1].size() + parts[2].size() + parts[3].size() + parts[4].size() + 3);
    for (int k = 0; k < 3; ++k) {
      line.append(parts[k]);
      line += ' ';
    }
    line.append(parts[3]);
    line.append(parts[4]);
  }

  // Throws for the first of the first `n` elements whose name an earlier one
  // already has (the hashes are name_hash_).  The hashes are grouped by their
  // top bits (one counting pass) and each group, a few dozen, sorted in
  // cache: several times faster than a hash set of ~200k names, whose probes
  // all miss the cache, or one sort of them all.
  void throw_duplicate_name(std::size_t n) const {
    const int bits = std::max(1, static_cast<int>(std::bit_width(n / 32)));  // ~32 a group
    const int shift = std::numeric_limits<std::size_t>::digits - bits;
    std::vector<std::size_t> start((std::size_t{1} << bits) + 1, 0);
    for (std::size_t k = 0; k < n; ++k) ++start[(name_hash_[k] >> shift) + 1];
    for (std::size_t g = 1; g < start.size(); ++g) start[g] += start[g - 1];
    // `entry(k)` of every element, by group, each group sorted: equal hashes
    // end up side by side.
    auto sorted_by_hash = [&](auto entry) {
      std::vector<decltype(entry(0))> out(n);
      std::vector<std::size_t> fill(start.begin(), start.end() - 1);
      for (std::size_t k = 0; k < n; ++k) out[fill[name_hash_[k] >> shift]++] = entry(k);
      for (std::size_t g = 0; g + 1 < start.size(); ++g)
        std::sort(out.begin() + static_cast<std::ptrdiff_t>(start[g]),
                  out.begin() + static_cast<std::ptrdiff_t>(start[g + 1]));
      return out;
    };
    // Distinct hashes are distinct names: most circuits need the hashes alone.
    const auto hashes = sorted_by_hash([&](std::size_t k) { return name_hash_[k]; });
    if (std::adjacent_find(hashes.begin(), hashes.end()) == hashes.end()) return;
    // (hash of the name, element index)
    const auto keyed = sorted_by_hash([&](std::size_t k) { return std::pair(name_hash_[k], k); });
    std::size_t first = n;
    for (auto a = keyed.begin(); a != keyed.end();) {
      auto b = a + 1;
      while (b != keyed.end() && b->first == a->first) ++b;
      // Equal hashes: compare the names (rarely more than two).
      for (auto x = a; x != b; ++x)
        for (auto y = x + 1; y != b; ++y)
          if (c_.elements[x->second].name == c_.elements[y->second].name)
            first = std::min(first, y->second);  // sorted by index within equal hashes
      a = b;
    }
    if (first < n) throw std::invalid_argument(fmt::format("duplicate element name '{}'", c_.elements[first].name));
  }

  // One element's lines; its name is checked by write().
  void element(const Element& e) {
    switch (e.kind) {
      case ElementKind::kResistor: two_terminal(e, "", e.value); break;
      case ElementKind::kCapacitor: two_terminal(e, "", e.value); break;
      case ElementKind::kVoltageSource: two_terminal(e, "dc ", e.value); break;
      case ElementKind::kVcvs:
        out_.push_back(fmt::format("{} {} {} {} {} {}", e.name, node(e.nodes[0]), node(e.nodes[1]), node(e.nodes[2]),
                                   node(e.nodes[3]), num(e.value)));
        break;
      case ElementKind::kBatchSource: batch_source(e); break;
      case ElementKind::kPwlSource: pwl_source(e); break;
      case ElementKind::kCell: cell(e); break;
      case ElementKind::kSelector: selector(e); break;
      case ElementKind::kDynamicCell: dynamic_cell(e); break;
      case ElementKind::kMosfet:
        // M for a .model card, X for a subcircuit (PDK wrapper); the same
        // terminal order d g s b and instance parameters either way.
        if (e.name[0] != (e.subckt ? 'x' : 'm'))
          throw std::invalid_argument(fmt::format("transistor '{}' has the wrong instance letter", e.name));
        if (!is_spice_safe_name(e.model)) throw std::invalid_argument(fmt::format("unsafe model name '{}'", e.model));
        line_.clear();
        fmt::format_to(std::back_inserter(line_), "{} {} {} {} {} {} w={:.17g} l={:.17g}", e.name, node(e.nodes[0]),
                       node(e.nodes[1]), node(e.nodes[2]), node(e.nodes[3]), e.model, e.w, e.l);
        for (const auto& [name, value] : e.params)
          fmt::format_to(std::back_inserter(line_), " {}={:.17g}", name, value);
        out_.emplace_back(line_.data(), line_.size());
        break;
    }
  }

  // A model file's path is named in a comment line: it must be absolute and
  // hold nothing that could end the line.
  static const std::string& checked_path(const std::string& p) {
    bool ok = !p.empty() && p.front() == '/' && p.size() <= 4096;
    for (char ch : p) ok = ok && ch != '"' && static_cast<unsigned char>(ch) >= 0x20 && ch != 0x7f;
    if (!ok) throw std::invalid_argument(fmt::format("unsafe include path '{}'", p));
    return p;
  }

  void cell(const Element& e) { device(e, c_.cell_model.law); }

  // `bs0_0 a b i = ...`: the selector of a 1S1R cell.
  void selector(const Element& e) { device(e, c_.selector.law); }

  // A two-terminal device of conductance e.value at 0 V: a resistor for the
  // linear law, else a behavioural current source whose expression the law
  // writes (models/device_laws.cpp); the line around it is written here.
  void device(const Element& e, const DeviceLaw& law) {
    if (e.nodes.size() != 2) throw std::invalid_argument(fmt::format("device '{}' is malformed", e.name));
    if (law.linear()) {
      two_terminal(e, "", 1.0 / e.value);
      return;
    }
    if (e.name[0] != 'b' || law.spice_current == nullptr)
      throw std::invalid_argument(fmt::format("nonlinear device '{}' has no behavioural source", e.name));
    const std::string& a = node(e.nodes[0]);
    const std::string& b = node(e.nodes[1]);
    std::string line = fmt::format("{} {} {} i = ", e.name, a, b);
    law.spice_current(law.params, e.value, fmt::format("v({}, {})", a, b), line);
    out_.push_back(std::move(line));
  }

  // `xc0_0 a b state model name=value ...`: a subcircuit with a state.
  void dynamic_cell(const Element& e) {
    if (e.name[0] != 'x' || e.nodes.size() != 3 || !is_spice_safe_name(e.model))
      throw std::invalid_argument(fmt::format("dynamic cell '{}' is malformed", e.name));
    std::string line =
        fmt::format("{} {} {} {} {}", e.name, node(e.nodes[0]), node(e.nodes[1]), node(e.nodes[2]), e.model);
    for (const auto& [k, v] : e.params) {
      if (!is_spice_safe_name(k)) throw std::invalid_argument(fmt::format("unsafe parameter name '{}'", k));
      line += fmt::format(" {}={}", k, num(v));
    }
    out_.push_back(std::move(line));
  }

  // Picks the value of the present input vector: a piecewise-linear function of
  // the index source, exact at every integer index.
  void batch_source(const Element& e) {
    out_.push_back(fmt::format("{} {} {} v = pwl(v({})", e.name, node(e.nodes[0]), node(e.nodes[1]), node(e.nodes[2])));
    std::string line = "+";
    for (std::size_t k = 0; k < e.batch_values.size(); ++k) {
      line += fmt::format(", {}, {}", k, num(e.batch_values[k]));
      if (line.size() > 200) {
        out_.push_back(std::move(line));
        line = "+";
      }
    }
    line += ")";
    out_.push_back(std::move(line));
  }

  // Transient drivers: `pwl(t0 v0 t1 v1 ...)`, continued over lines.
  void pwl_source(const Element& e) {
    if (e.pwl_time.empty() || e.pwl_time.size() != e.pwl_value.size())
      throw std::invalid_argument(fmt::format("pwl source '{}' has no valid points", e.name));
    out_.push_back(fmt::format("{} {} {} pwl(", e.name, node(e.nodes[0]), node(e.nodes[1])));
    std::string line = "+";
    for (std::size_t k = 0; k < e.pwl_time.size(); ++k) {
      line += fmt::format(" {} {}", num(e.pwl_time[k]), num(e.pwl_value[k]));
      if (line.size() > 200) {
        out_.push_back(std::move(line));
        line = "+";
      }
    }
    line += " )";
    out_.push_back(std::move(line));
  }

  // `.save` keeps only the listed vectors (transient memory grows with them).
  void save_lines() {
    std::string line = ".save";
    for (const auto& name : c_.saves) {
      const auto hash = name.find('#');
      const bool ok = hash == std::string::npos
                          ? is_spice_safe_name(name)
                          : is_spice_safe_name(name.substr(0, hash)) && name.substr(hash) == "#branch";
      if (!ok) throw std::invalid_argument(fmt::format("unsafe saved vector name '{}'", name));
      line += ' ' + name;
      if (line.size() > 200) {
        out_.push_back(std::move(line));
        line = ".save";
      }
    }
    if (line.size() > 5) out_.push_back(std::move(line));
  }

  const Circuit& c_;
  std::vector<std::string> out_;
  std::vector<char> node_checked_;      // node names already found safe
  std::vector<std::size_t> name_hash_;  // of the elements written so far, see throw_duplicate_name()
  std::string line_;
  RepeatedNumber value_text_;
};

}  // namespace

std::vector<std::string> write_spice_netlist(const Circuit& c) { return Writer(c).write(); }

namespace {

// `head name name ...`, continued on `+` lines so no line grows long.
void append_wrapped(std::vector<std::string>& out, const std::string& head, const std::vector<std::string>& items) {
  if (items.empty()) return;
  std::string line = head;
  for (const auto& item : items) {
    if (line.size() > 200) {
      out.push_back(std::move(line));
      line = "+";
    }
    line += ' ' + item;
  }
  out.push_back(std::move(line));
}

// "vs0#branch" -> "i(vs0)", "wl0_1" -> "v(wl0_1)": the form .print takes.
std::string print_form(const std::string& vector) {
  const auto hash = vector.find('#');
  return hash == std::string::npos ? "v(" + vector + ")" : "i(" + vector.substr(0, hash) + ")";
}

// The vectors the engines read back from ngspice for an op or read circuit.
std::vector<std::string> vectors_read(const Circuit& c) {
  std::vector<std::string> v;
  for (const auto* nodes : {&c.map.wl, &c.map.bl, &c.map.cell_mid, &c.map.sense, &c.map.tia_out})
    for (NodeId n : *nodes)
      if (n > kGround) v.push_back(c.node_names.at(static_cast<std::size_t>(n)));
  for (const auto* sources : {&c.map.driver_source, &c.map.sense_source})
    for (const auto& s : *sources)
      if (!s.empty()) v.push_back(s + "#branch");
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
  return v;
}

// The column outputs: the TIA outputs, else the sense sources' currents.
std::vector<std::string> column_outputs(const Circuit& c) {
  std::vector<std::string> v;
  for (NodeId n : c.map.tia_out)
    if (n > kGround) v.push_back(c.node_names.at(static_cast<std::size_t>(n)));
  if (v.empty())
    for (const auto& s : c.map.sense_source)
      if (!s.empty()) v.push_back(s + "#branch");
  return v;
}

}  // namespace

std::vector<std::string> write_standalone_netlist(const JobCircuit& job) {
  const Circuit& c = job.circuit;
  std::vector<std::string> lines = write_spice_netlist(c);  // checks every name it writes
  std::vector<std::string> tail;
  const std::vector<std::string> saved = c.saves.empty() ? vectors_read(c) : c.saves;
  if (c.saves.empty()) append_wrapped(tail, ".save", saved);
  tail.push_back("." + job.command);
  const std::string kind = job.command.substr(0, job.command.find(' '));
  std::vector<std::string> printed;
  for (const auto& v : c.saves.empty() ? column_outputs(c) : saved) printed.push_back(print_form(v));
  append_wrapped(tail, ".print " + kind, printed);
  lines.insert(lines.end() - 1, tail.begin(), tail.end());  // before `.end`
  return lines;
}

}  // namespace xbar
