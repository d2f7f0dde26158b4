#include "regression/text_diff.hpp"

#include <algorithm>
#include <sstream>
#include <vector>

#include <fmt/format.h>

namespace xbar::regression {
namespace {

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  return lines;
}

struct Edit {
  char op;           // ' ', '-', '+'
  std::size_t a, b;  // line index in old / new (of the line, or where it would be)
};

// Longest common subsequence, O(n m): expected files are a few thousand lines at most.
std::vector<Edit> edit_script(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  const std::size_t n = a.size(), m = b.size();
  std::vector<std::vector<unsigned>> lcs(n + 1, std::vector<unsigned>(m + 1, 0));
  for (std::size_t i = n; i-- > 0;)
    for (std::size_t j = m; j-- > 0;)
      lcs[i][j] = a[i] == b[j] ? lcs[i + 1][j + 1] + 1 : std::max(lcs[i + 1][j], lcs[i][j + 1]);
  std::vector<Edit> out;
  std::size_t i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] == b[j])
      out.push_back({' ', i++, j++});
    else if (i < n && (j == m || lcs[i + 1][j] >= lcs[i][j + 1]))
      out.push_back({'-', i++, j});  // '-' before '+'
    else
      out.push_back({'+', i, j++});
  }
  return out;
}

}  // namespace

std::string unified_diff(const std::string& old_text, const std::string& new_text, const std::string& old_label,
                         const std::string& new_label, int context) {
  if (old_text == new_text) return "";
  const auto a = split_lines(old_text), b = split_lines(new_text);
  const std::vector<Edit> edits = edit_script(a, b);
  const std::size_t ctx = static_cast<std::size_t>(std::max(context, 0));
  std::string out = fmt::format("--- {}\n+++ {}\n", old_label, new_label);
  std::size_t k = 0;
  while (k < edits.size()) {
    while (k < edits.size() && edits[k].op == ' ') ++k;
    if (k == edits.size()) break;
    // A hunk: from ctx lines before this change to ctx lines after the last
    // change that is closer than 2*ctx unchanged lines to the next.
    const std::size_t begin = k >= ctx ? k - ctx : 0;
    std::size_t end = k;
    while (end < edits.size()) {
      std::size_t run = end;
      while (run < edits.size() && edits[run].op != ' ') ++run;
      std::size_t same = run;
      while (same < edits.size() && edits[same].op == ' ') ++same;
      if (same == edits.size() || same - run > 2 * ctx) {
        end = std::min(run + ctx, edits.size());
        break;
      }
      end = same;
    }
    std::size_t old_count = 0, new_count = 0;
    for (std::size_t e = begin; e < end; ++e) {
      if (edits[e].op != '+') ++old_count;
      if (edits[e].op != '-') ++new_count;
    }
    const std::size_t old_start = edits[begin].a + (old_count ? 1 : 0),
                      new_start = edits[begin].b + (new_count ? 1 : 0);
    out += fmt::format("@@ -{},{} +{},{} @@\n", old_start, old_count, new_start, new_count);
    for (std::size_t e = begin; e < end; ++e)
      out += fmt::format("{}{}\n", edits[e].op, edits[e].op == '+' ? b[edits[e].b] : a[edits[e].a]);
    k = end;
  }
  return out;
}

}  // namespace xbar::regression
