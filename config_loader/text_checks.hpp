#pragma once
// Reading user files safely: size caps, and binary content (NUL bytes,
// invalid UTF-8) found before any parser sees the bytes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/diagnostics.hpp"

namespace xbar {

// The whole file, or nullopt after reporting (missing, not a regular file,
// unreadable, larger than max_bytes).  `what` names the file in messages.
std::optional<std::string> read_text_file(const std::string& path, std::uintmax_t max_bytes, std::string_view what,
                                          Diagnostics& diags);

// Byte offset of the first NUL byte, or npos.
std::size_t find_nul(std::string_view text);
// Byte offset of the first byte that breaks UTF-8, or npos.
std::size_t find_invalid_utf8(std::string_view text);
// Byte offset of the first tab in a line's indentation (the blanks before its
// first other character, on lines that are not comments), among the lines
// from the start up to 1-based line `last_line`; npos when there is none.
std::size_t find_tab_in_indentation(std::string_view text, int last_line);
// 1-based line and column (in bytes) of a byte offset.
SourcePos position_of_offset(const std::string& file, std::string_view text, std::size_t offset);

}  // namespace xbar
