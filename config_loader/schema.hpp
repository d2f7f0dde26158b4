#pragma once
// The one table of config keys (docs/config.md).  The loader, `xbar check`,
// the README and the sweep module all read it: adding a key is one row in
// schema.cpp (plus its field in Config).
#include <cstddef>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config_loader/config.hpp"

namespace xbar {

enum class KeyType {
  kInt,        // integer; may be written 1k
  kReal,       // finite number with optional SPICE suffix
  kString,     // text checked by a StringRule
  kEnum,       // one of KeyInfo::allowed
  kBool,       // true | false
  kPath,       // file or folder; made absolute from the config file's folder
  kPathList,   // list of paths
  kNumberMap,  // {identifier: number}
  kOptionMap,  // {identifier: number or identifier}
};

// What a string may contain.  Every string that can reach a SPICE netlist has
// a strict rule: ngspice control lines can run shell commands.
enum class StringRule {
  kName,        // [A-Za-z0-9_.-]{1,64}
  kIdentifier,  // [A-Za-z_][A-Za-z0-9_.]{0,63}
};

// A parsed value on its way into Config.  Integers and enum indices are long
// long; option-map values are stored as text.
using KeyValue = std::variant<bool, long long, double, std::string, std::vector<std::string>,
                              std::map<std::string, double>, std::map<std::string, std::string>>;

// How a row reads and writes its Config field.
struct KeyBinding {
  std::function<void(Config&, const KeyValue&)> set;
  std::function<KeyValue(const Config&)> get;
};

struct KeyInfo {
  std::string_view path;  // dotted: "parasitics.r_wl"
  KeyType type;
  std::string_view help;  // one line
  double min = -std::numeric_limits<double>::infinity();
  double max = std::numeric_limits<double>::infinity();
  bool min_open = false;  // true: value > min (else >=)
  bool max_open = false;
  std::vector<std::string_view> allowed{};  // kEnum: names in enum order
  StringRule rule = StringRule::kName;      // kString only
  std::size_t max_entries = 64;             // kPathList, kNumberMap, kOptionMap
  bool must_exist = false;                  // kPath / kPathList: a regular file
  // Extra rule on a number; returns a message, or nullptr when fine.
  const char* (*extra_check)(double) = nullptr;
  KeyBinding bind{};

  std::string_view section() const;  // "parasitics" ("" at the root)
  std::string_view leaf() const;     // "r_wl"
};

const std::vector<KeyInfo>& config_keys();
const KeyInfo* find_key(std::string_view dotted);

// True when `dotted` names a section ("device", "device.variability").
// "" is the root section.
bool is_section(std::string_view dotted);
// Direct children of a section: key leaves and subsection names, in table order.
std::vector<std::string> section_children(std::string_view dotted);

// Texts for messages, `xbar check` and the README.
std::string type_text(const KeyInfo&);                    // "real", "one of 1R | 1T1R | 2T2R", ...
std::string range_text(const KeyInfo&);                   // "1 .. 4096", "> 0", "" when unbounded
std::string value_text(const KeyInfo&, const KeyValue&);  // as it would appear in YAML
std::string default_text(const KeyInfo&);                 // the value a default Config holds

}  // namespace xbar
