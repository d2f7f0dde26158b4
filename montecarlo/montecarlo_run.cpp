#include "montecarlo/montecarlo_run.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <nlohmann/json.hpp>

#include "common/atomic_file.hpp"
#include "common/diagnostics.hpp"
#include "config_loader/loader.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "netlist_gen/variability.hpp"
#include "report/run_outputs.hpp"
#include "sweep/point_record.hpp"
#include "sweep/sweep_store.hpp"

namespace xbar {

namespace fs = std::filesystem;

namespace {

bool has_section(const Config& c, std::string_view section) {
  for (const auto& [key, pos] : c.origin)
    if (key.size() > section.size() && key.compare(0, section.size(), section) == 0 && key[section.size()] == '.')
      return true;
  return false;
}

}  // namespace

Config load_montecarlo_config(const std::string& config_path, const std::vector<std::string>& sets) {
  Config c = load_config(config_path, sets);
  Diagnostics d;
  if (!has_section(c, "montecarlo"))
    d.error({config_path, 1, 1}, "the config has no 'montecarlo:' section; add one with samples (and limits)");
  if (c.sweep)
    d.error(c.where("sweep"),
            "a Monte-Carlo config has no 'sweep:' section: xbar montecarlo sweeps the samples "
            "itself (run one xbar montecarlo per swept value)");
  if (c.origin.count("montecarlo.sample"))
    d.error(c.where("montecarlo.sample"),
            "'montecarlo.sample' is set by xbar montecarlo for each sample; remove it "
            "(it is for rerunning one sample with xbar run)");
  for (const auto& [name, limit] : c.montecarlo.lower_limits)
    if (c.montecarlo.limits.count(name))
      d.error(c.where("montecarlo.lower_limits"),
              fmt::format("'{}' has both an upper and a lower limit; give it one", name));
  if (!d.empty()) throw InputError(std::move(d));
  return c;
}

TransistorTableReport prefill_transistor_tables(Config config) {
  config.montecarlo.sample = 0;
  const TileSpec tile = build_tile_spec(config);
  TransistorTableReport report;
  if (tile.access_transistors()) transistor_tables(tile, &report);
  return report;
}

std::vector<std::string> montecarlo_sweep_sets(const Config& c) {
  const int n = c.montecarlo.samples;
  return {
      "montecarlo.limits={}",
      "montecarlo.lower_limits={}",
      "montecarlo.confidence=0.95",
      fmt::format("sweep={{mode: grid, keep: summary, params: {{montecarlo.sample: {{from: 0, to: {}, steps: {}}}}}}}",
                  n - 1, n),
  };
}

namespace {

nlohmann::json yield_json(const YieldResult& y, bool with_limit) {
  nlohmann::json j = {{"yield", y.value},
                      {"yield_low", y.interval.low},
                      {"yield_high", y.interval.high},
                      {"pass", y.pass},
                      {"samples", y.samples}};
  if (with_limit) {
    j["limit"] = y.limit;
    j["limit_kind"] = y.upper ? "upper" : "lower";
  }
  return j;
}

std::string percentile_name(double p) { return fmt::format("p{:g}", p); }

void write_statistics_json(const Config& c, const MonteCarloStatistics& st, const fs::path& dir) {
  using nlohmann::json;
  json metrics = json::object();
  for (const auto& [name, m] : st.metrics) {
    json j = {{"count", m.count}, {"mean", m.mean}, {"std", m.std}, {"min", m.min}, {"max", m.max}};
    for (const auto& [p, v] : m.percentiles) j[percentile_name(p)] = v;
    if (m.yield) j.update(yield_json(*m.yield, true));
    metrics[name] = j;
  }
  json out = {{"name", c.name},
              {"samples_requested", c.montecarlo.samples},
              {"samples", st.samples},
              {"failed", st.failed},
              {"seed", c.montecarlo.seed},
              {"confidence", st.confidence},
              {"interval", "clopper-pearson"},
              {"metrics", metrics}};
  if (st.overall) out["all_limits"] = yield_json(*st.overall, false);
  write_file_atomically(dir / "statistics.json", out.dump(2) + "\n");
}

void write_statistics_csv(const MonteCarloStatistics& st, const fs::path& dir) {
  write_file_atomically(dir / "statistics.csv", [&](std::ostream& out) {
    out << "metric,count,mean,std,min";
    for (double p : reported_percentiles()) out << ',' << percentile_name(p);
    out << ",max,limit,limit_kind,pass,samples,yield,yield_low,yield_high\n";
    for (const auto& [name, m] : st.metrics) {
      out << name << ',' << m.count << ',' << csv_number(m.mean) << ',' << csv_number(m.std) << ','
          << csv_number(m.min);
      for (const auto& [p, v] : m.percentiles) out << ',' << csv_number(v);
      out << ',' << csv_number(m.max);
      if (m.yield)
        out << ',' << csv_number(m.yield->limit) << ',' << (m.yield->upper ? "upper" : "lower") << ',' << m.yield->pass
            << ',' << m.yield->samples << ',' << csv_number(m.yield->value) << ',' << csv_number(m.yield->interval.low)
            << ',' << csv_number(m.yield->interval.high);
      else
        out << ",,,,,,,";
      out << '\n';
    }
  });
}

}  // namespace

MonteCarloStatistics write_montecarlo_statistics(const Config& c, const fs::path& dir) {
  const SweepManifest manifest = read_manifest(dir);
  const auto journal = read_journal(dir, manifest);
  std::vector<PointRecord> records;
  std::vector<SampleMetrics> samples;
  for (const auto& [point, r] : journal) {
    if (r.crashed && r.retry) continue;  // the worker died under it: not the sample's verdict yet
    PointRecord row = r;
    row.values = {std::to_string(sample_seed(c.montecarlo.seed, point))};
    records.push_back(std::move(row));
    samples.push_back({r.ok, r.metrics});
  }
  write_file_atomically(dir / "samples.csv", [&](std::ostream& out) { write_sweep_csv(out, {"seed"}, records); });
  const MonteCarloStatistics st =
      compute_statistics(samples, c.montecarlo.limits, c.montecarlo.lower_limits, c.montecarlo.confidence);
  write_statistics_json(c, st, dir);
  write_statistics_csv(st, dir);
  if (!st.unknown_limits.empty() && st.samples > st.failed) {
    std::vector<std::string> names;
    for (const auto& [name, m] : st.metrics) names.push_back(name);
    throw InputError(
        c.where(c.montecarlo.limits.count(st.unknown_limits.front()) ? "montecarlo.limits" : "montecarlo.lower_limits"),
        fmt::format("no sample has the metric '{}'; the samples have: {}", st.unknown_limits.front(),
                    fmt::join(names, ", ")));
  }
  return st;
}

}  // namespace xbar
