#pragma once
// Runs one sweep point in this process: the base config plus the point's
// overrides, one job through run_job(), its outputs into points/<index>/.
// The base config and its data files are the sweep's frozen copies.
// Never throws for a failure of the point itself: that becomes a failed record.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "config_loader/sweep_spec.hpp"
#include "spice_bridge/simulator.hpp"
#include "sweep/frozen_inputs.hpp"
#include "sweep/point_record.hpp"

namespace xbar {

// What every worker needs to run any point of one sweep.
struct SweepSetup {
  std::shared_ptr<const FrozenInputs> inputs;  // read once at the start; points never reread the disk
  std::vector<std::string> sets;               // the user's --set, before the point's own
  SweepSpec spec;
  std::filesystem::path dir;  // the sweep folder
};

PointRecord run_point(const SweepSetup& setup, std::size_t point, Simulator& simulator);

}  // namespace xbar
