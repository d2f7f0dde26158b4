#include "sweep/point_job.hpp"

#include <chrono>
#include <exception>

#include <fmt/format.h>

#include "common/atomic_file.hpp"
#include "config_loader/loader.hpp"
#include "network/network_outputs.hpp"
#include "network/network_run.hpp"
#include "report/failure_evidence.hpp"
#include "report/run_outputs.hpp"
#include "runner/run_job.hpp"
#include "sweep/sweep_points.hpp"
#include "sweep/sweep_store.hpp"

namespace xbar {

namespace fs = std::filesystem;

PointRecord run_point(const SweepSetup& setup, std::size_t point, Simulator& simulator) {
  const auto start = std::chrono::steady_clock::now();
  PointRecord rec;
  rec.point = point;
  rec.values = sweep_point_values(setup.spec, point);
  const fs::path dir = SweepStore::point_dir(setup.dir, point);
  std::error_code ec;
  fs::remove_all(dir, ec);  // a rerun must not leave an earlier attempt's files
  fs::create_directories(dir);
  std::string detail;
  std::vector<std::string> netlist;
  try {
    std::vector<std::string> sets = setup.sets;
    for (auto& s : sweep_point_overrides(setup.spec, point)) sets.push_back(std::move(s));
    Config config = load_frozen_config(*setup.inputs, setup.dir, sets);
    config.sweep.reset();               // a point is one plain run
    if (has_network_section(config)) {  // a point of `xbar network`
      const NetworkResult n = run_network(config);
      if (setup.spec.keep == SweepKeep::kAll)
        write_network_outputs(dir, config, n);
      else
        write_file_atomically(dir / "network.json", network_json(config, n));
      rec.metrics = network_metrics(n);
    } else {
      RunContext ctx;
      ctx.simulator = &simulator;
      RunResult r = run_job(config, ctx, &netlist);
      try {
        const std::string summary = summary_json(r);
        if (setup.spec.keep == SweepKeep::kAll)
          write_run_outputs(r, dir);
        else
          write_file_atomically(dir / "summary.json", summary);
        rec.metrics = metrics_of_summary(summary);
      } catch (...) {
        netlist = std::move(r.netlist);  // a finished job leaves its netlist in the result only
        throw;
      }
    }
    rec.ok = true;
  } catch (const InputError& e) {
    rec.error = one_line(e.diagnostics().str());
  } catch (const SimulationError& e) {
    rec.error = one_line(e.what());
    detail = e.detail();
  } catch (const fs::filesystem_error& e) {  // the outputs could not be written (a full disk)
    rec.error = one_line(e.what());
  } catch (const std::exception& e) {
    rec.error = one_line(fmt::format("internal error: {}", e.what()));
  }
  if (!rec.ok) {
    // The evidence a user needs to see why the point failed (the netlist
    // only when the point keeps all its files).
    try {
      const std::string error = rec.error + "\n";
      write_failure_evidence(dir, {.netlist = setup.spec.keep == SweepKeep::kAll ? std::span<const std::string>(netlist)
                                                                                 : std::span<const std::string>(),
                                   .log = detail,
                                   .error = error});
    } catch (const std::exception&) {
      // The journal still records the failure; losing the evidence is not worth a crash.
    }
  }
  rec.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return rec;
}

}  // namespace xbar
