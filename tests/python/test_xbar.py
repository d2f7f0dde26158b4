"""The Python module against the program: same numbers, same errors, batches, sweeps, Ctrl-C."""
import csv
import json
import os
import re
import subprocess
import sys
import textwrap
import threading

import numpy as np
import pytest

import xbar


def small(rows=8, cols=8, **sections):
    config = {"name": "small", "tile": {"rows": rows, "cols": cols}, "simulator": {"engine": "nodal"}}
    config.update(sections)
    return config


def read_columns(path):
    return list(csv.DictReader(open(path)))


def test_run_equals_the_programs_files_bit_for_bit(tmp_path, source_dir, xbar_cli):
    config = source_dir / "configs" / "example.yaml"
    out = tmp_path / "cli"
    subprocess.run([xbar_cli, "run", str(config), "-o", str(out), "--set", "simulator.engine=both",
                    "--set", "inputs.vectors=3"], check=True, capture_output=True)
    r = xbar.run(config, overrides={"inputs.vectors": 3}, engine="both")
    assert r.i_ideal.shape == r.i_spice.shape == r.i_nodal.shape == (3, 64)
    assert r.primary_engine == "spice" and r.engine == "both" and r.vectors == 3
    rows = read_columns(out / "columns.csv")
    assert len(rows) == 3 * 64
    for row in rows:
        v, c = int(row["vector"]), int(row["col"])
        for name in ("i_ideal", "i_spice", "i_nodal", "i_target", "rel_err"):
            assert getattr(r, name)[v, c] == float(row[name]), (name, v, c)
    summary = json.load(open(out / "summary.json"))
    assert r.metrics == summary["metrics"]
    # The per-cell map equals cells.csv (first and last cell of the array).
    cells = read_columns(out / "cells.csv")
    for row in (cells[0], cells[-1]):
        v, i, j = int(row["vector"]), int(row["row"]), int(row["col"])
        assert r.v_wl[v, i, j] == float(row["v_wl"]) and r.i_cell[v, i, j] == float(row["i_cell"])
        assert r.g[i, j] == float(row["g"])


def test_write_gives_the_programs_files(tmp_path, source_dir):
    r = xbar.run(source_dir / "configs" / "example.yaml", engine="nodal", output_dir=tmp_path / "a")
    r.write(tmp_path / "b")
    for name in ("columns.csv", "cells.csv", "resolved.yaml"):
        assert (tmp_path / "a" / name).read_text() == (tmp_path / "b" / name).read_text()
    assert json.load(open(tmp_path / "a" / "summary.json"))["metrics"] == r.metrics


def test_dict_config_and_engine_that_did_not_run():
    r = xbar.run(small(4, 6))
    assert r.i_spice is None and r.i_target.shape == r.i_ideal.shape
    assert r.i_nodal.shape == r.i_ideal.shape == (1, 6)
    assert r.v_cell.shape == (1, 4, 6) and r.g.shape == (4, 6)
    # Kirchhoff: the cell currents of a column add up to its current (1e-9 relative).
    np.testing.assert_allclose(r.i_cell.sum(axis=1), r.i_nodal, rtol=1e-9, atol=1e-15)
    assert r.metrics["max_rel_err"] > 0


