"""Closed-form 1S1R cases (imported by closed_form.py, which writes them).

A 1S1R cell is the device (linear, G) from WL to a junction M, then the
sinh selector I = i0 sinh(V / v0) from M to BL, with v0 = v_on / (2 acosh(k/2))
and i0 = i_on / sinh(v_on / v0).  A cell at outer voltage V carries
G u = i0 sinh((V - u) / v0), solved for the device voltage u by bisection;
lines add one more bisection for the wire node.  Tolerance rel 1e-7: ngspice
converges node voltages to reltol 1e-9 of their size.
"""
import math

from closed_form import num, write_case, solve_bisect
from cf_transistor import expected

K, V_ON, I_ON = 1e4, 1.0, 1e-4
V0 = V_ON / (2 * math.acosh(K / 2))
I0 = I_ON / math.sinh(V_ON / V0)


def cell_current(g, v):
    """Current of a 1S1R cell of device conductance g at outer voltage v >= 0."""
    if v == 0:
        return 0.0
    u = solve_bisect(lambda x: g * x - I0 * math.sinh((v - x) / V0), 0.0, v)
    return g * u


def config(name, rows, cols, *, g, v, r_wl, r_bl):
    return f"""# Closed-form regression case, written by regression/closed_form.py (do not edit by hand).
name: {name}
tile: {{rows: {rows}, cols: {cols}, cell: 1S1R}}
device: {{model: linear, g_on: 100u, g_off: 1u}}
selector: {{model: sinh_selector, params: {{k: {num(K)}, v_on: {num(V_ON)}, i_on: {num(I_ON)}}}}}
weights: {{source: constant, value: {num(g)}, kind: conductance}}
inputs: {{source: constant, value: {num(v)}, vectors: 1, kind: voltage}}
parasitics: {{r_wl: {num(r_wl)}, r_bl: {num(r_bl)}}}
periphery: {{r_driver: 0, r_sense: 0, sense: virtual_ground}}
analysis: {{type: op}}
simulator: {{engine: both}}
output: {{dir: out/{name}}}
"""


def currents(cols, tol):
    return [(f"i_{eng}[v0,c{j}]", i, tol) for j, i in enumerate(cols) for eng in ("spice", "nodal")]


SELECTOR = f"selector k {K:g} at v_on {V_ON} V, i_on {I_ON} A: v0 = v_on / (2 acosh(k/2)), i0 = i_on / sinh(v_on / v0)"


def single_cell(name, g, v):
    i = cell_current(g, v)
    vals = currents([i], {"rel": 1e-7})
    vals.append(("max_rel_err", abs(i - g * v) / (g * v), {"rel": 1e-6}))
    how = [f"one 1S1R cell, device {g} S, {SELECTOR}, at {v} V, no resistances:",
           "G u = i0 sinh((V - u) / v0) for the device voltage u (bisection), I = G u;",
           "max_rel_err = |I - G V| / (G V) (the ideal is the device alone)."]
    write_case(name, config(name, 1, 1, g=g, v=v, r_wl=0, r_bl=0), expected(name, how, vals))


def word_line(name, g, v, r):
    # V at WL(0,0) (no driver resistance); WL(0,1) = x behind r: x + r I(x) = V.
    x = solve_bisect(lambda y: y + r * cell_current(g, y) - v, 0.0, v)
    cols = [cell_current(g, v), cell_current(g, x)]
    vals = currents(cols, {"rel": 1e-7})
    how = [f"a 1x2 line of 1S1R cells (device {g} S), {SELECTOR}, {v} V, r_wl {r} ohm, bit lines at 0 V:",
           "cell 0 sees V; cell 1 sees x with x + r_wl I(x) = V (bisection), I(x) the series cell current."]
    write_case(name, config(name, 1, 2, g=g, v=v, r_wl=r, r_bl=1), expected(name, how, vals))


def bit_line(name, g, v, r):
    # Rows at V; BL(1,0) at 0 V (no sense resistance); BL(0,0) = y above r: I(V - y) = y / r.
    y = solve_bisect(lambda z: z / r - cell_current(g, v - z), 0.0, v)
    col = cell_current(g, v - y) + cell_current(g, v)
    vals = currents([col], {"rel": 1e-7})
    how = [f"a 2x1 column of 1S1R cells (device {g} S), {SELECTOR}, both rows at {v} V, r_bl {r} ohm:",
           "the top cell's bit-line node y has I(V - y) = y / r_bl (bisection); I = I(V - y) + I(V)."]
    write_case(name, config(name, 2, 1, g=g, v=v, r_wl=1, r_bl=r), expected(name, how, vals))


def write_all():
    single_cell("cf_1s1r_cell", 100e-6, 1.0)
    word_line("cf_1s1r_line_1x2", 100e-6, 1.2, 5000.0)
    bit_line("cf_1s1r_line_2x1", 100e-6, 1.2, 5000.0)
