#include "common/diagnostics.hpp"

#include <fmt/format.h>

namespace xbar {

std::string SourcePos::str() const {
  std::string f = file.empty() ? "<input>" : file;
  if (line <= 0) return f;
  if (col <= 0) return fmt::format("{}:{}", f, line);
  return fmt::format("{}:{}:{}", f, line, col);
}

std::string Diagnostic::str() const { return fmt::format("{}: error: {}", pos.str(), message); }

void Diagnostics::error(SourcePos pos, std::string message) { items_.push_back({std::move(pos), std::move(message)}); }

void Diagnostics::append(const Diagnostics& other) {
  items_.insert(items_.end(), other.items_.begin(), other.items_.end());
}

std::string Diagnostics::str() const {
  std::string out;
  for (const auto& d : items_) {
    out += d.str();
    out += '\n';
  }
  return out;
}

static std::string first_line(const Diagnostics& d) {
  return d.empty() ? std::string("bad input") : d.items().front().str();
}

InputError::InputError(Diagnostics diags) : std::runtime_error(first_line(diags)), diags_(std::move(diags)) {}

InputError::InputError(SourcePos pos, const std::string& message) : std::runtime_error(Diagnostic{pos, message}.str()) {
  diags_.error(std::move(pos), message);
}

}  // namespace xbar
