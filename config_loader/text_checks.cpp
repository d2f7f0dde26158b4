#include "config_loader/text_checks.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>

namespace xbar {

std::optional<std::string> read_text_file(const std::string& path, std::uintmax_t max_bytes, std::string_view what,
                                          Diagnostics& diags) {
  namespace fs = std::filesystem;
  SourcePos pos{path, 0, 0};
  std::error_code ec;
  fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st)) {
    diags.error(pos, fmt::format("cannot read the {}: no such file", what));
    return std::nullopt;
  }
  if (!fs::is_regular_file(st)) {
    diags.error(pos, fmt::format("cannot read the {}: not a regular file", what));
    return std::nullopt;
  }
  std::uintmax_t size = fs::file_size(path, ec);
  if (!ec && size > max_bytes) {
    diags.error(pos, fmt::format("the {} is too large ({} bytes; the limit is {})", what, size, max_bytes));
    return std::nullopt;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    diags.error(pos, fmt::format("cannot read the {}: {}", what, std::strerror(errno)));
    return std::nullopt;
  }
  // Read at most max_bytes + 1 so a file that grows meanwhile is still capped.
  std::string data;
  char buffer[65536];
  while (in && data.size() <= max_bytes) {
    in.read(buffer, sizeof buffer);
    data.append(buffer, static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) {
    diags.error(pos, fmt::format("cannot read the {}: I/O error", what));
    return std::nullopt;
  }
  if (data.size() > max_bytes) {
    diags.error(pos, fmt::format("the {} is too large (the limit is {} bytes)", what, max_bytes));
    return std::nullopt;
  }
  return data;
}

std::size_t find_nul(std::string_view text) { return text.find('\0'); }

std::size_t find_invalid_utf8(std::string_view text) {
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  std::size_t n = text.size(), i = 0;
  while (i < n) {
    unsigned char c = s[i];
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0)
      len = 2, cp = c & 0x1F;
    else if ((c & 0xF0) == 0xE0)
      len = 3, cp = c & 0x0F;
    else if ((c & 0xF8) == 0xF0)
      len = 4, cp = c & 0x07;
    else
      return i;
    if (i + len > n) return i;
    for (std::size_t k = 1; k < len; ++k) {
      if ((s[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    static const std::uint32_t min_for_len[5] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::string_view::npos;
}

std::size_t find_tab_in_indentation(std::string_view text, int last_line) {
  std::size_t start = 0;
  for (int line = 1; line <= last_line && start < text.size(); ++line) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::size_t first = text.find_first_not_of(" \t", start);
    if (first < end && text[first] != '#' && text[first] != '\r') {
      const std::size_t tab = text.find('\t', start);
      if (tab < first) return tab;
    }
    start = end + 1;
  }
  return std::string_view::npos;
}

SourcePos position_of_offset(const std::string& file, std::string_view text, std::size_t offset) {
  int line = 1, col = 1;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n')
      ++line, col = 1;
    else
      ++col;
  }
  return {file, line, col};
}

}  // namespace xbar
