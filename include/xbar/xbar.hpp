#pragma once
// xbar as a C++ library: the same jobs as the `xbar` program, with results in
// memory instead of files.  Link `xbar::xbar` (CMake: find_package(xbar)) or
// `pkg-config --cflags --libs xbar`.  C++17; only the standard library appears
// here, so a consumer needs none of xbar's dependencies to compile.
//
//   xbar::api::Config config = xbar::api::Config::from_file("example.yaml", {"parasitics.r_wl=2.5"});
//   xbar::api::Result r = xbar::api::run(config);            // like `xbar run`
//   double worst = r.metrics.at("max_rel_err");
//   xbar::api::Tile tile(config);                            // build once ...
//   xbar::api::Result b = tile.run({{0.1, 0.5, ...}, ...});  // ... run many input batches
//
// Errors are exceptions: ConfigError (bad config, data file, override or input
// batch: what the program reports with exit code 2, with the same positions),
// SimulationError (exit code 3).  Every function may also throw
// std::bad_alloc; anything else escaping is a bug.
//
// Threads: Config and Result are values; a Tile may run from several threads
// at once (each SPICE run is its own child process).  interrupt() stops every
// SPICE run of the process at once, e.g. from a signal handler.
#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "xbar/version.hpp"

#if defined(_WIN32)
#define XBAR_API
#else
#define XBAR_API __attribute__((visibility("default")))
#endif

namespace xbar::api {

// The version of the library (XBAR_VERSION is that of the headers).
XBAR_API std::string version();

// One problem in the user's input, positioned as the program reports it.
// line and column count from 1; 0 where unknown.
struct XBAR_API Problem {
  std::string file;  // the config file, a data file, "--set" (line: the override's number), "input batch"
  int line = 0;
  int column = 0;
  std::string message;
  std::string str() const;  // "FILE:LINE:COL: error: MESSAGE"
};

class XBAR_API Error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Bad input: every problem found, all at once (what() holds one line per problem).
class XBAR_API ConfigError : public Error {
 public:
  explicit ConfigError(std::vector<Problem> problems);
  const std::vector<Problem>& problems() const { return problems_; }

 private:
  std::vector<Problem> problems_;
};

// The simulation failed: an ngspice error, non-convergence, a failed result
// check (Kirchhoff's law), a time limit, or an interrupt().  log() holds the
// simulator's own words when there are any.
class XBAR_API SimulationError : public Error {
 public:
  SimulationError(const std::string& what, std::string log) : Error(what), log_(std::move(log)) {}
  const std::string& log() const { return log_; }

 private:
  std::string log_;
};

// Which engine solves the tile: the config's `simulator.engine`, or that key
// overridden.
enum class Engine { from_config, spice, nodal, both };

// A loaded, checked config: every default filled in, data-file paths resolved.
class XBAR_API Config {
 public:
  // `overrides`: "KEY=VALUE" texts, exactly like the program's `--set`
  // (VALUE is YAML; relative paths are taken from the config file's folder).
  static Config from_file(const std::string& path, const std::vector<std::string>& overrides = {});
  // YAML text in memory.  `display_name` names it in messages; relative paths
  // are taken from `base_dir`.  (For a yaml-cpp tree, see xbar/yaml.hpp.)
  static Config from_string(const std::string& yaml, const std::string& display_name = "<string>",
                            const std::string& base_dir = ".", const std::vector<std::string>& overrides = {});

  std::string name() const;
  int rows() const;
  int cols() const;
  std::string analysis() const;  // "op", "read", "tran"
  std::string engine() const;    // "spice", "nodal", "both"
  std::string output_dir() const;
  // Every key with its value, as `xbar check` prints it.
  std::string resolved_yaml() const;
  // Points of the config's `sweep:` section (0 when it has none).
  std::size_t sweep_points() const;

  struct Impl;
  explicit Config(std::shared_ptr<const Impl> impl);
  const Impl& impl() const { return *impl_; }

 private:
  std::shared_ptr<const Impl> impl_;
};

// A dense row-major array of doubles.
struct Array {
  std::vector<std::size_t> shape;
  std::vector<double> data;
  bool empty() const { return data.empty(); }
  double at(std::size_t i, std::size_t j) const { return data[i * shape[1] + j]; }
  double at(std::size_t i, std::size_t j, std::size_t k) const { return data[(i * shape[1] + j) * shape[2] + k]; }
};

struct RunRecord;  // the full result, for write_outputs()

// One run.  Currents in A, voltages in V, conductances in S.  The column
// arrays equal the program's columns.csv value for value (the same doubles).
struct Result {
  std::string name, cell, analysis;
  std::string engine;           // as configured: "spice", "nodal", "both"
  std::string primary_engine;   // the engine the errors are measured on: "spice" when it ran
  std::string ngspice_version;  // when SPICE ran
  int rows = 0, cols = 0, phys_cols = 0, vectors = 0;

