#!/usr/bin/env python3
"""Writes the closed-form regression cases: regression/cases/cf_*/ (op cases
here; 1T1R/2T2R in cf_transistor.py, 1S1R in cf_1s1r.py, read mode in cf_read.py, transient in
cf_transient.py, noise in cf_noise.py).

Each case's config and its expected values come from the same parameters here,
and the expected values are computed in this file, independently of xbar's C++
code (formulas, or a dense nodal solve written out below for the circuit
conventions of docs/circuit.md).  Run it again after changing a case; `xbar regress --accept`
never needs to touch these values (if it does, it marks them `accepted`).

    python3 regression/closed_form.py
"""
import math
import os

HERE = os.path.dirname(os.path.abspath(__file__))
CASES = os.path.join(HERE, "cases")


def num(v):
    """Shortest text that reads back as the same double (like fmt's "{}")."""
    return repr(float(v))


def config_text(name, rows, cols, *, r_wl, r_bl, g=None, weights=None, inputs=None, v=None, model="linear",
                params="{}", r_driver=0, r_sense=0, sense="virtual_ground", tia="{gain: 1e4, r_f: 1k}",
                engine="both"):
    w = weights or f"{{source: constant, value: 1, kind: conductance}}"
    if weights is None:
        w = f"{{source: constant, value: {num(g)}, kind: conductance}}"
    x = inputs or f"{{source: constant, value: {num(v)}, vectors: 1, kind: voltage}}"
    return f"""# Closed-form regression case, written by regression/closed_form.py (do not edit by hand).
name: {name}
tile: {{rows: {rows}, cols: {cols}, cell: 1R}}
device: {{model: {model}, params: {params}, g_on: 100u, g_off: 1u}}
weights: {w}
inputs: {x}
parasitics: {{r_wl: {num(r_wl)}, r_bl: {num(r_bl)}}}
periphery: {{r_driver: {num(r_driver)}, r_sense: {num(r_sense)}, sense: {sense}, tia: {tia}}}
analysis: {{type: op}}
simulator: {{engine: {engine}}}
output: {{dir: out/{name}}}
"""


def header_lines(name, how):
    lines = [f"# Regression case `{name}`: expected values from a closed form, computed by",
             "# regression/closed_form.py independently of xbar's code:"]
    return lines + [f"#   {h}" for h in how]


def solve_bisect(f, lo, hi):
    """The root of f in [lo, hi] (f changes sign there), to the last bit."""
    flo = f(lo)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if mid in (lo, hi):
            break
        fm = f(mid)
        if (fm > 0) == (flo > 0):
            lo, flo = mid, fm
        else:
            hi = mid
    return 0.5 * (lo + hi)


def expected_text(name, how, values, labels=("quick",)):
    """values: list of (quantity, value, extra) with extra a dict of rel/abs."""
    lines = header_lines(name, how)
    lines += ["format: 1", f"labels: [{', '.join(labels)}]", "origins: [closed-form]", "values:"]
    for q, val, extra in values:
        body = f"value: {num(val)}"
        for k in ("rel", "abs"):
            if k in extra:
                body += f", {k}: {num(extra[k])}"
        lines.append(f'  "{q}": {{{body}, origin: closed-form}}')
    return "\n".join(lines) + "\n"


def write_case(name, config, expected, files=None):
    d = os.path.join(CASES, name)
    os.makedirs(d, exist_ok=True)
    for fname, text in [("config.yaml", config), ("expected.yaml", expected)] + list((files or {}).items()):
        with open(os.path.join(d, fname), "w") as f:
            f.write(text)


def both_engines(q_values, tol):
    out = []
    for q, val in q_values:
        for eng in ("spice", "nodal"):
            out.append((f"i_{eng}[{q}]", val, tol))
    return out


def wordline_ladder(name, n, r, g, v):
    # One row over grounded bit lines: V_j = V cosh(t (n - 1/2 - j)) / cosh(t (n - 1/2)),
    # cosh t = 1 + r g / 2 (the open far end acts as a mirror half a segment out).
    t = math.acosh(1 + r * g / 2)
    cur = [(f"v0,c{j}", g * v * math.cosh(t * (n - 0.5 - j)) / math.cosh(t * (n - 0.5))) for j in range(n)]
    vals = both_engines(cur, {"rel": 1e-9})
    vals.append(("spice_vs_nodal", 0.0, {"abs": 1e-9}))
    how = [f"one word line of {n} cells of {g} S, {r} ohm segments, {v} V, bit lines grounded;",
           "I_j = g V cosh(t (n - 1/2 - j)) / cosh(t (n - 1/2)), cosh t = 1 + r g / 2;",
           "spice_vs_nodal: both engines solve the same linear circuit, so 0 within 1e-9."]
    write_case(name, config_text(name, 1, n, r_wl=r, r_bl=1, g=g, v=v), expected_text(name, how, vals))


