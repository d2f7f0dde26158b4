#pragma once
// `xbar montecarlo`: N samples of one config, run as a sweep over
// montecarlo.sample (so workers, the journal, --resume, shards and MPI are the
// sweep's), then the statistics of the samples' metrics.
#include <filesystem>
#include <string>
#include <vector>

#include "config_loader/config.hpp"
#include "device_tables/transistor_tables.hpp"
#include "montecarlo/statistics.hpp"

namespace xbar {

// Loads a Monte-Carlo config (the file plus the user's --set) and checks that
// it is one: a `montecarlo:` section, no `sweep:` section, montecarlo.sample
// left to the command, at most one limit per metric.  Throws InputError.
Config load_montecarlo_config(const std::string& config_path, const std::vector<std::string>& sets);

// The --set texts that turn the config into its sweep of samples 0..N-1.
// The limits and the confidence level are reset here: they decide only the
// statistics, so changing them keeps the samples (--resume reruns nothing).
std::vector<std::string> montecarlo_sweep_sets(const Config& config);

// The drain-current tables sample 0 needs, from the cache or swept in an
// isolated ngspice that writes them to the cache, before the workers start:
// a worker may write only the output folder, so the tables it sweeps itself
// stay in its memory and every run would sweep them again.  Later samples
// reuse nearly all of sample 0's (a sample needs new mismatch nodes only
// where its draws reach beyond the earlier ones').  Does nothing (and
// returns an empty report) for a tile without a transistor card.
TransistorTableReport prefill_transistor_tables(Config config);

// Reads the finished samples of a Monte-Carlo folder, writes samples.csv,
// statistics.json and statistics.csv into it, and returns the statistics.
// Throws InputError at montecarlo.limits when a limit names a metric no
// sample has (the statistics are still written).
MonteCarloStatistics write_montecarlo_statistics(const Config& config, const std::filesystem::path& dir);

}  // namespace xbar
