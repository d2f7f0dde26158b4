#include "spice_bridge/child_protocol.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <fmt/format.h>

#include "common/child_process.hpp"

namespace xbar::spice {
namespace {

constexpr std::uint64_t kMaxFrame = std::uint64_t{1} << 36;  // 64 GiB: anything bigger is corruption

class Writer {
 public:
  void u64(std::uint64_t v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void f64(double v) { out_.append(reinterpret_cast<const char*>(&v), sizeof v); }
  void str(std::string_view s) {
    u64(s.size());
    out_.append(s);
  }
  template <class T>
  void array(const std::vector<T>& items) {
    out_.append(reinterpret_cast<const char*>(items.data()), items.size() * sizeof(T));
  }
  void reserve(std::size_t n) { out_.reserve(n); }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
};

class Reader {
 public:
  explicit Reader(std::string_view in) : in_(in) {}
  std::uint64_t u64() { return pod<std::uint64_t>(); }
  double f64() { return pod<double>(); }
  std::string str() {
    const std::uint64_t n = u64();
    need(n);
    std::string s(in_.substr(0, n));
    in_.remove_prefix(n);
    return s;
  }
  // A count of items of at least `item_size` bytes each, checked against what is left.
  std::size_t count(std::size_t item_size) {
    const std::uint64_t n = u64();
    if (n > in_.size() / item_size) throw SimulationError("isolated ngspice: truncated reply from the child");
    return n;
  }
  bool done() const { return in_.empty(); }
  // `n` items of T, checked against what is left before anything is allocated.
  template <class T>
  std::vector<T> array(std::uint64_t n) {
    if (n > in_.size() / sizeof(T)) throw SimulationError("isolated ngspice: truncated reply from the child");
    std::vector<T> items(n);
    if (n > 0) std::memcpy(items.data(), in_.data(), n * sizeof(T));
    in_.remove_prefix(n * sizeof(T));
    return items;
  }

 private:
  void need(std::uint64_t n) const {
    if (n > in_.size()) throw SimulationError("isolated ngspice: truncated reply from the child");
  }
  template <class T>
  T pod() {
    need(sizeof(T));
    T v;
    std::memcpy(&v, in_.data(), sizeof v);
    in_.remove_prefix(sizeof v);
    return v;
  }
  std::string_view in_;
};

}  // namespace

std::string encode_frame_header(FrameKind kind, std::uint64_t payload_size) {
  return proc::encode_frame_header(static_cast<std::uint8_t>(kind), payload_size);
}

std::string encode_frame(FrameKind kind, std::string_view payload) {
  return proc::encode_frame(static_cast<std::uint8_t>(kind), payload);
}

std::optional<Frame> take_frame(std::string& buffer) {
  try {
    auto frame = proc::take_frame(buffer, [](std::uint8_t kind, std::uint64_t n) {
      return kind >= 1 && kind <= 6 && n <= kMaxFrame &&
             (kind != static_cast<std::uint8_t>(FrameKind::kStatus) || n <= kMaxStatusFrame);
    });
    if (!frame) return std::nullopt;
    return Frame{static_cast<FrameKind>(frame->kind), std::move(frame->payload)};
  } catch (const proc::FrameError&) {
    throw SimulationError("isolated ngspice: malformed reply from the child");
  }
}

std::string encode_result(const SimResult& r) {
  const VectorTable::Parts& v = r.vectors.parts();
  Writer w;
  std::size_t size = 64 + r.plot.size() + r.log.size() + v.names.size() +
                     sizeof(std::uint64_t) * (v.name_ends.size() + v.value_ends.size()) +
                     sizeof(double) * v.values.size();
  for (const auto& s : r.warnings) size += 8 + s.size();
  w.reserve(size);
  w.str(r.plot);
  w.str(r.log);
  w.f64(r.elapsed_s);
  w.u64(r.warnings.size());
  for (const auto& s : r.warnings) w.str(s);
  w.u64(v.name_ends.size());
  w.array(v.name_ends);
  w.array(v.value_ends);
  w.str(v.names);
  w.u64(v.values.size());
  w.array(v.values);
  return w.take();
}

SimResult decode_result(std::string_view payload) {
  Reader r(payload);
  SimResult out;
  out.plot = r.str();
  out.log = r.str();
  out.elapsed_s = r.f64();
  for (std::size_t i = 0, n = r.count(sizeof(std::uint64_t)); i < n; ++i) out.warnings.push_back(r.str());
  VectorTable::Parts v;
  const std::size_t vectors = r.count(2 * sizeof(std::uint64_t));
  v.name_ends = r.array<std::uint64_t>(vectors);
  v.value_ends = r.array<std::uint64_t>(vectors);
  v.names = r.str();
  v.values = r.array<double>(r.u64());
  if (!r.done()) throw SimulationError("isolated ngspice: trailing bytes in the child's result");
  try {
    out.vectors = VectorTable(std::move(v));
  } catch (const std::invalid_argument& e) {
    throw SimulationError(fmt::format("isolated ngspice: malformed result from the child ({})", e.what()));
  }
  return out;
}

SimStatus parse_ngspice_status(std::string_view text) {
  SimStatus s;
  // "NAME: 45.3%": the percentage after the last colon.
  if (const auto colon = text.rfind(':'); colon != std::string_view::npos && text.ends_with('%')) {
    const std::string number(text.substr(colon + 1, text.size() - colon - 2));
    char* end = nullptr;
    const double p = std::strtod(number.c_str(), &end);
    if (end != number.c_str() && *end == '\0' && p >= 0 && p <= 100) {
      s.percent = p;
      text = text.substr(0, colon);
    }
  }
  for (char c : text)
    if (s.analysis.size() < kMaxStatusText) s.analysis += std::isprint(static_cast<unsigned char>(c)) ? c : '?';
  while (!s.analysis.empty() && s.analysis.back() == ' ') s.analysis.pop_back();
  while (!s.analysis.empty() && s.analysis.front() == ' ') s.analysis.erase(0, 1);
  return s;
}

std::string encode_status(const SimStatus& status) {
  Writer w;
  w.f64(status.percent);
  w.str(status.analysis);
  return w.take();
}

SimStatus decode_status(std::string_view payload) {
  auto malformed = [] { return SimulationError("isolated ngspice: malformed status report from the child"); };
  Reader r(payload);
  SimStatus s;
  s.percent = r.f64();
  s.analysis = r.str();
  if (!r.done() || s.analysis.size() > kMaxStatusText ||
      !(std::isnan(s.percent) || (s.percent >= 0 && s.percent <= 100)))
    throw malformed();
  for (char c : s.analysis)
    if (!std::isprint(static_cast<unsigned char>(c))) throw malformed();
  return s;
}

std::string encode_error(const std::string& what, const std::string& detail) {
  Writer w;
  w.str(what);
  w.str(detail);
  return w.take();
}

std::pair<std::string, std::string> decode_error(std::string_view payload) {
  Reader r(payload);
  std::string what = r.str();
  std::string detail = r.str();
  return {std::move(what), std::move(detail)};
}

}  // namespace xbar::spice
