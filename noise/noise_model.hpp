#pragma once
// The noise sources xbar puts in a tile and their spectra (README "Noise").
// Every source is a current (or, for the sense amplifier, a voltage) with a
// one-sided power spectral density  S(f) = white + flicker / f,  so its power
// in the band [f_min, f_max] is  white (f_max - f_min) + flicker ln(f_max / f_min).
#include <algorithm>
#include <cmath>

namespace xbar {

inline constexpr double kBoltzmann = 1.380649e-23;            // J/K (SI, exact)
inline constexpr double kElementaryCharge = 1.602176634e-19;  // C (SI, exact)

struct NoiseOptions {
  double f_min = 1.0, f_max = 1e6;  // the band, Hz (0 < f_min < f_max)
  double temperature_k = 300.15;    // of every resistor and device
  // Shot noise of each cell's current, 2 q F |I|.  F (the Fano factor) is 0
  // for an ohmic device (a metal filament, a PCM cell: no barrier, no shot
  // noise) and 1 for a device whose current crosses a barrier (a selector, a
  // diode, a tunnel junction, a transistor below threshold).
  double shot_fano = 0.0;
  // 1/f read noise of each cell: S_I(f) = (Q(G) I)^2 / f with
  // Q(G) = min(q0 (G / g_ref)^(-exponent), q_max), the form Nandakumar et al.
  // fitted to PCM (ICECS 2019, the read-noise model of IBM's aihwkit:
  // q0 0.0088, exponent 0.65, g_ref 25 uS, q_max 0.2).  q0 = 0: none.
  double read_q0 = 0.0, read_exponent = 0.65, read_g_ref = 25e-6, read_q_max = 0.2;
  // The sense amplifier's input-referred noise densities: a voltage in series
  // with its input (V/sqrt(Hz)) and a current into its input node (A/sqrt(Hz)).
  double sense_e_n = 0.0, sense_i_n = 0.0;

  double white_band() const { return f_max - f_min; }
  double flicker_band() const { return std::log(f_max / f_min); }
  // Band power of a source with density white + flicker / f.
  double band_power(double white, double flicker) const { return white * white_band() + flicker * flicker_band(); }
  double thermal_density(double conductance) const { return 4.0 * kBoltzmann * temperature_k * conductance; }
  double shot_density(double current) const { return 2.0 * kElementaryCharge * shot_fano * std::fabs(current); }
  // The 1/f coefficient (A^2) of a cell of conductance g (at 0 V) carrying i.
  double read_flicker(double g, double i) const {
    if (read_q0 <= 0.0 || g <= 0.0) return 0.0;
    const double q = std::min(read_q0 * std::pow(g / read_g_ref, -read_exponent), read_q_max);
    return q * q * i * i;
  }
};

}  // namespace xbar
