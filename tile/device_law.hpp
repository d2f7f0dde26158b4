#pragma once
// The static I-V law of a two-terminal device (a cell's memory device, at a
// frozen state for a dynamic one) as a value: its parameters and the functions
// that read them.  The model registry builds it (models/device_laws.hpp: one
// function per law form, chosen by the registry entry); everything else only
// calls it: the nodal engine takes I and dI/dV, the netlist writer the SPICE
// current expression.  So a new static law is a new law form beside its
// registry entry, and no engine or writer changes.
//
// tile/ holds the shape and no law: the functions (and the SPICE text they
// write) live in models/, which tile/ may not include, and reach the engines
// through these pointers.  A value of plain data and function pointers keeps
// the tile copyable and the hot loop free of virtual dispatch: the linear law
// (no function) is evaluated inline, a nonlinear one with one indirect call
// per cell per Newton iteration, returning I and dI/dV together.
#include <array>
#include <string>
#include <string_view>

namespace xbar {

struct DeviceLaw {
  using Params = std::array<double, 4>;  // meaning fixed by the law's functions
  struct Point {
    double i = 0;      // A
    double di_dv = 0;  // S
  };
  Params params{};
  // I and dI/dV at voltage v of a device whose conductance at 0 V is g.
  // Null: the linear law I = g v.
  Point (*eval)(const Params& p, double g, double v) = nullptr;
  // Appends to `out` the SPICE expression of that current (a B source's
  // `i = ...`), `v` being the expression of the voltage across the device,
  // e.g. "v(a, b)".  Set with `eval`; a linear device is a resistor of 1/g.
  void (*spice_current)(const Params& p, double g, std::string_view v, std::string& out) = nullptr;
  // Why the parameters are not usable (non-finite, outside the law's
  // domain), or null when they are.  Null function: any parameters.
  const char* (*problem)(const Params& p) = nullptr;

  bool linear() const { return eval == nullptr; }
  Point at(double g, double v) const { return eval ? eval(params, g, v) : Point{g * v, g}; }
  double current(double g, double v) const { return at(g, v).i; }
  double conductance(double g, double v) const { return at(g, v).di_dv; }
  const char* check() const { return problem ? problem(params) : nullptr; }
};

}  // namespace xbar
