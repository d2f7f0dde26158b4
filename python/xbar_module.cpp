// The Python module `xbar`: the C++ API (include/xbar/xbar.hpp) with numpy
// arrays.  Simulations run with the GIL released, on a helper thread, while
// the calling thread watches for Ctrl-C: a KeyboardInterrupt ends every
// ngspice child at once (api::interrupt) before it is raised.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <chrono>
#include <future>
#include <thread>

#include "xbar/xbar.hpp"

namespace py = pybind11;
namespace api = xbar::api;
using namespace pybind11::literals;

namespace {

constexpr auto kSignalPoll = std::chrono::milliseconds(50);

// Runs `f` on a helper thread without the GIL; Ctrl-C (or any pending Python
// signal exception) interrupts the simulation and is raised once `f` ended.
template <typename F>
auto interruptible(F&& f) -> decltype(f()) {
  auto done = std::async(std::launch::async, std::forward<F>(f));
  for (;;) {
    {
      py::gil_scoped_release release;
      if (done.wait_for(kSignalPoll) == std::future_status::ready) break;
    }
    if (PyErr_CheckSignals() != 0) {
      py::error_already_set raised;  // the KeyboardInterrupt, kept while the job ends
      {
        py::gil_scoped_release release;
        // Again until the job ends: its ngspice child may not have started yet.
        do api::interrupt();
        while (done.wait_for(kSignalPoll) != std::future_status::ready);
      }
      throw raised;
    }
  }
  return done.get();
}

py::object numpy(api::Array&& a) {
  if (a.shape.empty()) return py::none();
  auto* owned = new std::vector<double>(std::move(a.data));
  py::capsule free_when_done(owned, [](void* p) { delete static_cast<std::vector<double>*>(p); });
  std::vector<py::ssize_t> shape(a.shape.begin(), a.shape.end());
  return py::array_t<double>(shape, owned->data(), free_when_done);
}

py::object numpy(std::optional<api::Array>&& a) { return a ? numpy(std::move(*a)) : py::none(); }

// A run's result with its arrays as numpy arrays (made once, here).
struct PyResult {
  api::Result run;  // scalars and the record for write(); its arrays are moved out
  py::object i_ideal, i_spice, i_nodal, i_target, rel_err, v_in, g, v_wl, v_bl, v_cell, i_cell;
  py::dict metrics;

  explicit PyResult(api::Result&& r) : run(std::move(r)) {
    i_ideal = numpy(std::move(run.i_ideal));
    i_spice = numpy(std::move(run.i_spice));
    i_nodal = numpy(std::move(run.i_nodal));
    i_target = numpy(std::move(run.i_target));
    rel_err = numpy(std::move(run.rel_err));
    v_in = numpy(std::move(run.v_in));
    g = numpy(std::move(run.g));
    v_wl = numpy(std::move(run.v_wl));
    v_bl = numpy(std::move(run.v_bl));
    v_cell = numpy(std::move(run.v_cell));
    i_cell = numpy(std::move(run.i_cell));
    for (const auto& [name, value] : run.metrics) metrics[py::str(name)] = value;
  }
};

// Overrides as `--set` texts: strings as written, everything else as JSON
// (which is YAML): 2.5, true, [1, 2], {sigma: 0.1}.
std::vector<std::string> override_texts(const py::object& overrides) {
  std::vector<std::string> sets;
  if (overrides.is_none()) return sets;
  const py::module_ json = py::module_::import("json");
  for (auto item : py::cast<py::dict>(overrides)) {
    const std::string key = py::str(item.first);
    const py::handle v = item.second;
    std::string text;
    if (py::isinstance<py::str>(v))
      text = py::cast<std::string>(v);
    else if (py::isinstance<py::bool_>(v))
      text = py::cast<bool>(v) ? "true" : "false";
    else
      text = py::cast<std::string>(json.attr("dumps")(v));
    sets.push_back(key + "=" + text);
  }
  return sets;
}

// A path (str or os.PathLike) or a dict of the config's sections.
api::Config load(const py::object& config, const py::object& overrides) {
  const std::vector<std::string> sets = override_texts(overrides);
  if (py::isinstance<py::dict>(config)) {
    // JSON is YAML; one key per line, so a message's line names the key.
    const std::string text = py::cast<std::string>(py::module_::import("json").attr("dumps")(config, "indent"_a = 1));
    const std::string cwd = py::cast<std::string>(py::module_::import("os").attr("getcwd")());
    return api::Config::from_string(text, "<dict>", cwd, sets);
  }
  const std::string path = py::cast<std::string>(py::module_::import("os").attr("fspath")(config));
  return api::Config::from_file(path, sets);
}

api::Engine engine_of(const py::object& engine) {
  if (engine.is_none()) return api::Engine::from_config;
  const std::string e = py::cast<std::string>(engine);
  if (e == "spice") return api::Engine::spice;
  if (e == "nodal") return api::Engine::nodal;
  if (e == "both") return api::Engine::both;
  throw api::ConfigError({api::Problem{"engine", 0, 0, "engine must be 'spice', 'nodal' or 'both', not '" + e + "'"}});
}

struct PyTile {
  api::Tile tile;
};

struct PySweepPoint {
  std::size_t index = 0;
  py::dict values;
  py::object result, error;
};

struct PySweep {
  std::unique_ptr<api::Sweep> sweep;

