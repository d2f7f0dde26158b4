#pragma once
// A config from an in-memory yaml-cpp tree (needs yaml-cpp in the consumer;
// xbar.hpp itself does not).  Messages name the tree as `display_name`, with
// the line and column of the tree written out as YAML.
#include <yaml-cpp/yaml.h>

#include "xbar/xbar.hpp"

namespace xbar::api {

inline Config config_from_yaml(const YAML::Node& tree, const std::vector<std::string>& overrides = {},
                               const std::string& display_name = "<yaml tree>", const std::string& base_dir = ".") {
  YAML::Emitter out;
  out << tree;
  return Config::from_string(out.c_str(), display_name, base_dir, overrides);
}

}  // namespace xbar::api
