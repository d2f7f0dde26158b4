"""Closed-form read-mode cases (imported by closed_form.py, which writes them).

Zero wire, driver and sense resistance: each word line and each bit line is one
node, cell (i, j) a conductance between WL i and BL j.  The selected word line
is at V, the sensed bit line at 0 V; the unselected lines are held (`half`: V/2)
or floating (their voltages solved from KCL, densely, in closed_form.solve).
The all-LRS cases also have hand-solved forms, asserted here:
  2x2 floating: one sneak path of 3 cells, i_sense = g V (1 + 1/3);
  3x3 floating: floating BLs at 3V/5, WLs at 2V/5, i_sense = g V (1 + 4/5);
  n x n half:   i_sense = g V (1 + (n-1)/2).
The sneak-path estimate (max_path_cells 3) is, floating, the sum over the paths
WL_s - BL_k - WL_m - BL_s of V / (1/g_sk + 1/g_mk + 1/g_ms); with held lines,
every path is one cell of the sensed column: sum_m (V/2) g_ms.
"""
from closed_form import num, solve, write_case, header_lines

G_ON, G_OFF = 100e-6, 1e-6


def line_voltages(G, sel, v, bias):
    R, C = len(G), len(G[0])
    r0, c0 = sel
    held = {("wl", r0): v, ("bl", c0): 0.0}
    for i in range(R):
        for j in range(C):
            if bias == "half":
                held.setdefault(("wl", i), v / 2)
                held.setdefault(("bl", j), v / 2)
    nodes = [("wl", i) for i in range(R)] + [("bl", j) for j in range(C)]
    free = [n for n in nodes if n not in held]
    idx = {n: k for k, n in enumerate(free)}
    a = [[0.0] * len(free) for _ in free]
    b = [0.0] * len(free)

    def couple(p, q, g):
        if p in idx:
            a[idx[p]][idx[p]] += g
            if q in idx:
                a[idx[p]][idx[q]] -= g
            else:
                b[idx[p]] += g * held[q]

    for i in range(R):
        for j in range(C):
            couple(("wl", i), ("bl", j), G[i][j])
            couple(("bl", j), ("wl", i), G[i][j])
    x = solve(a, b) if free else []
    volt = dict(held)
    volt.update({n: x[k] for n, k in idx.items()})
    return [volt[("wl", i)] for i in range(R)], [volt[("bl", j)] for j in range(C)]


def read_figures(G, sel, v, bias):
    r0, c0 = sel
    wl, bl = line_voltages(G, sel, v, bias)
    i_sense = sum(G[i][c0] * wl[i] for i in range(len(G)))
    i_cell = G[r0][c0] * v
    half = [abs(wl[r0] - bl[j]) for j in range(len(G[0])) if j != c0]
    half += [abs(wl[i] - bl[c0]) for i in range(len(G)) if i != r0]
    return i_sense, i_cell, max(half)


def path_estimate(G, sel, v, bias):
    r0, c0 = sel
    R, C = len(G), len(G[0])
    if bias == "half":
        return sum(v / 2 * G[m][c0] for m in range(R) if m != r0)
    return sum(v / (1 / G[r0][k] + 1 / G[m][k] + 1 / G[m][c0]) for k in range(C) if k != c0
               for m in range(R) if m != r0)


def with_selected(G, sel, g):
    H = [row[:] for row in G]
    H[sel[0]][sel[1]] = g
    return H


