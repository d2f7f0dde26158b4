#include "sweep/sweep_runner.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/diagnostics.hpp"
#include "common/output_path.hpp"
#include "config_loader/loader.hpp"
#include "sweep/sweep_scheduler.hpp"

namespace xbar {

namespace fs = std::filesystem;

SweepPlan plan_sweep(const std::string& config_path, const std::vector<std::string>& sets, const fs::path& out_dir) {
  auto inputs = std::make_shared<FrozenInputs>(freeze_config(config_path));
  const Config base = load_config_text(inputs->config.content, config_path, inputs->base_dir, sets);
  if (!base.sweep)
    throw InputError({config_path, 1, 1}, "the config has no 'sweep:' section; add one with mode and params");
  freeze_data_files(*inputs, base, *base.sweep);
  SweepPlan plan;
  plan.setup.inputs = inputs;
  plan.setup.sets = sets;
  plan.setup.spec = *base.sweep;
  plan.setup.dir = out_dir.empty() ? fs::path(base.output.dir) : out_dir;
  if (const std::string why = output_dir_problem(plan.setup.dir); !why.empty())
    throw InputError(out_dir.empty() ? base.where("output.dir") : SourcePos{"command line (-o)", 0, 0},
                     "cannot use the sweep folder: " + why);
  plan.points = sweep_point_count(plan.setup.spec);
  Config without_dir = base;
  without_dir.output.dir = "";  // -o may differ between shards; results do not
  // The data files' contents decide the results too (their paths are in the YAML).
  std::string decided_by = resolved_yaml(without_dir);
  for (const auto& f : inputs->data) decided_by += fmt::format("\n# data {} {}", f.path, f.fingerprint);
  plan.fingerprint = sweep_fingerprint(plan.setup.spec, decided_by);
  return plan;
}

SweepSession::SweepSession(const SweepOptions& opt, SweepObserver& observer)
    : start_(std::chrono::steady_clock::now()),
      observer_(observer),
      plan_(plan_sweep(opt.config_path, opt.sets, opt.out_dir)),
      last_csv_(start_) {
  SweepManifest manifest;
  manifest.fingerprint = plan_.fingerprint;
  for (const auto& p : plan_.setup.spec.params) manifest.keys.push_back(p.key);
  manifest.points = plan_.points;
  manifest.config = plan_.setup.inputs->config.path;
  manifest.inputs.push_back({plan_.setup.inputs->config.path, plan_.setup.inputs->config.fingerprint});
  for (const auto& f : plan_.setup.inputs->data) manifest.inputs.push_back({f.path, f.fingerprint});
  store_ = std::make_unique<SweepStore>(plan_.setup.dir, manifest, opt.resume);
  for (const auto& [point, r] : store_->finished())
    if (r.values != sweep_point_values(plan_.setup.spec, point))
      throw InputError(
          {(plan_.setup.dir / "journal.jsonl").string(), 0, 0},
          fmt::format("point {} is journaled with the values [{}], but this sweep's point {} has [{}]", point,
                      fmt::join(r.values, ", "), point, fmt::join(sweep_point_values(plan_.setup.spec, point), ", ")));
  write_frozen_copies(*plan_.setup.inputs, plan_.setup.dir);
  for (std::size_t i = 0; i < plan_.points; ++i) {
    if (!opt.shard.holds(i)) continue;
    ++progress_.total;
    if (auto it = store_->finished().find(i); it != store_->finished().end() && !it->second.retry) {
      ++progress_.done;
      ++progress_.resumed;
      if (!it->second.ok) ++progress_.failed;
    } else {
      pending_.push_back(i);
    }
  }
  observer_.started(progress_, store_->dir());
}

void SweepSession::record(PointRecord r) {
  r.values = sweep_point_values(plan_.setup.spec, r.point);  // also for points that died with their worker
  if (r.crashed) {
    // Retried on --resume, unless this is a retry that died the same way.
    auto before = store_->finished().find(r.point);
    r.retry = !(before != store_->finished().end() && before->second.crashed && before->second.error == r.error);
  }
  store_->append(r);
  ++progress_.done;
  if (!r.ok) ++progress_.failed;
  progress_.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  observer_.point_finished(r, progress_);
}

void SweepSession::refresh_csv(bool now) {
  if (!now && std::chrono::steady_clock::now() - last_csv_ < std::chrono::seconds(5)) return;
  store_->write_csv();
  last_csv_ = std::chrono::steady_clock::now();
}

SweepOutcome SweepSession::finish(bool interrupted, const PoolStats& stats) {
  refresh_csv(true);
  SweepOutcome out;
  out.progress = progress_;
  out.progress.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  out.interrupted = interrupted;
  out.dir = store_->dir();
  out.pool = stats;
  return out;
}

SweepOutcome run_sweep(const SweepOptions& opt, SweepObserver& observer, const volatile std::sig_atomic_t* stop) {
  SweepSession session(opt, observer);
  LocalWorkers local(session.plan().setup, opt, 250);
  return schedule_points(session, local, {}, stop);
}

}  // namespace xbar
