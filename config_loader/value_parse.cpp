#include "config_loader/value_parse.hpp"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <filesystem>
#include <set>

#include "config_loader/spice_number.hpp"

namespace xbar {
namespace {

bool is_alpha(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
bool is_ascii_digit(char c) { return c >= '0' && c <= '9'; }

bool check_range(const KeyInfo& key, double v) {
  if (key.min_open ? !(v > key.min) : !(v >= key.min)) return false;
  if (key.max_open ? !(v < key.max) : !(v <= key.max)) return false;
  return true;
}

// A scalar's text, or nullopt after reporting what was found instead.
std::optional<std::string> scalar_text(const KeyInfo& key, const YAML::Node& node, ValueContext& ctx,
                                       std::string_view expected) {
  if (node.IsScalar()) return node.Scalar();
  if (node.IsNull())
    ctx.diags.error(ctx.value_pos, fmt::format("'{}' has no value; expected {}", key.path, expected));
  else
    ctx.diags.error(ctx.value_pos, fmt::format("'{}' expects {}, got {}", key.path, expected, node_kind_text(node)));
  return std::nullopt;
}

std::optional<double> parse_real_text(const KeyInfo& key, const std::string& text, const SourcePos& pos,
                                      Diagnostics& diags) {
  SpiceNumber n = parse_spice_number_ex(text, false);
  if (!n.value) {
    diags.error(pos, fmt::format("{} (in '{}')", number_problem_text(text, n.problem), key.path));
    return std::nullopt;
  }
  return n.value;
}

void report_range(const KeyInfo& key, const std::string& shown, const SourcePos& pos, Diagnostics& diags) {
  diags.error(pos, fmt::format("'{}' = {} is out of range; expected {}", key.path, shown, range_text(key)));
}

std::optional<KeyValue> parse_int(const KeyInfo& key, const std::string& text, ValueContext& ctx) {
  long long exact = 0;
  std::string_view digits = text;
  if (!digits.empty() && digits[0] == '+') digits.remove_prefix(1);
  auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), exact);
  bool whole = !digits.empty() && ptr == digits.data() + digits.size();
  if (whole && ec == std::errc::result_out_of_range) {
    report_range(key, quote_for_message(text), ctx.value_pos, ctx.diags);
    return std::nullopt;
  }
  if (!(whole && ec == std::errc())) {
    // Not plain digits: a suffixed or exponent form such as 1k or 1e3.
    auto real = parse_real_text(key, text, ctx.value_pos, ctx.diags);
    if (!real) return std::nullopt;
    if (*real != std::floor(*real) || std::fabs(*real) > 9007199254740992.0) {
      ctx.diags.error(ctx.value_pos,
                      fmt::format("'{}' expects an integer, got '{}'", key.path, quote_for_message(text)));
      return std::nullopt;
    }
    exact = static_cast<long long>(*real);
  }
  if (!check_range(key, static_cast<double>(exact))) {
    report_range(key, std::to_string(exact), ctx.value_pos, ctx.diags);
    return std::nullopt;
  }
  if (key.extra_check) {
    if (const char* why = key.extra_check(static_cast<double>(exact))) {
      ctx.diags.error(ctx.value_pos, fmt::format("'{}' = {}: {}", key.path, exact, why));
      return std::nullopt;
    }
  }
  return KeyValue(exact);
}

std::optional<KeyValue> parse_real(const KeyInfo& key, const std::string& text, ValueContext& ctx) {
  auto v = parse_real_text(key, text, ctx.value_pos, ctx.diags);
  if (!v) return std::nullopt;
  if (!check_range(key, *v)) {
    report_range(key, quote_for_message(text), ctx.value_pos, ctx.diags);
    return std::nullopt;
  }
  if (key.extra_check) {
    if (const char* why = key.extra_check(*v)) {
      ctx.diags.error(ctx.value_pos, fmt::format("'{}' = {}: {}", key.path, format_number(*v), why));
      return std::nullopt;
    }
  }
  return KeyValue(*v);
}

std::optional<KeyValue> parse_enum(const KeyInfo& key, const std::string& text, ValueContext& ctx) {
  for (std::size_t i = 0; i < key.allowed.size(); ++i)
    if (key.allowed[i] == text) return KeyValue(static_cast<long long>(i));
  ctx.diags.error(ctx.value_pos, fmt::format("'{}' is not a valid '{}'; expected one of: {}", quote_for_message(text),
                                             key.path, fmt::join(key.allowed, ", ")));
  return std::nullopt;
}

std::optional<std::string> parse_path_text(const KeyInfo& key, const std::string& text, const SourcePos& pos,
                                           ValueContext& ctx) {
  std::string why = path_problem(text);
  if (!why.empty()) {
    ctx.diags.error(pos, fmt::format("bad path in '{}': {}", key.path, why));
    return std::nullopt;
  }
  std::string abs = absolute_path(text, ctx.base_dir);
  if (key.must_exist) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(abs, ec)) {
      ctx.diags.error(
          pos, fmt::format("'{}': file not found (or not a regular file): {}", key.path, quote_for_message(abs, 200)));
      return std::nullopt;
    }
  }
  return abs;
}

