"""Closed-form 1T1R and 2T2R cases (imported by closed_form.py, which writes them).

The access transistor is the level-1 card models/nmos_level1.lib (vto 0.4 V,
kp 2.9e-4 A/V^2, lambda 0.05 1/V).  With zero wire, driver and sense
resistance each transistor's source sits on a bit line held at 0 V (bulk at 0,
so no body effect), and each cell is alone: G (V - Vm) = Id(Vm), the
Shichman-Hodges triode law Id = kp W/L (Vgs - vto - Vm/2) Vm (1 + lambda Vm),
solved here by bisection.  ngspice adds gmin (1e-12 S) across the reverse
biased drain junction: at most ~1e-15 A beside currents of >= 1e-7 A, so the
tolerance is rel 1e-7.
"""
import math

from closed_form import num, write_case, solve_bisect, header_lines

VTO, KP, LAMBDA = 0.4, 2.9e-4, 0.05


def cell_current(g, v, w, l, v_gate):
    """Current through a cell of conductance g in series with the level-1 NMOS, V >= 0 on top."""
    if v == 0 or g == 0:
        return 0.0
    beta, vov = KP * w / l, v_gate - VTO

    def residual(vm):  # cell current minus transistor current
        vds = min(vm, vov)  # saturation beyond vov (not reached in these cases)
        return g * (v - vm) - beta * (vov - vds / 2) * vds * (1 + LAMBDA * vm)

    vm = solve_bisect(residual, 0.0, v)
    return g * (v - vm)


def transistor_config(name, rows, cols, cell, *, weights, inputs, w, l, v_gate, r_wl=0.0, r_bl=0.0):
    return f"""# Closed-form regression case, written by regression/closed_form.py (do not edit by hand).
name: {name}
tile: {{rows: {rows}, cols: {cols}, cell: {cell}}}
device: {{model: linear, g_on: 100u, g_off: 1u}}
weights: {weights}
inputs: {inputs}
parasitics: {{r_wl: {num(r_wl)}, r_bl: {num(r_bl)}}}
periphery: {{r_driver: 0, r_sense: 0, sense: virtual_ground}}
transistor: {{model: nmos_level1, w: {num(w)}, l: {num(l)}, v_gate: {num(v_gate)}}}
analysis: {{type: op}}
simulator: {{engine: spice}}
output: {{dir: out/{name}}}
"""


def expected(name, how, values, labels=("quick",)):
    lines = header_lines(name, how) + ["format: 1", f"labels: [{', '.join(labels)}]", "origins: [closed-form]", "values:"]
    for q, val, tol in values:
        extra = "".join(f", {k}: {num(tol[k])}" for k in ("rel", "abs") if k in tol)
        lines.append(f'  "{q}": {{value: {num(val)}{extra}, origin: closed-form}}')
    return "\n".join(lines) + "\n"


def csv(rows):
    return "\n".join(",".join(num(x) for x in row) for row in rows) + "\n"


def level1_1t1r(name):
    # Distinct conductances, two input vectors (one row idle in the second).
    G = [[100e-6, 20e-6, 55e-6], [5e-6, 80e-6, 1e-6]]
    X = [[0.2, 0.15], [0.0, 0.3]]
    w, l, vg = 1e-6, 1e-7, 1.2
    vals = []
    for k, V in enumerate(X):
        for j in range(3):
            i = sum(cell_current(G[r][j], V[r], w, l, vg) for r in range(2))
            vals.append((f"i_spice[v{k},c{j}]", i, {"rel": 1e-7}))
    how = ["a 2x3 1T1R tile, zero wires, each cell (w.csv, S) in series with a level-1 NMOS",
           f"(W/L {w:g}/{l:g}, v_gate {vg} V, Ron ~ 1/(kp W/L (v_gate - vto)) = 431 ohm), inputs x.csv;",
           "I_j = sum_i G_ij (V_i - Vm_ij), Vm from G (V - Vm) = kp W/L (Vgs - vto - Vm/2) Vm (1 + lambda Vm)",
           "solved by bisection (cf_transistor.py); rel 1e-7 covers ngspice's gmin at the drain junction."]
    write_case(name, transistor_config(name, 2, 3, "1T1R", weights="{source: file, file: w.csv, kind: conductance}",
                                       inputs="{source: file, file: x.csv, kind: voltage}", w=w, l=l, v_gate=vg),
               expected(name, how, vals), {"w.csv": csv(G), "x.csv": csv(X)})


