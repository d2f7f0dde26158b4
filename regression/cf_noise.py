"""Closed-form noise cases (imported by closed_form.py, which writes them).

One cell in a series loop: source - r_driver - cell - r_sense - virtual
ground, so every element carries the loop current and a noise current i
across element k (resistance R_k) reaches the output as i R_k / R_tot
(R_tot = r_driver + 1/g + r_sense).  Over the band B = f_max - f_min:
  thermal: sum_k 4kT/R_k (R_k/R_tot)^2 B = 4kT/R_tot B  (a single resistor: 4kT/R B);
  shot (Fano F): 2qF I (R_cell/R_tot)^2 B, with I = V / R_tot;
  1/f read noise: (Q I)^2 (R_cell/R_tot)^2 ln(f_max/f_min), Q = min(q0 (g/g_ref)^-exponent, q_max);
  amplifier current i_n straight into the output: i_n^2 B;
  amplifier voltage e_n at the held node, across R_tot: (e_n / R_tot)^2 B.
ENOB = log2(I_fs / (rms sqrt(12))), I_fs = g V (one row, conductance weights,
voltage inputs).  T = 300.15 K, k = 1.380649e-23 J/K, q = 1.602176634e-19 C.
"""
import math

from closed_form import num, write_case, expected_text

K_B, Q_E, T = 1.380649e-23, 1.602176634e-19, 300.15


def config(name, g, v, r_driver, r_sense, noise):
    return f"""# Closed-form regression case, written by regression/cf_noise.py via closed_form.py (do not edit by hand).
name: {name}
tile: {{rows: 1, cols: 1, cell: 1R}}
device: {{model: linear, params: {{}}, g_on: 100u, g_off: 1u}}
weights: {{source: constant, value: {num(g)}, kind: conductance}}
inputs: {{source: constant, value: {num(v)}, vectors: 1, kind: voltage}}
parasitics: {{r_wl: 1.0, r_bl: 1.0}}
periphery: {{r_driver: {num(r_driver)}, r_sense: {num(r_sense)}, sense: virtual_ground}}
analysis: {{type: op}}
simulator: {{engine: nodal}}
noise: {noise}
output: {{dir: out/{name}}}
"""


def series_loop(name, g, v, r_driver, r_sense, f_min, f_max, fano=0.0, q0=0.0, e_n=0.0, i_n=0.0):
    band, r_cell = f_max - f_min, 1 / g
    r_tot = r_driver + r_cell + r_sense
    i = v / r_tot
    share = (r_cell / r_tot) ** 2
    q = min(q0 * (g / 25e-6) ** -0.65, 0.2)
    power = (4 * K_B * T / r_tot * band + 2 * Q_E * fano * i * share * band
             + (q * i) ** 2 * share * math.log(f_max / f_min) + i_n ** 2 * band + (e_n / r_tot) ** 2 * band)
    rms = math.sqrt(power)
    enob = math.log2(g * v / (rms * math.sqrt(12)))
    noise = (f"{{enabled: true, f_min: {num(f_min)}, f_max: {num(f_max)}, shot_fano: {num(fano)}, "
             f"read: {{q0: {num(q0)}}}, sense: {{e_n: {num(e_n)}, i_n: {num(i_n)}}}}}")
    vals = [("noise_i_rms[v0,c0]", rms, {"rel": 1e-9}), ("noise_max_i_rms", rms, {"rel": 1e-9}),
            ("noise_min_enob", enob, {"rel": 1e-9})]
    how = [f"one cell of {g} S at {v} V, r_driver {r_driver}, r_sense {r_sense}, band {f_min}..{f_max} Hz,",
           f"Fano {fano}, read q0 {q0}, e_n {e_n} V/rtHz, i_n {i_n} A/rtHz: the series-loop forms of cf_noise.py."]
    write_case(name, config(name, g, v, r_driver, r_sense, noise), expected_text(name, how, vals))


def write_all():
    series_loop("cf_noise_resistor", 1e-4, 0.2, 0.0, 0.0, 10.0, 1e7)
    series_loop("cf_noise_series", 20e-6, 0.2, 2e3, 1e3, 1.0, 1e6, fano=1.0, q0=0.0088, e_n=1e-8, i_n=1e-12)