  // (vectors, cols): the ideal product sum_i G_ij V_i; each engine's column
  // currents (absent when that engine did not run); the primary engine's
  // relative error (NaN where the ideal current is 0).  Logical columns
  // (2T2R: I+ - I-).  Empty for a read analysis.
  Array i_ideal;
  std::optional<Array> i_spice, i_nodal;
  // (vectors, cols): the intended product, the weights mapped to g_off..g_on
  // without quantization, variability or drift, times the ideal inputs.
  std::optional<Array> i_target;
  Array rel_err;
  // (vectors, rows): the driver source voltages V_i of each input vector.
  Array v_in;
  // (rows, phys_cols): the conductance placed in each cell.
  Array g;
  // (vectors, rows, phys_cols), from the primary engine: word-line and
  // bit-line voltage at each cell, the voltage across and the current through
  // its device (the IR-drop map of cells.csv).  Empty when the analysis has
  // no per-cell solution (read; tran without save_cells).
  Array v_wl, v_bl, v_cell, i_cell;
  // summary.json's metrics, by the same names (max_rel_err, nrmse, ...).
  std::map<std::string, double> metrics;
  double elapsed_s = 0;

  std::shared_ptr<const RunRecord> record;
};

// Runs the config like `xbar run` (any analysis), without writing files.
XBAR_API Result run(const Config& config, Engine engine = Engine::from_config);

// Writes the program's output files (summary.json, columns.csv, cells.csv,
// netlist.cir, resolved.yaml) of `result` into `dir`, each whole or not at all.
XBAR_API void write_outputs(const Result& result, const std::string& dir);

// A tile built once (conductances drawn or read, variability applied), then
// run on any number of input batches.  Analysis `op` only.
class XBAR_API Tile {
 public:
  explicit Tile(const Config& config, Engine engine = Engine::from_config);
  int rows() const;
  int cols() const;
  // The config's own inputs.
  Result run() const;
  // A batch of input vectors, `rows()` values each, in the unit of the
  // config's inputs.kind (normalized: [0, 1], times v_read; voltage: V).
  Result run(const std::vector<std::vector<double>>& inputs) const;
  // The same from `vectors` x `rows()` values, row-major.
  Result run(const double* inputs, std::size_t vectors) const;

  struct Impl;

 private:
  std::shared_ptr<const Impl> impl_;
};

struct ModelParam {
  std::string name, unit, meaning;
  double default_value = 0, min = 0, max = 0;
};

struct ModelSummary {
  std::string name;
  std::string kind;  // "cell" or "transistor"
  std::string summary, equation, source, limits;
  std::vector<std::string> analyses;
  std::vector<ModelParam> params;
};

// The device models `xbar models` lists.
XBAR_API std::vector<ModelSummary> models();

// One finished point of a sweep.
struct SweepPoint {
  std::size_t index = 0;
  std::vector<std::pair<std::string, std::string>> values;  // swept key -> its value at this point
  std::optional<Result> result;                             // absent when the point failed
  std::string error;                                        // why it failed
};

// The points of a config's `sweep:` section, run `jobs` at a time on
// background threads (each SPICE run in its own child process).  Points come
// out as they finish; a failed point carries its error and the rest go on.
class XBAR_API Sweep {
 public:
  Sweep(const Config& config, int jobs);
  ~Sweep();  // cancels what is still running
  Sweep(const Sweep&) = delete;
  Sweep& operator=(const Sweep&) = delete;
  std::size_t size() const;
  // Waits up to `seconds` for a point (or the end); true when next() will not block.
  bool wait(double seconds);
  // The next finished point; nullopt once every point came out.
  std::optional<SweepPoint> next();
  // Stops handing out points and ends the running ones; next() then returns nullopt.
  void cancel();

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

// Ends every SPICE run of this process that is running now (each throws
// SimulationError); a run whose ngspice child has not started yet is not
// reached, so a caller that wants a run gone calls this until it has ended.
// Async-signal-safe.  A nodal solve in progress finishes first.
XBAR_API void interrupt() noexcept;

}  // namespace xbar::api
