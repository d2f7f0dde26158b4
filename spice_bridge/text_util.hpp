#pragma once
// Small text helpers for reading ngspice's log and guarding netlists.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace xbar::spice {

inline std::string_view trim_left(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  return s;
}

inline std::string_view trim(std::string_view s) {
  s = trim_left(s);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return s;
}

}  // namespace xbar::spice