  PySweepPoint next() {
    for (;;) {
      bool ready = false;
      {
        py::gil_scoped_release release;
        ready = sweep->wait(std::chrono::duration<double>(kSignalPoll).count());
      }
      if (PyErr_CheckSignals() != 0) {
        py::error_already_set raised;
        {
          py::gil_scoped_release release;
          sweep->cancel();
        }
        throw raised;
      }
      if (ready) break;
    }
    std::optional<api::SweepPoint> p;
    {
      py::gil_scoped_release release;
      p = sweep->next();
    }
    if (!p) throw py::stop_iteration();
    PySweepPoint out;
    out.index = p->index;
    for (const auto& [key, value] : p->values) out.values[py::str(key)] = value;
    out.result = p->result ? py::cast(PyResult(std::move(*p->result))) : py::none();
    out.error = p->result ? py::object(py::none()) : py::object(py::str(p->error));
    return out;
  }
};

py::handle g_config_error, g_simulation_error;

void raise_config_error(const api::ConfigError& e) {
  py::object exc = py::reinterpret_borrow<py::object>(g_config_error)(e.what());
  const api::Problem& first = e.problems().front();
  exc.attr("file") = first.file;
  exc.attr("line") = first.line;
  exc.attr("column") = first.column;
  exc.attr("message") = first.message;
  py::list problems;
  for (const auto& p : e.problems()) problems.append(py::make_tuple(p.file, p.line, p.column, p.message));
  exc.attr("problems") = problems;
  PyErr_SetObject(g_config_error.ptr(), exc.ptr());
}

void raise_simulation_error(const api::SimulationError& e) {
  py::object exc = py::reinterpret_borrow<py::object>(g_simulation_error)(e.what());
  exc.attr("log") = e.log();
  PyErr_SetObject(g_simulation_error.ptr(), exc.ptr());
}

}  // namespace