def bitline_ladder(name, n, r, g, v):
    # One column, every row at V: w_k = V - v_bl(k) = V cosh(t (k + 1/2)) / cosh(t (n - 1/2));
    # the column current is the sum of g w_k.
    t = math.acosh(1 + r * g / 2)
    total = sum(g * v * math.cosh(t * (k + 0.5)) / math.cosh(t * (n - 0.5)) for k in range(n))
    vals = both_engines([("v0,c0", total)], {"rel": 1e-9})
    vals.append(("max_rel_err", abs(total - n * g * v) / (n * g * v), {"rel": 1e-6}))
    vals.append(("spice_vs_nodal", 0.0, {"abs": 1e-9}))
    how = [f"one bit line collecting {n} cells of {g} S, {r} ohm segments, every row at {v} V;",
           "I = sum_k g V cosh(t (k + 1/2)) / cosh(t (n - 1/2)), cosh t = 1 + r g / 2;",
           "max_rel_err = |I - n g V| / (n g V)."]
    write_case(name, config_text(name, n, 1, r_wl=1, r_bl=r, g=g, v=v), expected_text(name, how, vals))


def tia_cell(name, g, v, r_driver, r_sense, gain, r_f):
    # Source -> r_driver -> cell -> r_sense -> S; V(o) = -gain V(S); r_f from S to o.
    # I = V / (r_d + 1/g + r_s + r_f / (1 + gain)); reported current -V(o)/r_f = gain I / (1 + gain).
    i_array = v / (r_driver + 1 / g + r_sense + r_f / (1 + gain))
    out = gain * i_array / (1 + gain)
    ideal = g * v
    vals = both_engines([("v0,c0", out)], {"rel": 1e-9})
    vals.append(("max_rel_err", abs(out - ideal) / ideal, {"rel": 1e-6}))
    how = [f"one cell of {g} S at {v} V with r_driver {r_driver}, r_sense {r_sense}, TIA gain {gain}, r_f {r_f};",
           "I_array = V / (r_driver + 1/g + r_sense + r_f / (1 + gain)); I = gain I_array / (1 + gain);",
           "max_rel_err = |I - g V| / (g V)."]
    write_case(name, config_text(name, 1, 1, r_wl=1, r_bl=1, g=g, v=v, r_driver=r_driver, r_sense=r_sense,
                                 sense="tia", tia=f"{{gain: {num(gain)}, r_f: {num(r_f)}}}"),
               expected_text(name, how, vals))


def sinh_cell(name, g, v, v0):
    # No wire, driver or sense resistance: the cell sees V exactly.  I = g v0 sinh(V / v0).
    i = g * v0 * math.sinh(v / v0)
    vals = both_engines([("v0,c0", i)], {"rel": 1e-6})
    vals.append(("max_rel_err", (i - g * v) / (g * v), {"rel": 1e-6}))
    how = [f"one sinh cell (v0 {v0} V, G {g} S) at {v} V, no resistances: I = G v0 sinh(V / v0);",
           "max_rel_err = (I - G V) / (G V) (the ideal uses the conductance at 0 V)."]
    write_case(name, config_text(name, 1, 1, r_wl=0, r_bl=0, g=g, v=v, model="sinh", params=f"{{v0: {num(v0)}}}"),
               expected_text(name, how, vals))


def zero_wire(name, n):
    # Ideal wires, driver and sense: every cell sees its row voltage, so I = G V exactly.
    vals = [(q, 0.0, {"abs": 1e-12}) for q in ("max_rel_err", "mean_rel_err", "nrmse", "max_ir_drop")]
    vals.append(("spice_vs_nodal", 0.0, {"abs": 1e-9}))
    how = [f"a {n}x{n} tile of random weights with r_wl = r_bl = r_driver = r_sense = 0:",
           "every cell sees its row voltage, so every error figure is 0 (to 1e-12)."]
    write_case(name, config_text(name, n, n, r_wl=0, r_bl=0, weights="{source: random, seed: 7, kind: weight}",
                                 inputs="{source: random, seed: 8, vectors: 2, kind: normalized, v_read: 0.2}"),
               expected_text(name, how, vals))


