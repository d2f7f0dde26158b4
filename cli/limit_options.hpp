#pragma once
// The check of every limit option (--time-limit, --max-memory,
// --case-time-limit): a finite number from 0 to a bound that keeps each
// conversion in range (seconds to a clock deadline, GB to bytes).  `nan`
// would otherwise mean "no limit" and 1e308 overflow the deadline.
#include <charconv>
#include <cmath>
#include <string>

#include <fmt/format.h>
#include <CLI/CLI.hpp>

namespace xbar {

inline constexpr double kMaxTimeLimitS = 1e6;     // about 11 days
inline constexpr double kMaxMemoryLimitGb = 1e6;  // 1 PB

inline CLI::Validator limit_check(double max, const char* unit) {
  return CLI::Validator(
      [max, unit](std::string& text) -> std::string {
        double v = 0;
        const char* begin = text.data() + (text.starts_with('+') ? 1 : 0);
        const auto [end, ec] = std::from_chars(begin, text.data() + text.size(), v);
        if (text.empty() || ec != std::errc() || end != text.data() + text.size() || !std::isfinite(v))
          return fmt::format("'{}' is not a finite number of {}", text, unit);
        if (v < 0 || v > max) return fmt::format("{} is out of range: give 0 (none) to {} {}", text, max, unit);
        return {};
      },
      fmt::format("{} in [0, {}]", unit, max));
}

}  // namespace xbar
