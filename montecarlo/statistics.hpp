#pragma once
// The statistics of a Monte-Carlo run: per metric its moments, percentiles
// and, against a user's limit, its yield with an exact binomial confidence
// interval.  Pure arithmetic on the samples' metrics.
#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace xbar {

// Two-sided Clopper-Pearson interval of a binomial proportion: `pass`
// successes in `n` trials at confidence level `confidence`.  Its coverage is
// at least the nominal level for every true yield, which is what a sign-off
// needs (Wilson's interval is narrower but covers less than nominal near 0
// and 1, where yields live).  n = 0 gives [0, 1].
struct BinomialInterval {
  double low = 0, high = 1;
};
BinomialInterval clopper_pearson(std::size_t pass, std::size_t n, double confidence);

// Percentile p in [0, 100] of sorted values by linear interpolation between
// closest ranks (numpy's default, Hyndman and Fan type 7).
double percentile_of_sorted(const std::vector<double>& sorted, double p);

// The percentiles statistics.json lists.
inline const std::vector<double>& reported_percentiles() {
  static const std::vector<double> p = {1, 5, 25, 50, 75, 95, 99};
  return p;
}

// One sample as the statistics see it: failed samples have no metrics.
struct SampleMetrics {
  bool ok = false;
  std::vector<std::pair<std::string, double>> metrics;
};

struct YieldResult {
  double limit = 0;
  bool upper = true;                  // pass: value <= limit (upper) or >= limit
  std::size_t pass = 0, samples = 0;  // samples: every sample run, failed ones counting as not passing
  double value = 0;                   // pass / samples
  BinomialInterval interval;
};

struct MetricStatistics {
  std::size_t count = 0;                               // samples with this metric
  double mean = 0, std = 0, min = 0, max = 0;          // std: sample standard deviation (n - 1)
  std::vector<std::pair<double, double>> percentiles;  // (p, value)
  std::optional<YieldResult> yield;
};

struct MonteCarloStatistics {
  std::size_t samples = 0, failed = 0;
  double confidence = 0.95;
  std::map<std::string, MetricStatistics> metrics;
  // Every limit passes together (each sample must meet all of them).
  std::optional<YieldResult> overall;
  std::vector<std::string> unknown_limits;  // limits on metrics no sample has
};

MonteCarloStatistics compute_statistics(const std::vector<SampleMetrics>& samples,
                                        const std::map<std::string, double>& upper_limits,
                                        const std::map<std::string, double>& lower_limits, double confidence);

}  // namespace xbar
