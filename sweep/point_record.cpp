#include "sweep/point_record.hpp"

#include <set>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "report/run_outputs.hpp"  // csv_number

namespace xbar {

using nlohmann::json;

std::string record_to_line(const PointRecord& r) {
  json metrics = json::object();
  for (const auto& [name, value] : r.metrics) metrics[name] = value;
  json j = {{"point", r.point}, {"values", r.values},       {"status", r.ok ? "ok" : "failed"},
            {"error", r.error}, {"elapsed_s", r.elapsed_s}, {"metrics", metrics}};
  if (r.crashed) {
    j["crashed"] = true;
    j["retry"] = r.retry;
  }
  return j.dump();
}

std::optional<PointRecord> record_from_line(std::string_view line) {
  try {
    json j = json::parse(line);
    PointRecord r;
    if (!j.at("point").is_number_unsigned()) return std::nullopt;
    r.point = j.at("point").get<std::size_t>();
    r.values = j.at("values").get<std::vector<std::string>>();
    r.ok = j.at("status").get<std::string>() == "ok";
    r.error = j.at("error").get<std::string>();
    r.elapsed_s = j.at("elapsed_s").get<double>();
    for (const auto& [name, value] : j.at("metrics").items()) r.metrics.emplace_back(name, value.get<double>());
    r.crashed = j.value("crashed", false);
    r.retry = r.crashed && j.value("retry", false);
    return r;
  } catch (const json::exception&) {
    return std::nullopt;
  }
}

std::vector<std::pair<std::string, double>> metrics_of_summary(const std::string& text) {
  std::vector<std::pair<std::string, double>> out;
  json j = json::parse(text);
  for (const auto& [name, value] : j.at("metrics").items())
    if (value.is_number()) out.emplace_back(name, value.get<double>());
  return out;  // nlohmann objects iterate in name order
}

std::string one_line(std::string_view text, std::size_t max_len) {
  std::string out;
  for (char c : text) {
    if (c == '\n' || c == '\r') {
      if (!out.empty() && out.back() != ' ') out += " | ";
    } else if (static_cast<unsigned char>(c) >= 0x20) {
      out += c;
    }
  }
  while (!out.empty() && (out.back() == ' ' || out.back() == '|')) out.pop_back();
  if (out.size() > max_len) out = out.substr(0, max_len) + "...";
  return out;
}

namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

void write_sweep_csv(std::ostream& out, const std::vector<std::string>& keys, const std::vector<PointRecord>& records) {
  std::set<std::string> names;
  for (const auto& r : records)
    for (const auto& m : r.metrics) names.insert(m.first);
  out << "point";
  for (const auto& k : keys) out << ',' << csv_field(k);
  out << ",status,error,elapsed_s";
  for (const auto& n : names) out << ',' << n;
  out << '\n';
  for (const auto& r : records) {
    out << r.point;
    for (const auto& v : r.values) out << ',' << csv_field(v);
    out << ',' << (r.ok ? "ok" : "failed") << ',' << csv_field(r.error) << ',' << fmt::format("{:.3f}", r.elapsed_s);
    auto m = r.metrics.begin();
    for (const auto& n : names) {
      out << ',';
      while (m != r.metrics.end() && m->first < n) ++m;
      if (m != r.metrics.end() && m->first == n) out << csv_number(m->second);
    }
    out << '\n';
  }
}

}  // namespace xbar
