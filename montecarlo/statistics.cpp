#include "montecarlo/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include <boost/math/special_functions/beta.hpp>

namespace xbar {

BinomialInterval clopper_pearson(std::size_t pass, std::size_t n, double confidence) {
  BinomialInterval out;
  if (n == 0) return out;
  const double alpha = 1.0 - confidence;
  const double x = static_cast<double>(pass), m = static_cast<double>(n);
  // The bounds are quantiles of beta distributions (Clopper and Pearson,
  // Biometrika 26(4), 1934): low = B(alpha/2; x, n-x+1), high = B(1-alpha/2; x+1, n-x).
  out.low = pass == 0 ? 0.0 : boost::math::ibeta_inv(x, m - x + 1, alpha / 2);
  out.high = pass == n ? 1.0 : boost::math::ibeta_inv(x + 1, m - x, 1 - alpha / 2);
  return out;
}

double percentile_of_sorted(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return std::numeric_limits<double>::quiet_NaN();
  const double h = (static_cast<double>(sorted.size()) - 1) * p / 100.0;
  const auto lo = static_cast<std::size_t>(std::floor(h));
  const std::size_t hi = std::min(lo + 1, sorted.size() - 1);
  return sorted[lo] + (h - static_cast<double>(lo)) * (sorted[hi] - sorted[lo]);
}

namespace {

const double* find_metric(const SampleMetrics& s, const std::string& name) {
  for (const auto& [n, v] : s.metrics)
    if (n == name) return &v;
  return nullptr;
}

bool passes(const SampleMetrics& s, const std::string& name, double limit, bool upper) {
  const double* v = s.ok ? find_metric(s, name) : nullptr;
  return v && (upper ? *v <= limit : *v >= limit);
}

YieldResult make_yield(std::size_t pass, std::size_t n, double limit, bool upper, double confidence) {
  YieldResult y;
  y.limit = limit;
  y.upper = upper;
  y.pass = pass;
  y.samples = n;
  y.value = n ? static_cast<double>(pass) / static_cast<double>(n) : 0.0;
  y.interval = clopper_pearson(pass, n, confidence);
  return y;
}

}  // namespace

MonteCarloStatistics compute_statistics(const std::vector<SampleMetrics>& samples,
                                        const std::map<std::string, double>& upper_limits,
                                        const std::map<std::string, double>& lower_limits, double confidence) {
  MonteCarloStatistics st;
  st.samples = samples.size();
  st.confidence = confidence;
  std::map<std::string, std::vector<double>> values;
  for (const auto& s : samples) {
    if (!s.ok) {
      ++st.failed;
      continue;
    }
    for (const auto& [name, v] : s.metrics)
      if (std::isfinite(v)) values[name].push_back(v);
  }
  for (auto& [name, v] : values) {
    MetricStatistics m;
    m.count = v.size();
    double sum = 0;
    for (double x : v) sum += x;
    m.mean = sum / static_cast<double>(v.size());
    double ss = 0;  // two passes: no cancellation for a small spread around a large mean
    for (double x : v) ss += (x - m.mean) * (x - m.mean);
    m.std = v.size() > 1 ? std::sqrt(ss / static_cast<double>(v.size() - 1)) : 0.0;
    std::sort(v.begin(), v.end());
    m.min = v.front();
    m.max = v.back();
    for (double p : reported_percentiles()) m.percentiles.emplace_back(p, percentile_of_sorted(v, p));
    st.metrics[name] = std::move(m);
  }
  auto add_yield = [&](const std::string& name, double limit, bool upper) {
    auto it = st.metrics.find(name);
    if (it == st.metrics.end()) {
      st.unknown_limits.push_back(name);
      return;
    }
    std::size_t pass = 0;
    for (const auto& s : samples) pass += passes(s, name, limit, upper) ? 1 : 0;
    it->second.yield = make_yield(pass, samples.size(), limit, upper, confidence);
  };
  for (const auto& [name, limit] : upper_limits) add_yield(name, limit, true);
  for (const auto& [name, limit] : lower_limits) add_yield(name, limit, false);
  if (!upper_limits.empty() || !lower_limits.empty()) {
    std::size_t pass = 0;
    for (const auto& s : samples) {
      bool all = s.ok;
      for (const auto& [name, limit] : upper_limits) all = all && passes(s, name, limit, true);
      for (const auto& [name, limit] : lower_limits) all = all && passes(s, name, limit, false);
      pass += all ? 1 : 0;
    }
    st.overall = make_yield(pass, samples.size(), 0, true, confidence);
  }
  return st;
}

}  // namespace xbar
