#include "regression/outcome_codec.hpp"

#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace xbar::regression {
namespace {

using nlohmann::json;

json num(double v) { return fmt::format("{}", v); }
json opt_num(const std::optional<double>& v) { return v ? num(*v) : json(nullptr); }

double to_num(const json& j) {
  const std::string s = j.get<std::string>();
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size()) throw std::runtime_error("bad number in a case outcome: " + s);
  return v;
}
std::optional<double> to_opt_num(const json& j) {
  return j.is_null() ? std::nullopt : std::optional<double>(to_num(j));
}

}  // namespace

std::string encode_outcome(const CaseOutcome& o) {
  json j;
  j["name"] = o.name;
  j["status"] = static_cast<int>(o.status);
  j["message"] = o.message;
  j["elapsed_s"] = num(o.elapsed_s);
  j["ngspice_version"] = o.ngspice_version;
  j["expected_ngspice_version"] = o.expected_ngspice_version;
  j["artefact_dir"] = o.artefact_dir;
  json observed = json::array();
  for (const auto& [name, value] : o.observed) observed.push_back({name, num(value)});
  j["observed"] = std::move(observed);
  json checks = json::array();
  for (const ValueCheck& c : o.checks)
    checks.push_back({c.quantity, opt_num(c.expected), opt_num(c.got), num(c.tolerance.rel), num(c.tolerance.abs_floor),
                      num(c.ratio)});
  j["checks"] = std::move(checks);
  // Replace invalid UTF-8 (a log can hold anything) instead of throwing.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

CaseOutcome decode_outcome(const std::string& text) {
  try {
    const json j = json::parse(text);
    CaseOutcome o;
    o.name = j.at("name").get<std::string>();
    const int status = j.at("status").get<int>();
    if (status < 0 || status > static_cast<int>(CaseStatus::kInternal)) throw std::runtime_error("bad case status");
    o.status = static_cast<CaseStatus>(status);
    o.message = j.at("message").get<std::string>();
    o.elapsed_s = to_num(j.at("elapsed_s"));
    o.ngspice_version = j.at("ngspice_version").get<std::string>();
    o.expected_ngspice_version = j.at("expected_ngspice_version").get<std::string>();
    o.artefact_dir = j.at("artefact_dir").get<std::string>();
    for (const json& p : j.at("observed")) o.observed.emplace_back(p.at(0).get<std::string>(), to_num(p.at(1)));
    for (const json& c : j.at("checks")) {
      ValueCheck v;
      v.quantity = c.at(0).get<std::string>();
      v.expected = to_opt_num(c.at(1));
      v.got = to_opt_num(c.at(2));
      v.tolerance = {to_num(c.at(3)), to_num(c.at(4))};
      v.ratio = to_num(c.at(5));
      o.checks.push_back(std::move(v));
    }
    return o;
  } catch (const nlohmann::json::exception& e) {
    throw std::runtime_error(std::string("malformed case outcome: ") + e.what());
  }
}

}  // namespace xbar::regression
