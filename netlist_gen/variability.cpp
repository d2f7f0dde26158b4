#include "netlist_gen/variability.hpp"

#include <cmath>

#include "netlist_gen/portable_random.hpp"

namespace xbar {

std::uint64_t mix_seed(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ull;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

std::uint64_t sample_seed(std::uint64_t s, std::uint64_t k) { return mix_seed(mix_seed(s) ^ k); }

std::uint64_t variability_seed(const Config& c) {
  if (c.montecarlo.sample >= 0) return sample_seed(c.montecarlo.seed, static_cast<std::uint64_t>(c.montecarlo.sample));
  return c.device.variability_seed;
}

std::uint64_t stream_seed(std::uint64_t seed, VariabilityStream stream) {
  return mix_seed(seed ^ mix_seed(static_cast<std::uint64_t>(stream)));
}

void apply_device_variability(const Config& c, std::vector<double>& g) {
  const std::uint64_t seed = variability_seed(c);
  // G = G0 exp(sigma N(0,1)).
  if (c.device.variability_sigma > 0) {
    PortableRandom rng(seed);
    for (double& gv : g) {
      const double n = rng.normal();
      if (gv > 0) gv *= std::exp(c.device.variability_sigma * n);
    }
  }
  // Stuck cells: one uniform draw per cell, [0, on) at g_on, [on, on + off) at g_off.
  if (c.device.stuck_on > 0 || c.device.stuck_off > 0) {
    PortableRandom rng(stream_seed(seed, VariabilityStream::kStuck));
    for (double& gv : g) {
      const double u = rng.uniform();
      if (gv <= 0) continue;
      if (u < c.device.stuck_on)
        gv = c.device.g_on;
      else if (u < c.device.stuck_on + c.device.stuck_off)
        gv = c.device.g_off;
    }
  }
}

namespace {

void apply_wire_segment_variability(const Config& c, TileSpec& t) {
  if (c.parasitics.r_segment_sigma <= 0) return;
  PortableRandom rng(stream_seed(variability_seed(c), VariabilityStream::kWireSegments));
  const std::size_t n = static_cast<std::size_t>(t.rows) * t.phys_cols();
  for (auto* f : {&t.r_wl_factor, &t.r_bl_factor, &t.r_gl_factor}) {
    f->resize(n);
    for (double& x : *f) x = std::exp(c.parasitics.r_segment_sigma * rng.normal());
  }
}

}  // namespace

void apply_wire_variability(const Config& c, TileSpec& t) {
  apply_wire_segment_variability(c, t);
  if (c.parasitics.r_sigma <= 0 && c.periphery.r_driver_sigma <= 0) return;
  PortableRandom rng(stream_seed(variability_seed(c), VariabilityStream::kWires));
  // Both draws are made whatever the sigmas, so one key's spread does not
  // change the other's sample.
  const double wires = std::exp(c.parasitics.r_sigma * rng.normal());
  const double driver = std::exp(c.periphery.r_driver_sigma * rng.normal());
  t.r_wl *= wires;
  t.r_bl *= wires;
  t.r_gl *= wires;
  t.r_driver *= driver;
}

void apply_transistor_mismatch(const Config& c, TileSpec& t) {
  if (!t.access_transistors() || (c.transistor.a_vt <= 0 && c.transistor.a_beta <= 0)) return;
  // Pelgrom, Duinmaijer and Welbers, IEEE JSSC 24(5), 1989: the standard
  // deviation of a parameter's mismatch falls as 1 / sqrt(gate area).
  const double root_area = std::sqrt(c.transistor.w * c.transistor.l);
  const double sigma_vt = c.transistor.a_vt / root_area;
  const double sigma_beta = c.transistor.a_beta / root_area;
  PortableRandom rng(stream_seed(variability_seed(c), VariabilityStream::kTransistors));
  const std::size_t n = static_cast<std::size_t>(t.rows) * t.phys_cols();
  t.delta_vth.resize(n);
  t.beta_factor.resize(n);
  for (std::size_t k = 0; k < n; ++k) {
    t.delta_vth[k] = sigma_vt * rng.normal();
    t.beta_factor[k] = 1.0 + sigma_beta * rng.normal();
  }
}

}  // namespace xbar
