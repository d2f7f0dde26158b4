#pragma once
// Sets an environment variable for one scope, then restores it (tests only).
#include <cstdlib>
#include <optional>
#include <string>

namespace xbar::test {

struct EnvFor {
  std::string name;
  std::optional<std::string> old;
  EnvFor(std::string n, const std::string& value) : name(std::move(n)) {
    if (const char* o = std::getenv(name.c_str())) old = o;
    setenv(name.c_str(), value.c_str(), 1);
  }
  ~EnvFor() { old ? setenv(name.c_str(), old->c_str(), 1) : unsetenv(name.c_str()); }
  EnvFor(const EnvFor&) = delete;
  EnvFor& operator=(const EnvFor&) = delete;
};

}  // namespace xbar::test