def test_config_error_carries_the_position(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ntile:\n  rowz: 4\n")
    with pytest.raises(xbar.ConfigError) as e:
        xbar.run(bad)
    err = e.value
    assert (err.file, err.line, err.column) == (str(bad), 3, 3)
    assert "rowz" in err.message and "rows" in err.message  # the nearest key suggested
    assert str(err).startswith(f"{bad}:3:3: error: ")
    assert isinstance(err, ValueError)


def test_override_errors_and_every_problem_at_once(tmp_path):
    with pytest.raises(xbar.ConfigError) as e:
        xbar.run(small(), overrides={"tile.rows": 0, "parasitics.r_wl": "abc"})
    # As the program reports --set problems: "--set:N:COL", N counting the overrides from 1.
    where = [(p[0], p[1]) for p in e.value.problems]
    assert where == [("--set", 1), ("--set", 2)], e.value.problems
    assert str(e.value).splitlines()[1].startswith("--set:2:")
    with pytest.raises(xbar.ConfigError):
        xbar.run(small(), engine="fast")


def test_tile_runs_batches_like_an_inputs_file(tmp_path):
    rng = np.random.default_rng(7)
    batch = rng.uniform(size=(5, 8))
    data = tmp_path / "x.csv"
    data.write_text("\n".join(",".join(repr(float(v)) for v in row) for row in batch) + "\n")
    tile = xbar.Tile(small(), engine="nodal")
    assert (tile.rows, tile.cols) == (8, 8)
    r = tile.run(batch)
    ref = xbar.run(small(inputs={"source": "file", "file": str(data)}))
    assert r.i_nodal.shape == (5, 8)
    assert np.array_equal(r.i_ideal, ref.i_ideal)
    assert np.array_equal(r.i_nodal, ref.i_nodal)
    # The tile is not rebuilt: a second batch on the same conductances.
    r2 = tile.run(batch[:1])
    assert np.array_equal(r2.g, r.g) and np.array_equal(r2.i_nodal[0], r.i_nodal[0])
    # One vector as a 1-D array; the config's own inputs with no argument.
    assert tile.run(batch[0]).i_nodal.shape == (1, 8)
    assert np.array_equal(tile.run().i_nodal, xbar.run(small()).i_nodal)


def test_tile_refuses_bad_batches():
    tile = xbar.Tile(small())
    with pytest.raises(xbar.ConfigError) as e:
        tile.run(np.zeros((2, 7)))
    assert "shape" in e.value.message
    x = np.zeros((3, 8))
    x[2, 4] = 1.5  # normalized inputs are in [0, 1]
    with pytest.raises(xbar.ConfigError) as e:
        tile.run(x)
    assert (e.value.file, e.value.line, e.value.column) == ("input batch", 3, 5)


def test_models_lists_the_registry():
    models = {m["name"]: m for m in xbar.models()}
    assert {"linear", "sinh", "nmos", "ideal"} <= set(models)
    sinh = models["sinh"]
    assert sinh["kind"] == "cell" and any(p["name"] == "v0" for p in sinh["params"])


def test_sweep_yields_every_point():
    config = small(sweep={"params": {"parasitics.r_wl": [0.5, 1, 2, 4]}})
    points = list(xbar.sweep(config, jobs=2))
    assert sorted(p.index for p in points) == [0, 1, 2, 3]
    assert all(p.error is None for p in points)
    by_r = {float(p.values["parasitics.r_wl"]): p.result.metrics["max_rel_err"] for p in points}
    errors = [by_r[k] for k in sorted(by_r)]
    assert errors == sorted(errors) and errors[0] < errors[-1]  # more wire resistance, more error
    # Each point equals a plain run with the same override.
    plain = xbar.run(small(), overrides={"parasitics.r_wl": 2})
    assert by_r[2.0] == plain.metrics["max_rel_err"]


def test_sweep_reports_a_failed_point():
    config = small(sweep={"params": {"device.model": ["linear", "vteam"]}})
    points = sorted(xbar.sweep(config, jobs=1), key=lambda p: p.index)
    assert points[0].error is None
    assert points[1].result is None and points[1].error


def test_gil_is_released_while_simulating():
    done = threading.Event()
    result = {}

    def work():
        result["r"] = xbar.run(small(160, 160), engine="spice")
        done.set()

    t = threading.Thread(target=work)
    t.start()
    spins = 0
    while not done.is_set():
        spins += 1
    t.join()
    assert result["r"].i_spice.shape == (1, 160)
    assert spins > 10000, spins


# Appended to a script that raises KeyboardInterrupt in a run: counts the
# process's children left afterwards.
COUNT_CHILDREN = textwrap.dedent("""
    def parent_of(pid):  # None for a process that ended while the list was read
        try:
            return open(f"/proc/{pid}/status").read().split("PPid:\\t")[1].split()[0]
        except (OSError, IndexError):
            return None
    me = str(os.getpid())
    children = [p for p in os.listdir("/proc") if p.isdigit() and parent_of(p) == me]
    print("children", len(children))
""")


def check_interrupted_without_children(script):
    out = subprocess.run([sys.executable, "-c", script + COUNT_CHILDREN], capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    m = re.search(r"interrupted after ([\d.]+)", out.stdout)
    assert m, out.stdout + out.stderr
    assert float(m.group(1)) < 6.0  # the signal came at 1 s; the run alone takes far longer
    assert "children 0" in out.stdout


def test_ctrl_c_raises_keyboard_interrupt_and_ends_ngspice():
    script = textwrap.dedent("""
        import os, signal, threading, time, xbar
        threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        t0 = time.monotonic()
        try:
            # Tens of seconds of ngspice: the interrupt arrives while it runs.
            xbar.run({"name": "big", "tile": {"rows": 320, "cols": 320}, "inputs": {"vectors": 8}})
            print("finished")
        except KeyboardInterrupt:
            print("interrupted after", round(time.monotonic() - t0, 2))
    """)
    check_interrupted_without_children(script)


def test_ctrl_c_stops_a_sweep_and_its_children():
    script = textwrap.dedent("""
        import os, signal, threading, time, xbar
        config = {"name": "s", "tile": {"rows": 320, "cols": 320}, "inputs": {"vectors": 8},
                  "sweep": {"params": {"parasitics.r_wl": [1, 2, 3, 4]}}}
        threading.Timer(1.0, lambda: os.kill(os.getpid(), signal.SIGINT)).start()
        t0 = time.monotonic()
        try:
            for p in xbar.sweep(config, jobs=2):
                print("point", p.index)
        except KeyboardInterrupt:
            print("interrupted after", round(time.monotonic() - t0, 2))
    """)
    check_interrupted_without_children(script)


def test_readme_heatmap_example(tmp_path, source_dir):
    readme = (source_dir / "README.md").read_text()
    block = re.search(r"<!-- python-example -->\n```python\n(.*?)```", readme, re.S)
    assert block, "README has no python example block"
    code = block.group(1)
    assert len(code.strip().splitlines()) <= 14
    os.environ["MPLBACKEND"] = "Agg"
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        exec(compile(code.replace('"configs/', f'"{source_dir}/configs/'), "README.md", "exec"), {})
    finally:
        os.chdir(cwd)
    assert (tmp_path / "ir_drop.png").stat().st_size > 1000