// Walks a map node whose keys must be unique identifiers.  Calls `entry` for
// each (name, value node, value position); returns false on a shape problem.
template <class F>
bool for_each_named_entry(const KeyInfo& key, const YAML::Node& node, ValueContext& ctx, F entry) {
  if (node.IsNull()) return true;  // `params:` with nothing is an empty map
  if (!node.IsMap()) {
    ctx.diags.error(ctx.value_pos, fmt::format("'{}' expects a map, got {}", key.path, node_kind_text(node)));
    return false;
  }
  if (node.size() > key.max_entries) {
    ctx.diags.error(ctx.value_pos,
                    fmt::format("'{}' has {} entries; at most {} allowed", key.path, node.size(), key.max_entries));
    return false;
  }
  bool ok = true;
  std::set<std::string> seen;
  for (auto it = node.begin(); it != node.end(); ++it) {
    SourcePos key_pos = ctx.where.of(it->first, ctx.value_pos);
    if (!it->first.IsScalar() || !matches_rule(it->first.Scalar(), StringRule::kIdentifier)) {
      std::string shown = it->first.IsScalar() ? quote_for_message(it->first.Scalar()) : node_kind_text(it->first);
      ctx.diags.error(key_pos,
                      fmt::format("bad name '{}' in '{}': {}", shown, key.path, rule_text(StringRule::kIdentifier)));
      ok = false;
      continue;
    }
    const std::string& name = it->first.Scalar();
    if (!seen.insert(name).second) {
      ctx.diags.error(key_pos, fmt::format("duplicate key '{}' in '{}'", name, key.path));
      ok = false;
      continue;
    }
    SourcePos value_pos = it->second.IsNull() ? key_pos : ctx.where.of(it->second, key_pos);
    if (!entry(name, it->second, value_pos)) ok = false;
  }
  return ok;
}

}  // namespace

std::string node_kind_text(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: return "a map";
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    default: return "nothing";
  }
}

bool matches_rule(std::string_view text, StringRule rule) {
  if (text.empty() || text.size() > 64) return false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool ok = false;
    if (rule == StringRule::kName)
      ok = is_alpha(c) || is_ascii_digit(c) || c == '_' || c == '.' || c == '-';
    else
      ok = is_alpha(c) || c == '_' || (i > 0 && (is_ascii_digit(c) || c == '.'));
    if (!ok) return false;
  }
  return true;
}

std::string rule_text(StringRule rule) {
  if (rule == StringRule::kName) return "use 1 to 64 characters from A-Z a-z 0-9 _ . -";
  return "use a letter or _ then up to 63 characters from A-Z a-z 0-9 _ .";
}

std::string path_problem(std::string_view text) {
  if (text.empty()) return "the path is empty";
  if (text.size() > 4096) return "the path is longer than 4096 characters";
  for (unsigned char c : text) {
    if (c == 0) return "the path contains a NUL byte";
    // Paths may reach a netlist line (.include "..."): no line breaks, no quotes.
    if (c < 0x20 || c == 0x7f) return "the path contains a control character";
    if (c == '"') return "the path contains a double quote";
  }
  return {};
}

std::string absolute_path(const std::string& text, const std::string& base_dir) {
  std::filesystem::path p(text);
  if (p.is_relative()) p = std::filesystem::path(base_dir.empty() ? "." : base_dir) / p;
  std::error_code ec;
  std::filesystem::path abs = std::filesystem::absolute(p, ec);
  if (ec) abs = p;
  return abs.lexically_normal().string();
}

