#include "regression/expected_file.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include "common/data_dir.hpp"
#include "common/diagnostics.hpp"

namespace xbar::regression {
namespace {

constexpr int kFormat = 1;

class Reader {
 public:
  explicit Reader(std::string file) : file_(std::move(file)) {}

  SourcePos pos(const YAML::Node& n) const {
    const YAML::Mark m = n.Mark();
    return m.is_null() ? SourcePos{file_, 0, 0} : SourcePos{file_, m.line + 1, m.column + 1};
  }
  void error(const YAML::Node& n, std::string msg) { diags_.error(pos(n), std::move(msg)); }
  Diagnostics& diags() { return diags_; }

  std::optional<std::string> text(const YAML::Node& n, const std::string& what) {
    if (!n.IsScalar()) {
      error(n, fmt::format("{} must be a text value", what));
      return std::nullopt;
    }
    return n.Scalar();
  }

  // Numbers as written by render_expected (shortest round-trip, `inf`, `nan`)
  // and anything else strtod reads whole.
  std::optional<double> number(const YAML::Node& n, const std::string& what) {
    if (!n.IsScalar()) {
      error(n, fmt::format("{} must be a number", what));
      return std::nullopt;
    }
    const std::string& s = n.Scalar();
    char* end = nullptr;
    errno = 0;
    const double v = std::strtod(s.c_str(), &end);
    if (s.empty() || end != s.c_str() + s.size() || (errno == ERANGE && std::isinf(v))) {  // subnormals are fine
      error(n, fmt::format("{} must be a number, not '{}'", what, s));
      return std::nullopt;
    }
    return v;
  }

  std::optional<double> non_negative(const YAML::Node& n, const std::string& what) {
    auto v = number(n, what);
    if (v && !(*v >= 0.0 && std::isfinite(*v))) {
      error(n, fmt::format("{} must be a finite number >= 0", what));
      return std::nullopt;
    }
    return v;
  }

  void tolerance_fields(const YAML::Node& map, const std::string& where, std::optional<double>& rel,
                        std::optional<double>& abs, const std::set<std::string>& also_allowed) {
    for (const auto& kv : map) {
      const std::string key = kv.first.Scalar();
      if (key == "rel")
        rel = non_negative(kv.second, where + ".rel");
      else if (key == "abs")
        abs = non_negative(kv.second, where + ".abs");
      else if (!also_allowed.count(key))
        error(kv.first, fmt::format("unknown key '{}' in {} (known: rel, abs{})", key, where,
                                    also_allowed.empty() ? "" : ", value, origin"));
    }
  }

 private:
  std::string file_;
  Diagnostics diags_;
};

std::string leading_comments(const std::string& text) {
  std::istringstream in(text);
  std::string line, out;
  while (std::getline(in, line) && line.starts_with("#")) out += line + "\n";
  return out;
}

void read_values(Reader& rd, const YAML::Node& node, ExpectedFile& f) {
  if (!node.IsMap()) {
    rd.error(node, "values must be a map of quantity: value");
    return;
  }
  std::set<std::string> seen;
  for (const auto& kv : node) {
    ExpectedValue v;
    v.name = kv.first.Scalar();
    if (!quantity_kind(v.name)) {
      rd.error(kv.first, fmt::format("unknown quantity '{}' ({})", v.name, known_quantities_text()));
      continue;
    }
    if (!seen.insert(v.name).second) rd.error(kv.first, fmt::format("quantity '{}' is listed twice", v.name));
    const YAML::Node& body = kv.second;
    if (body.IsNull()) {
      // Listed, not recorded yet.
    } else if (body.IsScalar()) {
      v.value = rd.number(body, v.name);
    } else if (body.IsMap()) {
      rd.tolerance_fields(body, v.name, v.rel, v.abs, {"value", "origin"});
      if (body["value"] && !body["value"].IsNull()) v.value = rd.number(body["value"], v.name + ".value");
      if (const YAML::Node o = body["origin"]) {
        const auto s = rd.text(o, v.name + ".origin");
        if (s == "closed-form")
          v.origin = Origin::kClosedForm;
        else if (s && *s != "accepted")
          rd.error(o, fmt::format("origin must be 'accepted' or 'closed-form', not '{}'", *s));
      }
    } else {
      rd.error(body, fmt::format("{} must be a number or a map {{value, rel, abs, origin}}", v.name));
    }
    f.values.push_back(std::move(v));
  }
}

void read_tolerances(Reader& rd, const YAML::Node& node, ExpectedFile& f) {
  if (!node.IsMap()) {
    rd.error(node, "tolerances must be a map of kind: {rel, abs}");
    return;
  }
  for (const auto& kv : node) {
    const auto kind = parse_quantity_kind(kv.first.Scalar());
    if (!kind) {
      rd.error(kv.first, fmt::format("unknown quantity kind '{}' (known: current, error, voltage, agreement)",
                                     kv.first.Scalar()));
      continue;
    }
    if (!kv.second.IsMap()) {
      rd.error(kv.second, "a tolerance must be a map {rel, abs}");
      continue;
    }
    std::optional<double> rel, abs;
    rd.tolerance_fields(kv.second, kv.first.Scalar(), rel, abs, {});
    const Tolerance d = default_tolerance(*kind);
    f.tolerances.emplace_back(*kind, Tolerance{rel.value_or(d.rel), abs.value_or(d.abs_floor)});
  }
}

// Shortest text that reads back as the same double.
std::string number_text(double v) { return fmt::format("{}", v); }

// Plain when YAML reads it back as the same text, quoted otherwise.
std::string quoted(const std::string& s) {
  const bool plain = !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.';
  }) && std::isalnum(static_cast<unsigned char>(s[0]));
  if (plain) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

}  // namespace