def strong_1t1r_ladder(name, n, r, g, v):
    # A transistor of W/L 1e4 has Ron = 1/(kp W/L (v_gate - vto)) = 0.43 ohm: in series
    # with a 10 kohm cell it lowers each current by ~ g Ron = 4.3e-5.  The 1T1R ladder
    # must therefore match the 1R cosh ladder to rel 1e-4 (and no better than ~4e-5).
    t = math.acosh(1 + r * g / 2)
    w, l, vg = 1e-3, 1e-7, 1.2
    vals = [(f"i_spice[v0,c{j}]", g * v * math.cosh(t * (n - 0.5 - j)) / math.cosh(t * (n - 0.5)), {"rel": 1e-4})
            for j in range(n)]
    ron = 1 / (KP * w / l * (vg - VTO))
    how = [f"one word line of {n} 1T1R cells of {g} S, {r} ohm segments, {v} V, bit lines at 0 V, against",
           "the 1R closed form I_j = g V cosh(t (n - 1/2 - j)) / cosh(t (n - 1/2)), cosh t = 1 + r g / 2.",
           f"The level-1 transistor (W/L {w / l:g}, v_gate {vg} V) adds Ron = {ron:.3g} ohm per cell, which lowers",
           f"each current by ~ g Ron = {g * ron:.2g}: hence rel 1e-4, the transistor's share of the error."]
    write_case(name, transistor_config(name, 1, n, "1T1R", weights=f"{{source: constant, value: {num(g)}, kind: conductance}}",
                                       inputs=f"{{source: constant, value: {num(v)}, kind: voltage}}", w=w, l=l, v_gate=vg,
                                       r_wl=r, r_bl=1.0),
               expected(name, how, vals))


def level1_2t2r(name):
    # Signed weights: logical column j is I(G+) - I(G-) of physical columns 2j, 2j+1.
    W = [[1.0, -0.5], [-0.25, 0.0], [0.6, -1.0]]
    X = [[0.2, 0.1, 0.05], [0.0, 0.2, 0.2]]
    g_on, g_off = 100e-6, 1e-6
    w, l, vg = 1e-6, 1e-7, 1.2
    vals = []
    for k, V in enumerate(X):
        for j in range(2):
            ip = im = ideal = 0.0
            for r in range(3):
                gp = g_off + max(W[r][j], 0) * (g_on - g_off)
                gm = g_off + max(-W[r][j], 0) * (g_on - g_off)
                ip += cell_current(gp, V[r], w, l, vg)
                im += cell_current(gm, V[r], w, l, vg)
                ideal += (gp - gm) * V[r]
            vals.append((f"i_spice[v{k},c{j}]", ip - im, {"rel": 1e-7, "abs": 1e-14}))
            vals.append((f"i_ideal[v{k},c{j}]", ideal, {"rel": 1e-12, "abs": 1e-18}))
    how = ["a 3x2 2T2R tile of signed weights (w.csv), zero wires, level-1 access transistors",
           f"(W/L {w:g}/{l:g}, v_gate {vg} V); G+ = g_off + max(w,0)(g_on-g_off), G- = g_off + max(-w,0)(g_on-g_off);",
           "I_j = sum_i I(G+_ij, V_i) - I(G-_ij, V_i), each cell's I from the level-1 triode law (bisection);",
           "i_ideal = sum_i (G+ - G-) V_i.  rel 1e-7 (gmin), abs 1e-14 A for the near-cancelling column."]
    write_case(name, transistor_config(name, 3, 2, "2T2R", weights="{source: file, file: w.csv, kind: weight}",
                                       inputs="{source: file, file: x.csv, kind: voltage}", w=w, l=l, v_gate=vg),
               expected(name, how, vals), {"w.csv": csv(W), "x.csv": csv(X)})


def write_all():
    level1_1t1r("cf_1t1r_level1_2x3")
    strong_1t1r_ladder("cf_1t1r_strong_ladder_16", 16, 2.0, 100e-6, 0.2)
    level1_2t2r("cf_2t2r_level1_3x2")
