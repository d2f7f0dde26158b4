"""Closed-form transient cases (imported by closed_form.py, which writes them).

cf_tran_rc_cell: one cell g behind r_driver Rd, c_wl C at its word-line node,
bit line at 0 V.  The node obeys tau dy/dt = k Vs(t) - y with k = (1/Rd) /
(1/Rd + g), tau = C / (1/Rd + g); the driver ramps 0 -> V over tr, then holds:
  t <= tr:  y = k V / tr (t - tau (1 - exp(-t/tau)))
  t >= tr:  y = k V (1 - tau/tr (exp(-(t - tr)/tau) - exp(-t/tau)))
The column current is g y; the settling time solves g y(t) = (1 - band) g y(t_s);
the energy the driver delivers in the window is the integral of Vs (Vs - y) / Rd,
and the column charge that of g y (composite Simpson on the formula, 2e5 steps).

cf_tran_ladder_held: a word-line ladder with capacitances, held long enough to
settle; its sampled currents must be the op closed form (the cosh ladder).
"""
import math

from closed_form import num, write_case, header_lines, solve_bisect


def simpson(f, a, b, n=200000):
    h = (b - a) / n
    s = f(a) + f(b) + sum((4 if k % 2 else 2) * f(a + k * h) for k in range(1, n))
    return s * h / 3


def tran_config(name, rows, cols, *, g, v, r_wl, r_driver, c_wl, window, rise, sample, engine, step=1e-9):
    return f"""# Closed-form regression case, written by regression/closed_form.py (do not edit by hand).
name: {name}
tile: {{rows: {rows}, cols: {cols}, cell: 1R}}
device: {{model: linear, g_on: 100u, g_off: 1u}}
weights: {{source: constant, value: {num(g)}, kind: conductance}}
inputs: {{source: constant, value: {num(v)}, vectors: 1, kind: voltage}}
parasitics: {{r_wl: {num(r_wl)}, r_bl: 0, c_wl: {num(c_wl)}, c_bl: 0}}
periphery: {{r_driver: {num(r_driver)}, r_sense: 0, sense: virtual_ground}}
analysis: {{type: tran, tran: {{encoding: amplitude, window: {num(window)}, step: {num(step)}, sample: {num(sample)}, rise: {num(rise)}, fall: {num(rise)}, settle: 0.01}}}}
simulator: {{engine: {engine}}}
output: {{dir: out/{name}}}
"""


def expected(name, how, vals):
    lines = header_lines(name, how) + ["format: 1", "labels: [quick]", "origins: [closed-form]", "values:"]
    for q, val, tol in vals:
        extra = "".join(f", {k}: {num(tol[k])}" for k in ("rel", "abs") if k in tol)
        lines.append(f'  "{q}": {{value: {num(val)}{extra}, origin: closed-form}}')
    return "\n".join(lines) + "\n"


def rc_cell(name, g, v, rd, c, window, rise, sample, step, band=0.01):
    k = (1 / rd) / (1 / rd + g)
    tau = c / (1 / rd + g)

    def vs(t):
        return v * min(t / rise, 1.0)

    def y(t):
        if t <= rise:
            return k * v / rise * (t - tau * (1 - math.exp(-t / tau)))
        return k * v * (1 - tau / rise * (math.exp(-(t - rise) / tau) - math.exp(-t / tau)))

    ts = sample * window
    target = (1 - band) * y(ts)
    t_settle = solve_bisect(lambda t: y(t) - target, 0.0, ts)
    energy = simpson(lambda t: vs(t) * (vs(t) - y(t)) / rd, 0, rise) + \
        simpson(lambda t: vs(t) * (vs(t) - y(t)) / rd, rise, window)
    charge = simpson(lambda t: g * y(t), 0, rise) + simpson(lambda t: g * y(t), rise, window)
    vals = [("i_spice[v0,c0]", g * y(ts), {"rel": 1e-6}),
            ("t_settle[v0,c0]", t_settle, {"rel": 1e-3}),
            ("max_settle_s", t_settle, {"rel": 1e-3}),
            ("q[v0,c0]", charge, {"rel": 1e-5}),
            ("energy_per_mvm_j", energy, {"rel": 1e-5})]
    how = [f"one cell of {g} S behind r_driver {rd} ohm, c_wl {c} F, V {v} V ramped over {rise} s,",
           f"window {window} s, sampled at {sample} of it; tau = {tau:.6g} s (cf_transient.py docstring);",
           "i = g y(t_s); t_settle: g y(t) = 0.99 g y(t_s); energy: int Vs (Vs - y)/Rd; q: int g y.",
           f"Tolerances: ngspice integrates with reltol 1e-6 and xbar interpolates the settling instant",
           f"linearly between time points (step {step:g} s: 2e-4 measured), so t_settle rel 1e-3, energy and charge rel 1e-5."]
    write_case(name, tran_config(name, 1, 1, g=g, v=v, r_wl=0, r_driver=rd, c_wl=c, window=window, rise=rise,
                                 sample=sample, engine="spice", step=step), expected(name, how, vals))


def ladder_held(name, n, r, g, v, c, window):
    t = math.acosh(1 + r * g / 2)
    vals = []
    for j in range(n):
        i = g * v * math.cosh(t * (n - 0.5 - j)) / math.cosh(t * (n - 0.5))
        vals.append((f"i_spice[v0,c{j}]", i, {"rel": 1e-5}))
        vals.append((f"i_nodal[v0,c{j}]", i, {"rel": 1e-9}))
    how = [f"one word line of {n} cells of {g} S, {r} ohm segments, c_wl {c} F per node, {v} V held",
           f"for a {window} s window and sampled at 0.9 of it (tens of the ladder's RC times): the",
           "transient must settle to the op closed form I_j = g V cosh(t (n-1/2-j)) / cosh(t (n-1/2)),",
           "cosh t = 1 + r g/2; i_spice to rel 1e-5 (tran reltol 1e-6), i_nodal (the DC solve) to 1e-9."]
    write_case(name, tran_config(name, 1, n, g=g, v=v, r_wl=r, r_driver=0, c_wl=c, window=window, rise=1e-9,
                                 sample=0.9, engine="both"), expected(name, how, vals))


def write_all():
    rc_cell("cf_tran_rc_cell", 100e-6, 0.2, 1e4, 1e-12, 100e-9, 2e-9, 0.9, 0.25e-9)
    ladder_held("cf_tran_ladder_held_8", 8, 50.0, 100e-6, 0.2, 5e-12, 200e-9)