def solve(a, b):
    """Gaussian elimination with partial pivoting (the matrices here are tiny)."""
    n = len(b)
    m = [row[:] + [b[k]] for k, row in enumerate(a)]
    for c in range(n):
        p = max(range(c, n), key=lambda r: abs(m[r][c]))
        m[c], m[p] = m[p], m[c]
        for r in range(c + 1, n):
            f = m[r][c] / m[c][c]
            if f:
                for k in range(c, n + 1):
                    m[r][k] -= f * m[c][k]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][k] * x[k] for k in range(r + 1, n))) / m[r][r]
    return x


def dense_tile(G, V, r_driver, r_wl, r_bl, r_sense):
    """Node equations of docs/circuit.md (all resistances > 0, virtual ground)."""
    R, C = len(G), len(G[0])
    wl = lambda i, j: i * C + j
    bl = lambda i, j: R * C + i * C + j
    n = 2 * R * C
    a = [[0.0] * n for _ in range(n)]
    b = [0.0] * n

    def stamp(p, q, g):  # conductance between nodes p and q (q None: ground)
        a[p][p] += g
        if q is not None:
            a[q][q] += g
            a[p][q] -= g
            a[q][p] -= g

    for i in range(R):
        stamp(wl(i, 0), None, 1 / r_driver)
        b[wl(i, 0)] += V[i] / r_driver
        for j in range(1, C):
            stamp(wl(i, j - 1), wl(i, j), 1 / r_wl)
    for i in range(R):
        for j in range(C):
            stamp(wl(i, j), bl(i, j), G[i][j])
    for j in range(C):
        for i in range(1, R):
            stamp(bl(i - 1, j), bl(i, j), 1 / r_bl)
        stamp(bl(R - 1, j), None, 1 / r_sense)
    x = solve(a, b)
    return [x[bl(R - 1, j)] / r_sense for j in range(C)]


def dense_files(name):
    G = [[20e-6, 100e-6, 5e-6], [80e-6, 1e-6, 60e-6], [40e-6, 90e-6, 10e-6], [100e-6, 30e-6, 70e-6]]
    X = [[0.2, 0.1, 0.0, 0.15], [0.05, 0.2, 0.2, 0.1]]
    rd, rw, rb, rs = 10.0, 3.0, 2.0, 5.0
    vals = []
    for k, V in enumerate(X):
        cur = dense_tile(G, V, rd, rw, rb, rs)
        vals += both_engines([(f"v{k},c{j}", c) for j, c in enumerate(cur)], {"rel": 1e-9})
        vals += [(f"i_ideal[v{k},c{j}]", sum(G[i][j] * V[i] for i in range(len(G))), {"rel": 1e-12})
                 for j in range(len(G[0]))]
    vals.append(("spice_vs_nodal", 0.0, {"abs": 1e-9}))
    how = ["a 4x3 tile whose conductances (w.csv, S) and two input vectors (x.csv, V) are data files;",
           f"r_driver {rd}, r_wl {rw}, r_bl {rb}, r_sense {rs} ohm: the node equations of docs/circuit.md",
           "are solved densely (Gaussian elimination) in closed_form.py; i_ideal = sum_i G_ij V_i."]
    files = {"w.csv": "\n".join(",".join(num(g) for g in row) for row in G) + "\n",
             "x.csv": "\n".join(",".join(num(v) for v in row) for row in X) + "\n"}
    write_case(name, config_text(name, 4, 3, r_wl=rw, r_bl=rb, r_driver=rd, r_sense=rs,
                                 weights="{source: file, file: w.csv, kind: conductance}",
                                 inputs="{source: file, file: x.csv, vectors: 2, kind: voltage}"),
               expected_text(name, how, vals), files)


if __name__ == "__main__":
    wordline_ladder("cf_wordline_ladder_16", 16, 2.0, 100e-6, 0.2)
    wordline_ladder("cf_wordline_ladder_256", 256, 1.0, 50e-6, 0.2)
    bitline_ladder("cf_bitline_ladder_32", 32, 5.0, 100e-6, 0.2)
    tia_cell("cf_tia_cell", 100e-6, 0.2, 100.0, 50.0, 1e4, 1e3)
    sinh_cell("cf_sinh_cell", 100e-6, 0.5, 0.3)
    zero_wire("cf_zero_wire_64", 64)
    dense_files("cf_dense_4x3_files")
    # Transistor, read-mode and transient cases (their own modules, same helpers).
    import cf_1s1r
    import cf_noise
    import cf_read
    import cf_transient
    import cf_transistor
    cf_1s1r.write_all()
    cf_transistor.write_all()
    cf_read.write_all()
    cf_transient.write_all()
    cf_noise.write_all()
