// The public C++ API (include/xbar/xbar.hpp): a thin layer over the runner.
// Jobs run through run_job() / run_tile_job(), exactly as the program's; this
// file only translates types and errors.
#include "xbar/xbar.hpp"

#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <limits>
#include <mutex>
#include <thread>

#include "common/child_registry.hpp"
#include "config_loader/loader.hpp"
#include "models/registry.hpp"
#include "netlist_gen/tile_builder.hpp"
#include "report/run_outputs.hpp"
#include "runner/run_job.hpp"
#include "sweep/point_record.hpp"
#include "sweep/sweep_points.hpp"
#include "tile/cell_current.hpp"

namespace xbar::api {

struct RunRecord {
  ::xbar::RunResult run;
};

// Where a config came from, so sweep points can be loaded the same way.
struct Config::Impl {
  std::string path;                          // a file, or empty for text
  std::string text, display_name, base_dir;  // text in memory
  std::vector<std::string> overrides;
  ::xbar::Config config;

  ::xbar::Config load(const std::vector<std::string>& extra) const {
    std::vector<std::string> sets = overrides;
    sets.insert(sets.end(), extra.begin(), extra.end());
    return path.empty() ? load_config_text(text, display_name, base_dir, sets) : load_config(path, sets);
  }
};

namespace {

// Runs `f`, turning the internal exceptions into the public ones.
template <typename F>
auto translated(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const InputError& e) {
    std::vector<Problem> problems;
    for (const auto& d : e.diagnostics().items())
      problems.push_back(Problem{d.pos.file, d.pos.line, d.pos.col, d.message});
    if (problems.empty()) problems.push_back(Problem{"", 0, 0, e.what()});
    throw ConfigError(std::move(problems));
  } catch (const ::xbar::SimulationError& e) {
    throw SimulationError(e.what(), e.detail());
  } catch (const CheckFailed& e) {
    throw SimulationError(e.what(), "");
  }
}

::xbar::Config with_engine(::xbar::Config c, Engine engine) {
  switch (engine) {
    case Engine::from_config: break;
    case Engine::spice: c.simulator.engine = EngineKind::kSpice; break;
    case Engine::nodal: c.simulator.engine = EngineKind::kNodal; break;
    case Engine::both: c.simulator.engine = EngineKind::kBoth; break;
  }
  return c;
}

Array matrix(std::size_t n0, std::size_t n1) {
  Array a;
  a.shape = {n0, n1};
  a.data.assign(n0 * n1, 0.0);
  return a;
}

Array cube(std::size_t n0, std::size_t n1, std::size_t n2) {
  Array a;
  a.shape = {n0, n1, n2};
  a.data.assign(n0 * n1 * n2, 0.0);
  return a;
}

// The arrays of a result, from the same records columns.csv and cells.csv are
// written from.
Result to_result(::xbar::RunResult&& run) {
  Result out;
  const TileSpec& t = run.tile;
  const ::xbar::Config& c = run.config;
  out.name = c.name;
  out.cell = to_string(c.tile.cell);
  out.analysis = to_string(c.analysis.type);
  out.engine = to_string(c.simulator.engine);
  out.primary_engine = run.analysis.primary;
  out.ngspice_version = run.ngspice_version;
  out.rows = c.tile.rows;
  out.cols = c.tile.cols;
  out.phys_cols = c.tile.cell->columns_per_output() * c.tile.cols;
  out.elapsed_s = run.elapsed_s;

  const auto& columns = run.analysis.columns;
  const std::size_t C = static_cast<std::size_t>(out.cols);
  const std::size_t V = columns.size() / std::max<std::size_t>(C, 1);
  out.vectors = static_cast<int>(V);
  if (!columns.empty()) {
    out.i_ideal = matrix(V, C);
    out.rel_err = matrix(V, C);
    const bool spice = columns.front().i_spice.has_value(), nodal = columns.front().i_nodal.has_value();
    if (spice) out.i_spice = matrix(V, C);
    if (nodal) out.i_nodal = matrix(V, C);
    const bool target = columns.front().i_target.has_value();
    if (target) out.i_target = matrix(V, C);
    for (const auto& rec : columns) {
      const std::size_t k = static_cast<std::size_t>(rec.vector) * C + static_cast<std::size_t>(rec.col);
      out.i_ideal.data[k] = rec.i_ideal;
      out.rel_err.data[k] = rec.rel_err.value_or(std::numeric_limits<double>::quiet_NaN());
      if (spice) out.i_spice->data[k] = rec.i_spice.value();
      if (nodal) out.i_nodal->data[k] = rec.i_nodal.value();
      if (target) out.i_target->data[k] = rec.i_target.value();
    }
  }
  if (!t.inputs.empty()) {
    out.v_in = matrix(t.inputs.size(), static_cast<std::size_t>(t.rows));
    for (std::size_t v = 0; v < t.inputs.size(); ++v)
      std::copy(t.inputs[v].begin(), t.inputs[v].end(),
                out.v_in.data.begin() + static_cast<std::ptrdiff_t>(v * t.rows));
  }
  if (!t.g.empty()) {
    const std::size_t R = static_cast<std::size_t>(t.rows), PC = static_cast<std::size_t>(t.phys_cols());
    out.g = matrix(R, PC);
    out.g.data = t.g;
    const TileSolution* s = run.spice ? &*run.spice : (run.nodal ? &*run.nodal : nullptr);
    if (s != nullptr && !s->v_wl.empty()) {
      const std::size_t SV = static_cast<std::size_t>(s->vectors);
      out.v_wl = cube(SV, R, PC);
      out.v_bl = cube(SV, R, PC);
      out.v_cell = cube(SV, R, PC);
      out.i_cell = cube(SV, R, PC);
      for (std::size_t v = 0; v < SV; ++v)
        for (std::size_t k = 0; k < R * PC; ++k) {
          const std::size_t at = v * R * PC + k;
          const double vc = s->device_voltage(static_cast<int>(v), k);
          out.v_wl.data[at] = s->v_wl[v][k];
          out.v_bl.data[at] = s->v_bl[v][k];
          out.v_cell.data[at] = vc;
          out.i_cell.data[at] = cell_current(t, t.g[k], s->v_wl[v][k], s->v_wl[v][k] - vc, s->v_bl[v][k]);
        }
    }
  }
  for (const auto& [name, value] : metrics_of_summary(summary_json(run))) out.metrics[name] = value;
  out.record = std::make_shared<RunRecord>(RunRecord{std::move(run)});
  return out;
}

std::shared_ptr<const Config::Impl> loaded(Config::Impl impl) {
  impl.config = impl.load({});
  return std::make_shared<const Config::Impl>(std::move(impl));
}

}  // namespace