const std::vector<std::string>& known_origins() {
  static const std::vector<std::string> words = {"closed-form", "accepted", "nodal-engine", "dense-solve",
                                                 "no-independent"};
  return words;
}

const char* xbar_version() { return XBAR_VERSION_TEXT; }
std::string bundled_cases_dir() { return (data_dir() / "regression" / "cases").string(); }

Tolerance ExpectedFile::tolerance_of(const ExpectedValue& v) const {
  const QuantityKind kind = quantity_kind(v.name).value_or(QuantityKind::kCurrent);
  Tolerance t = default_tolerance(kind);
  for (const auto& [k, tol] : tolerances)
    if (k == kind) t = tol;
  if (v.rel) t.rel = *v.rel;
  if (v.abs) t.abs_floor = *v.abs;
  return t;
}

bool ExpectedFile::has_label(const std::string& label) const {
  for (const auto& l : labels)
    if (l == label) return true;
  return false;
}

ExpectedFile parse_expected(const std::string& text, const std::string& display_name) {
  Reader rd(display_name);
  ExpectedFile f;
  f.header = leading_comments(text);
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    throw InputError(SourcePos{display_name, e.mark.line + 1, e.mark.column + 1}, e.msg);
  }
  if (!root.IsMap()) throw InputError(SourcePos{display_name, 1, 1}, "an expected file must be a YAML map");
  bool have_values = false;
  for (const auto& kv : root) {
    const std::string key = kv.first.Scalar();
    const YAML::Node& v = kv.second;
    if (key == "format") {
      if (auto n = rd.number(v, "format"); n && *n != kFormat)
        rd.error(v, fmt::format("format {} is not known to this xbar (it reads format {})", *n, kFormat));
    } else if (key == "labels") {
      if (!v.IsSequence())
        rd.error(v, "labels must be a list, e.g. [quick]");
      else
        for (const auto& l : v)
          if (auto s = rd.text(l, "a label")) f.labels.push_back(*s);
    } else if (key == "xbar_version") {
      f.xbar_version = rd.text(v, key).value_or("");
    } else if (key == "ngspice_version") {
      f.ngspice_version = rd.text(v, key).value_or("");
    } else if (key == "origins") {
      if (!v.IsSequence())
        rd.error(v, "origins must be a list, e.g. [accepted, nodal-engine]");
      else
        for (const auto& o : v)
          if (auto s = rd.text(o, "an origin")) {
            const auto& known = known_origins();
            if (std::find(known.begin(), known.end(), *s) == known.end())
              rd.error(o, fmt::format("unknown origin '{}' (known: {})", *s, fmt::join(known, ", ")));
            else
              f.origins.push_back(*s);
          }
    } else if (key == "tolerances") {
      read_tolerances(rd, v, f);
    } else if (key == "values") {
      have_values = true;
      if (!v.IsNull()) read_values(rd, v, f);
    } else {
      rd.error(kv.first, fmt::format("unknown key '{}' (known: format, labels, xbar_version, ngspice_version, "
                                     "origins, tolerances, values)",
                                     key));
    }
  }
  if (!have_values) rd.error(root, "the file has no 'values' section");
  if (!rd.diags().empty()) throw InputError(std::move(rd.diags()));
  return f;
}

ExpectedFile load_expected(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError(SourcePos{path, 0, 0}, "cannot read the expected-values file");
  std::ostringstream text;
  text << in.rdbuf();
  return parse_expected(text.str(), path);
}

std::string render_expected(const ExpectedFile& f) {
  std::string out = f.header;
  out += fmt::format("format: {}\n", kFormat);
  if (!f.labels.empty()) {
    std::vector<std::string> q;
    for (const auto& l : f.labels) q.push_back(quoted(l));
    out += fmt::format("labels: [{}]\n", fmt::join(q, ", "));
  }
  if (!f.xbar_version.empty()) out += fmt::format("xbar_version: {}\n", quoted(f.xbar_version));
  if (!f.ngspice_version.empty()) out += fmt::format("ngspice_version: {}\n", quoted(f.ngspice_version));
  if (!f.origins.empty()) out += fmt::format("origins: [{}]\n", fmt::join(f.origins, ", "));
  if (!f.tolerances.empty()) {
    out += "tolerances:\n";
    for (const auto& [kind, t] : f.tolerances)
      out += fmt::format("  {}: {{rel: {}, abs: {}}}\n", to_string(kind), number_text(t.rel), number_text(t.abs_floor));
  }
  out += "values:\n";
  for (const ExpectedValue& v : f.values) {
    const std::string value = v.value ? number_text(*v.value) : "~";
    if (!v.rel && !v.abs && v.origin == Origin::kAccepted) {
      out += fmt::format("  {}: {}\n", quoted(v.name), value);
      continue;
    }
    std::string body = fmt::format("value: {}", value);
    if (v.rel) body += fmt::format(", rel: {}", number_text(*v.rel));
    if (v.abs) body += fmt::format(", abs: {}", number_text(*v.abs));
    if (v.origin == Origin::kClosedForm) body += ", origin: closed-form";
    out += fmt::format("  {}: {{{}}}\n", quoted(v.name), body);
  }
  return out;
}

}  // namespace xbar::regression
