#pragma once
// ASCII lower case: SPICE reads names and keywords case-insensitively, and
// ngspice reports every vector name in lower case.
#include <algorithm>
#include <cctype>
#include <string>
#include <string_view>

namespace xbar {

inline std::string ascii_lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

}  // namespace xbar
