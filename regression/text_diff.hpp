#pragma once
// A unified diff of two texts, line by line (what --accept shows before it
// writes).
#include <string>

namespace xbar::regression {

// "--- old_label\n+++ new_label\n@@ -a,b +c,d @@\n..." with `context` unchanged
// lines around each change; "" when the texts are equal.
std::string unified_diff(const std::string& old_text, const std::string& new_text, const std::string& old_label,
                         const std::string& new_label, int context = 2);

}  // namespace xbar::regression