PYBIND11_MODULE(xbar, m) {
  m.doc() = R"(SPICE-level co-simulation of analog in-memory-computing crossbars.

The same jobs as the `xbar` program (run, sweep, models), with results as numpy
arrays instead of files:

    import xbar
    r = xbar.run("configs/example.yaml", overrides={"parasitics.r_wl": 2.5})
    r.i_spice            # (vectors, cols) column currents, A
    r.metrics["nrmse"]

    tile = xbar.Tile("configs/example.yaml", engine="nodal")   # build once
    r = tile.run(inputs)                                      # (vectors, rows) inputs

Errors: xbar.ConfigError (bad config, data file, override or input; carries
file, line, column, message) and xbar.SimulationError (ngspice failure,
failed result check).  Ctrl-C stops a simulation at once (KeyboardInterrupt),
leaving no ngspice process behind.)";
  m.attr("__version__") = api::version();

  py::object config_error = py::reinterpret_steal<py::object>(PyErr_NewExceptionWithDoc(
      "xbar.ConfigError",
      "Bad input: config, data file, override or input batch.  Attributes: file, line, column, message (of the "
      "first problem; line and column count from 1, 0 when unknown) and problems, a list of (file, line, column, "
      "message) tuples, one per problem found.",
      PyExc_ValueError, nullptr));
  py::object simulation_error = py::reinterpret_steal<py::object>(PyErr_NewExceptionWithDoc(
      "xbar.SimulationError",
      "The simulation failed: an ngspice error, non-convergence, or a failed result check (Kirchhoff's law).  "
      "Attribute log: the simulator's own words.",
      PyExc_RuntimeError, nullptr));
  m.attr("ConfigError") = config_error;
  m.attr("SimulationError") = simulation_error;
  g_config_error = config_error.release();
  g_simulation_error = simulation_error.release();
  py::register_exception_translator([](std::exception_ptr p) {
    try {
      if (p) std::rethrow_exception(p);
    } catch (const api::ConfigError& e) {
      raise_config_error(e);
    } catch (const api::SimulationError& e) {
      raise_simulation_error(e);
    }
  });

  py::class_<PyResult>(m, "Result", R"(One run's result.  Currents in A, voltages in V, conductances in S.

Column arrays, shape (vectors, cols), equal to xbar run's columns.csv value
for value: i_ideal (the ideal product sum_i G_ij V_i), i_spice and i_nodal
(None when that engine did not run), i_target (the intended product: weights mapped to
g_off..g_on, no quantization, variability or drift), rel_err (of the primary engine; NaN where i_ideal is 0).
v_in: (vectors, rows) driver voltages; g: (rows, phys_cols) placed conductances.  Cell arrays, shape
(vectors, rows, phys_cols), from the primary engine (None without a per-cell
solution): v_wl, v_bl (line voltages at each cell), v_cell (across the
device), i_cell (through it).  metrics: summary.json's metrics by name.)")
      .def_readonly("i_ideal", &PyResult::i_ideal)
      .def_readonly("i_spice", &PyResult::i_spice)
      .def_readonly("i_nodal", &PyResult::i_nodal)
      .def_readonly("i_target", &PyResult::i_target)
      .def_readonly("rel_err", &PyResult::rel_err)
      .def_readonly("v_in", &PyResult::v_in)
      .def_readonly("g", &PyResult::g)
      .def_readonly("v_wl", &PyResult::v_wl)
      .def_readonly("v_bl", &PyResult::v_bl)
      .def_readonly("v_cell", &PyResult::v_cell)
      .def_readonly("i_cell", &PyResult::i_cell)
      .def_readonly("metrics", &PyResult::metrics)
      .def_property_readonly("name", [](const PyResult& r) { return r.run.name; })
      .def_property_readonly("cell", [](const PyResult& r) { return r.run.cell; })
      .def_property_readonly("analysis", [](const PyResult& r) { return r.run.analysis; })
      .def_property_readonly(
          "engine", [](const PyResult& r) { return r.run.engine; }, "as configured: spice, nodal or both")
      .def_property_readonly(
          "primary_engine", [](const PyResult& r) { return r.run.primary_engine; },
          "the engine the errors are measured on: spice when it ran")
      .def_property_readonly("ngspice_version", [](const PyResult& r) { return r.run.ngspice_version; })
      .def_property_readonly("rows", [](const PyResult& r) { return r.run.rows; })
      .def_property_readonly("cols", [](const PyResult& r) { return r.run.cols; })
      .def_property_readonly("phys_cols", [](const PyResult& r) { return r.run.phys_cols; })
      .def_property_readonly("vectors", [](const PyResult& r) { return r.run.vectors; })
      .def_property_readonly("elapsed_s", [](const PyResult& r) { return r.run.elapsed_s; })
      .def(
          "write",
          [](const PyResult& r, const py::object& dir) {
            api::write_outputs(r.run, py::cast<std::string>(py::module_::import("os").attr("fspath")(dir)));
          },
          "dir"_a, "Writes the files of `xbar run` (summary.json, columns.csv, cells.csv, ...) into dir.")
      .def("__repr__", [](const PyResult& r) {
        return "<xbar.Result " + r.run.name + ": " + std::to_string(r.run.rows) + "x" + std::to_string(r.run.cols) +
               " " + r.run.cell + " " + r.run.analysis + " via " + r.run.engine + ", " + std::to_string(r.run.vectors) +
               " vector(s)>";
      });

  m.def(
      "run",
      [](const py::object& config, const py::object& overrides, const py::object& engine,
         const py::object& output_dir) {
        const api::Config c = load(config, overrides);
        const api::Engine e = engine_of(engine);
        PyResult r(interruptible([&] { return api::run(c, e); }));
        if (!output_dir.is_none())
          api::write_outputs(r.run, py::cast<std::string>(py::module_::import("os").attr("fspath")(output_dir)));
        return r;
      },
      "config"_a, "overrides"_a = py::none(), "engine"_a = py::none(), "output_dir"_a = py::none(),
      R"(Simulates one config, like `xbar run CONFIG --set KEY=VALUE ...`, and returns an xbar.Result.

config:     a path to a YAML config, or a dict of its sections
            ({"tile": {"rows": 8, "cols": 8}, ...}; relative paths in it are
            taken from the current folder).
overrides:  {dotted key: value}, applied after the config exactly as --set
            ("parasitics.r_wl": 2.5, "device.g_on": "100u").
engine:     "spice", "nodal" or "both" (default: the config's simulator.engine).
output_dir: when given, the output files of `xbar run` are written there too.

Raises xbar.ConfigError for bad input (with file, line, column, message) and
xbar.SimulationError when the simulation fails.  The GIL is released while
simulating; Ctrl-C raises KeyboardInterrupt and ends the ngspice process.)");

  py::class_<PyTile>(m, "Tile", R"(A tile built once (conductances drawn or read, variability applied), then run
on any number of input batches without building it again.  Analysis op only.

    tile = xbar.Tile("configs/example.yaml", engine="nodal")
    r = tile.run(np.random.default_rng(0).uniform(size=(100, tile.rows)))
)")
      .def(py::init([](const py::object& config, const py::object& overrides, const py::object& engine) {
             const api::Config c = load(config, overrides);
             const api::Engine e = engine_of(engine);
             py::gil_scoped_release release;
             return PyTile{api::Tile(c, e)};
           }),
           "config"_a, "overrides"_a = py::none(), "engine"_a = py::none(),
           "Builds the tile of `config` (a path or a dict) with `overrides` ({dotted key: value}) on `engine`.")
      .def_property_readonly("rows", [](const PyTile& t) { return t.tile.rows(); })
      .def_property_readonly("cols", [](const PyTile& t) { return t.tile.cols(); })
      .def(
          "run",
          [](const PyTile& t, const py::object& inputs) {
            if (inputs.is_none()) return PyResult(interruptible([&] { return t.tile.run(); }));
            auto x = py::array_t<double, py::array::c_style | py::array::forcecast>::ensure(inputs);
            if (!x || (x.ndim() != 1 && x.ndim() != 2) || x.shape(x.ndim() - 1) != t.tile.rows())
              throw api::ConfigError(
                  {api::Problem{"input batch", 0, 0,
                                "inputs must be an array of shape (vectors, " + std::to_string(t.tile.rows()) +
                                    ") or (" + std::to_string(t.tile.rows()) + ",)"}});
            const std::size_t vectors = x.ndim() == 1 ? 1 : static_cast<std::size_t>(x.shape(0));
            const double* data = x.data();
            return PyResult(interruptible([&] { return t.tile.run(data, vectors); }));
          },
          "inputs"_a = py::none(),
          R"(Runs the tile on a batch of inputs: shape (vectors, rows) or (rows,), in the unit
of the config's inputs.kind (normalized: [0, 1], times v_read; voltage: V).
None: the config's own inputs.  Returns an xbar.Result.)");

  m.def(
      "models",
      [] {
        py::list out;
        for (const auto& model : api::models()) {
          py::list params;
          for (const auto& p : model.params)
            params.append(py::dict("name"_a = p.name, "unit"_a = p.unit, "default"_a = p.default_value, "min"_a = p.min,
                                   "max"_a = p.max, "meaning"_a = p.meaning));
          out.append(py::dict("name"_a = model.name, "kind"_a = model.kind, "summary"_a = model.summary,
                              "equation"_a = model.equation, "analyses"_a = model.analyses, "params"_a = params,
                              "source"_a = model.source, "limits"_a = model.limits));
        }
        return out;
      },
      R"(The device models `xbar models` lists: a list of dicts with name, kind ("cell" or
"transistor"), summary, equation, analyses, params (name, unit, default, min,
max, meaning), source and limits.)");

  py::class_<PySweepPoint>(m, "SweepPoint",
                           "One finished sweep point: index, values ({swept key: value text}), "
                           "result (an xbar.Result, None when it failed), error (None when ok).")
      .def_readonly("index", &PySweepPoint::index)
      .def_readonly("values", &PySweepPoint::values)
      .def_readonly("result", &PySweepPoint::result)
      .def_readonly("error", &PySweepPoint::error)
      .def("__repr__", [](const PySweepPoint& p) {
        return "<xbar.SweepPoint " + std::to_string(p.index) + (p.error.is_none() ? " ok>" : " failed>");
      });

  py::class_<PySweep>(m, "Sweep", "An iterator over a running sweep's points as they finish (see xbar.sweep).")
      .def("__iter__", [](PySweep& s) -> PySweep& { return s; })
      .def("__next__", &PySweep::next)
      .def("__len__", [](const PySweep& s) { return s.sweep->size(); })
      .def(
          "cancel",
          [](PySweep& s) {
            py::gil_scoped_release release;
            s.sweep->cancel();
          },
          "Stops the sweep: running points are ended, no new ones start.");

  m.def(
      "sweep",
      [](const py::object& config, const py::object& overrides, const py::object& jobs) {
        const api::Config c = load(config, overrides);
        const int n =
            jobs.is_none() ? static_cast<int>(std::max(1u, std::thread::hardware_concurrency())) : py::cast<int>(jobs);
        return PySweep{std::make_unique<api::Sweep>(c, n)};
      },
      "config"_a, "overrides"_a = py::none(), "jobs"_a = py::none(),
      R"(Runs every point of the config's sweep: section, `jobs` at a time (default: one per
core), and yields an xbar.SweepPoint for each as it finishes (not in index
order; point.index says which).  A failed point carries its error; the rest go
on.  Ctrl-C raises KeyboardInterrupt and ends every running point.

    for p in xbar.sweep("configs/sweep_size_rwire.yaml", jobs=2):
        print(p.index, p.values, p.result.metrics["max_rel_err"] if p.result else p.error))");
}
