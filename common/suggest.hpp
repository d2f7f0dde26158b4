#pragma once
// "Did you mean ...?" for names a user mistyped: the nearest candidate by edit
// distance, or empty when nothing is close.
#include <string>
#include <string_view>
#include <vector>

namespace xbar {

std::size_t edit_distance(std::string_view a, std::string_view b);
std::string nearest_name(std::string_view name, const std::vector<std::string>& candidates);

}  // namespace xbar