std::string version() { return XBAR_VERSION; }

std::string Problem::str() const { return Diagnostic{SourcePos{file, line, column}, message}.str(); }

namespace {

std::string problem_lines(const std::vector<Problem>& problems) {
  std::string text;
  for (const auto& p : problems) text += (text.empty() ? "" : "\n") + p.str();
  return text;
}

}  // namespace

ConfigError::ConfigError(std::vector<Problem> problems)
    : Error(problem_lines(problems)), problems_(std::move(problems)) {}

Config::Config(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

Config Config::from_file(const std::string& path, const std::vector<std::string>& overrides) {
  return translated([&] {
    Impl impl;
    impl.path = path;
    impl.overrides = overrides;
    return Config(loaded(std::move(impl)));
  });
}

Config Config::from_string(const std::string& yaml, const std::string& display_name, const std::string& base_dir,
                           const std::vector<std::string>& overrides) {
  return translated([&] {
    Impl impl;
    impl.text = yaml;
    impl.display_name = display_name;
    impl.base_dir = base_dir;
    impl.overrides = overrides;
    return Config(loaded(std::move(impl)));
  });
}

std::string Config::name() const { return impl_->config.name; }
int Config::rows() const { return impl_->config.tile.rows; }
int Config::cols() const { return impl_->config.tile.cols; }
std::string Config::analysis() const { return to_string(impl_->config.analysis.type); }
std::string Config::engine() const { return to_string(impl_->config.simulator.engine); }
std::string Config::output_dir() const { return impl_->config.output.dir; }
std::string Config::resolved_yaml() const { return ::xbar::resolved_yaml(impl_->config); }
std::size_t Config::sweep_points() const { return impl_->config.sweep ? sweep_point_count(*impl_->config.sweep) : 0; }

Result run(const Config& config, Engine engine) {
  return translated([&] {
    RunContext ctx;
    return to_result(run_job(with_engine(config.impl().config, engine), ctx));
  });
}

void write_outputs(const Result& result, const std::string& dir) {
  if (!result.record) throw Error("write_outputs: this result holds no run (it was not made by xbar)");
  translated([&] { write_run_outputs(result.record->run, dir); });
}

struct Tile::Impl {
  ::xbar::Config config;
  TileSpec tile;
};

Tile::Tile(const Config& config, Engine engine) {
  impl_ = translated([&] {
    auto impl = std::make_shared<Impl>();
    impl->config = with_engine(config.impl().config, engine);
    check_supported(impl->config);
    if (impl->config.analysis.type != AnalysisKind::kOp)
      throw InputError(impl->config.where("analysis.type"),
                       "xbar::api::Tile runs analysis 'op'; run the config with xbar::api::run() instead");
    check_resources(impl->config, RunContext{}.resources);
    impl->tile = build_tile_spec(impl->config);
    return std::shared_ptr<const Impl>(std::move(impl));
  });
}

int Tile::rows() const { return impl_->tile.rows; }
int Tile::cols() const { return impl_->tile.cols; }

Result Tile::run() const {
  return translated([&] {
    RunContext ctx;
    return to_result(run_tile_job(impl_->config, impl_->tile, ctx));
  });
}

Result Tile::run(const std::vector<std::vector<double>>& inputs) const {
  return translated([&] {
    TileSpec tile = impl_->tile;
    tile.inputs = tile_inputs(impl_->config, inputs);
    RunContext ctx;
    return to_result(run_tile_job(impl_->config, std::move(tile), ctx));
  });
}

Result Tile::run(const double* inputs, std::size_t vectors) const {
  const std::size_t R = static_cast<std::size_t>(impl_->tile.rows);
  std::vector<std::vector<double>> batch(vectors);
  for (std::size_t v = 0; v < vectors; ++v) batch[v].assign(inputs + v * R, inputs + (v + 1) * R);
  return run(batch);
}

std::vector<ModelSummary> models() {
  std::vector<ModelSummary> out;
  for (const auto& m : model_registry()) {
    ModelSummary s{m.name, to_string(m.kind), m.summary, m.equation, m.source, m.limits, m.analyses, {}};
    for (const auto& p : m.params)
      s.params.push_back(ModelParam{p.name, p.unit, p.meaning, p.default_value, p.min, p.max});
    out.push_back(std::move(s));
  }
  return out;
}

void interrupt() noexcept { proc::signal_registered_children(SIGKILL); }

// Worker threads take point indices in order; finished points queue up for next().
struct Sweep::Impl {
  std::shared_ptr<const Config::Impl> base;
  SweepSpec spec;
  std::size_t count = 0;
  std::atomic<std::size_t> next_index{0};
  std::atomic<bool> cancelled{false};
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<SweepPoint> done;
  std::size_t delivered = 0;
  std::vector<std::thread> workers;
  std::atomic<std::size_t> active{0};  // workers still running

  SweepPoint run_point(std::size_t index) {
    SweepPoint p;
    p.index = index;
    const std::vector<std::string> values = sweep_point_values(spec, index);
    for (std::size_t k = 0; k < spec.params.size(); ++k) p.values.emplace_back(spec.params[k].key, values[k]);
    try {
      p.result = translated([&] {
        ::xbar::Config config = base->load(sweep_point_overrides(spec, index));
        config.sweep.reset();  // a point is one plain run
        RunContext ctx;
        return to_result(run_job(config, ctx));
      });
    } catch (const std::exception& e) {
      p.error = e.what();
    }
    return p;
  }

  void work() {
    for (;;) {
      const std::size_t index = next_index.fetch_add(1);
      if (index >= count || cancelled) return;
      SweepPoint p = run_point(index);
      std::lock_guard lock(mutex);
      if (cancelled) return;
      done.push_back(std::move(p));
      ready.notify_all();
    }
  }

  bool finished() const { return delivered >= count || cancelled; }
};

Sweep::Sweep(const Config& config, int jobs) : impl_(std::make_unique<Impl>()) {
  const auto& c = config.impl().config;
  if (!c.sweep)
    throw ConfigError({Problem{config.impl().path.empty() ? config.impl().display_name : config.impl().path, 0, 0,
                               "the config has no sweep: section"}});
  if (jobs < 1) throw ConfigError({Problem{"jobs", 0, 0, "jobs must be 1 or more"}});
  impl_->base = std::make_shared<const Config::Impl>(config.impl());
  impl_->spec = *c.sweep;
  impl_->count = sweep_point_count(impl_->spec);
  const std::size_t n = std::min<std::size_t>(static_cast<std::size_t>(jobs), impl_->count);
  impl_->active = n;
  for (std::size_t k = 0; k < n; ++k)
    impl_->workers.emplace_back([impl = impl_.get()] {
      impl->work();
      --impl->active;
    });
}

Sweep::~Sweep() { cancel(); }

std::size_t Sweep::size() const { return impl_->count; }

bool Sweep::wait(double seconds) {
  std::unique_lock lock(impl_->mutex);
  return impl_->ready.wait_for(lock, std::chrono::duration<double>(seconds),
                               [&] { return !impl_->done.empty() || impl_->finished(); });
}

std::optional<SweepPoint> Sweep::next() {
  std::unique_lock lock(impl_->mutex);
  impl_->ready.wait(lock, [&] { return !impl_->done.empty() || impl_->finished(); });
  if (impl_->done.empty()) return std::nullopt;
  SweepPoint p = std::move(impl_->done.front());
  impl_->done.pop_front();
  ++impl_->delivered;
  return p;
}

void Sweep::cancel() {
  bool running = false;
  {
    std::lock_guard lock(impl_->mutex);
    // Only points still running have children to end.
    running = !impl_->cancelled.exchange(true) && impl_->delivered + impl_->done.size() < impl_->count;
    impl_->done.clear();
    impl_->ready.notify_all();
  }
  // Again until every worker is done: a point's ngspice child may not have
  // started yet when the first interrupt goes out.
  while (running && impl_->active > 0) {
    interrupt();
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  for (auto& w : impl_->workers)
    if (w.joinable()) w.join();
}

}  // namespace xbar::api
