#pragma once
// The whole content of a text file; empty when it cannot be read.
#include <fstream>
#include <sstream>
#include <string>

inline std::string read_text_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