std::optional<KeyValue> parse_key_value(const KeyInfo& key, const YAML::Node& node, ValueContext& ctx) {
  switch (key.type) {
    case KeyType::kInt: {
      auto text = scalar_text(key, node, ctx, "an integer");
      if (!text) return std::nullopt;
      return parse_int(key, *text, ctx);
    }
    case KeyType::kReal: {
      auto text = scalar_text(key, node, ctx, "a number");
      if (!text) return std::nullopt;
      return parse_real(key, *text, ctx);
    }
    case KeyType::kEnum: {
      auto text = scalar_text(key, node, ctx, fmt::format("one of {}", fmt::join(key.allowed, ", ")));
      if (!text) return std::nullopt;
      return parse_enum(key, *text, ctx);
    }
    case KeyType::kBool: {
      auto text = scalar_text(key, node, ctx, "true or false");
      if (!text) return std::nullopt;
      if (*text == "true") return KeyValue(true);
      if (*text == "false") return KeyValue(false);
      ctx.diags.error(ctx.value_pos,
                      fmt::format("'{}' expects true or false, got '{}'", key.path, quote_for_message(*text)));
      return std::nullopt;
    }
    case KeyType::kString: {
      auto text = scalar_text(key, node, ctx, "a name");
      if (!text) return std::nullopt;
      if (!matches_rule(*text, key.rule)) {
        ctx.diags.error(ctx.value_pos, fmt::format("'{}' is not a valid '{}': {}", quote_for_message(*text), key.path,
                                                   rule_text(key.rule)));
        return std::nullopt;
      }
      return KeyValue(*text);
    }
    case KeyType::kPath: {
      auto text = scalar_text(key, node, ctx, "a path");
      if (!text) return std::nullopt;
      auto abs = parse_path_text(key, *text, ctx.value_pos, ctx);
      if (!abs) return std::nullopt;
      return KeyValue(*abs);
    }
    case KeyType::kPathList: {
      if (node.IsNull()) return KeyValue(std::vector<std::string>{});
      if (!node.IsSequence()) {
        ctx.diags.error(ctx.value_pos,
                        fmt::format("'{}' expects a list of paths, got {}", key.path, node_kind_text(node)));
        return std::nullopt;
      }
      if (node.size() > key.max_entries) {
        ctx.diags.error(ctx.value_pos,
                        fmt::format("'{}' has {} entries; at most {} allowed", key.path, node.size(), key.max_entries));
        return std::nullopt;
      }
      std::vector<std::string> out;
      bool ok = true;
      for (const auto& item : node) {
        SourcePos pos = ctx.where.of(item, ctx.value_pos);
        if (!item.IsScalar()) {
          ctx.diags.error(pos,
                          fmt::format("'{}' expects a list of paths; this item is {}", key.path, node_kind_text(item)));
          ok = false;
          continue;
        }
        auto abs = parse_path_text(key, item.Scalar(), pos, ctx);
        if (abs)
          out.push_back(*abs);
        else
          ok = false;
      }
      if (!ok) return std::nullopt;
      return KeyValue(std::move(out));
    }
    case KeyType::kNumberMap: {
      std::map<std::string, double> out;
      bool ok = for_each_named_entry(
          key, node, ctx, [&](const std::string& name, const YAML::Node& value, const SourcePos& pos) {
            if (!value.IsScalar()) {
              ctx.diags.error(pos,
                              fmt::format("'{}.{}' expects a number, got {}", key.path, name, node_kind_text(value)));
              return false;
            }
            auto v = parse_real_text(key, value.Scalar(), pos, ctx.diags);
            if (v) out[name] = *v;
            return v.has_value();
          });
      if (!ok) return std::nullopt;
      return KeyValue(std::move(out));
    }
    case KeyType::kOptionMap: {
      std::map<std::string, std::string> out;
      bool ok = for_each_named_entry(
          key, node, ctx, [&](const std::string& name, const YAML::Node& value, const SourcePos& pos) {
            if (value.IsScalar()) {
              const std::string& text = value.Scalar();
              // Numbers are stored in plain form so no suffix reaches ngspice.
              const SpiceNumber n = parse_spice_number_ex(text);
              if (n.value) {
                out[name] = format_number(*n.value);
                return true;
              }
              // nan, inf and 1e999 are numbers gone wrong, not identifiers.
              if (n.problem != NumberProblem::kSyntax) {
                ctx.diags.error(pos,
                                fmt::format("{} (in '{}.{}')", number_problem_text(text, n.problem), key.path, name));
                return false;
              }
              if (matches_rule(text, StringRule::kIdentifier)) {
                out[name] = text;
                return true;
              }
            }
            std::string shown =
                value.IsScalar() ? "'" + quote_for_message(value.Scalar()) + "'" : node_kind_text(value);
            ctx.diags.error(pos,
                            fmt::format("'{}.{}' expects a number or an identifier, got {}", key.path, name, shown));
            return false;
          });
      if (!ok) return std::nullopt;
      return KeyValue(std::move(out));
    }
  }
  return std::nullopt;
}

}  // namespace xbar