def read_case(name, G, sel, v, bias, weights, files=None, hand=None, hand_text=()):
    i_sense, i_cell, half_v = read_figures(G, sel, v, bias)
    if hand is not None:  # the hand-solved form and the dense solve must agree
        assert abs(i_sense - hand) <= 1e-12 * abs(hand), (name, i_sense, hand)
    i_lrs = read_figures(with_selected(G, sel, G_ON), sel, v, bias)[0]
    i_hrs = read_figures(with_selected(G, sel, G_OFF), sel, v, bias)[0]
    i_sneak = i_sense - i_cell
    est = path_estimate(G, sel, v, bias)
    cur, frac = {"rel": 1e-9, "abs": 1e-18}, {"rel": 1e-8, "abs": 1e-12}
    vals = [("i_sense", i_sense, cur), ("i_cell", i_cell, cur), ("i_sneak", i_sneak, cur),
            ("sneak_fraction", i_sneak / i_sense, frac), ("i_sense_lrs", i_lrs, cur), ("i_sense_hrs", i_hrs, cur),
            ("sneak_fraction_lrs", (i_lrs - G_ON * v) / i_lrs, frac),
            ("read_margin", (i_lrs - i_hrs) / i_lrs, frac), ("max_half_selected_v", half_v, {"rel": 1e-9, "abs": 1e-15}),
            ("sneak_path_est", est, {"rel": 1e-12, "abs": 1e-18}), ("sneak_path_factor", est / i_sneak, frac)]
    R, C = len(G), len(G[0])
    how = [f"a {R}x{C} read of cell {sel} at {v} V, unselected lines {bias}, zero wires, virtual ground;",
           *hand_text,
           "i_sense = sum_i g_is v_wl(i) from the line voltages (KCL solved densely); i_cell = g_sel V;",
           "LRS/HRS: the same with g_sel = g_on / g_off; read_margin = (i_lrs - i_hrs) / i_lrs;",
           "sneak_path_est: paths of <= 3 cells, each V_start / sum(1/g) (cf_read.py docstring);",
           "xbar's nodal engine reproduces every value too (test_regression runs the case on it)."]
    lines = header_lines(name, how) + ["format: 1", "labels: [quick]", "origins: [closed-form, nodal-engine]",
                                       "values:"]
    for q, val, tol in vals:
        extra = "".join(f", {k}: {num(tol[k])}" for k in ("rel", "abs") if k in tol)
        lines.append(f'  "{q}": {{value: {num(val)}{extra}, origin: closed-form}}')
    config = f"""# Closed-form regression case, written by regression/closed_form.py (do not edit by hand).
name: {name}
tile: {{rows: {R}, cols: {C}, cell: 1R}}
device: {{model: linear, g_on: 100u, g_off: 1u}}
weights: {weights}
parasitics: {{r_wl: 0, r_bl: 0}}
periphery: {{r_driver: 0, r_sense: 0, sense: virtual_ground}}
analysis: {{type: read, read: {{row: {sel[0]}, col: {sel[1]}, v_read: {num(v)}, bias: {bias}, max_path_cells: 3}}}}
simulator: {{engine: spice}}
output: {{dir: out/{name}}}
"""
    write_case(name, config, "\n".join(lines) + "\n", files)


def write_all():
    v = 0.2
    lrs = "{source: constant, value: 1, kind: weight}"
    g = G_ON
    read_case("cf_read_floating_2x2", [[g] * 2 for _ in range(2)], (0, 0), v, "floating", lrs,
              hand=g * v * (1 + 1 / 3), hand_text=["hand-solved: one sneak path of 3 cells, i_sense = g V (1 + 1/3);"])
    read_case("cf_read_floating_3x3", [[g] * 3 for _ in range(3)], (0, 0), v, "floating", lrs,
              hand=g * v * (1 + 4 / 5),
              hand_text=["hand-solved: floating BLs at 3V/5, WLs at 2V/5, i_sense = g V (1 + 4/5);"])
    read_case("cf_read_half_2x2", [[g] * 2 for _ in range(2)], (0, 0), v, "half", lrs,
              hand=g * v * 1.5, hand_text=["hand-solved (V/2): i_sense = g V + g V/2;"])
    read_case("cf_read_half_3x3", [[g] * 3 for _ in range(3)], (1, 2), v, "half", lrs,
              hand=g * v * 2.0, hand_text=["hand-solved (V/2): i_sense = g V + 2 g V/2;"])
    G = [[100e-6, 20e-6, 55e-6], [5e-6, 80e-6, 30e-6], [60e-6, 10e-6, 90e-6]]
    read_case("cf_read_floating_3x3_files", G, (1, 2), v, "floating",
              "{source: file, file: w.csv, kind: conductance}",
              files={"w.csv": "\n".join(",".join(num(x) for x in row) for row in G) + "\n"})
