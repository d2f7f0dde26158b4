#include "models/registry.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "common/data_dir.hpp"
#include "common/suggest.hpp"
#include "models/device_laws.hpp"

namespace xbar {

const ModelParam* ModelInfo::find_param(std::string_view n) const {
  for (const auto& p : params)
    if (p.name == n) return &p;
  return nullptr;
}

bool ModelInfo::suits(std::string_view analysis) const {
  return std::find(analyses.begin(), analyses.end(), analysis) != analyses.end();
}

namespace {

// Each entry mirrors the header of its file in models/ (equations, units,
// source, limits); tests/unit/test_models.cpp checks that the defaults listed
// here are the ones the file declares.
ModelInfo linear_model() {
  ModelInfo m;
  m.name = "linear";
  m.summary = "ideal linear conductance (read-mode cell)";
  m.equation = "I = G V, with G from device.g_on/g_off and the weight; G(T) = G exp(tcg (T - 27 C))";
  m.params = {{"tcg", "1/K", 0.0, -0.2, 0.2,
               "temperature coefficient of conductance, d ln G / dT at 27 C (0: an ideal conductance)"}};
  m.analyses = {"op", "tran", "read"};
  m.source = "Ohm's law";
  m.limits = "no nonlinearity, no state: a read-mode abstraction";
  return m;
}

ModelInfo sinh_model() {
  ModelInfo m;
  m.name = "sinh";
  m.summary = "read-mode nonlinear cell, same small-signal conductance as linear";
  m.equation = "I = G v0 sinh(V / v0); dI/dV at 0 V = G; G(T) = G exp(tcg (T - 27 C))";
  m.params = {{"v0", "V", 0.3, 0.05, 10.0, "characteristic voltage of the sinh nonlinearity (0.25-0.43 V typical)"},
              {"tcg", "1/K", -1e-3, -0.2, 0.2,
               "temperature coefficient of conductance at 27 C: an oxide-RRAM filament conducts like a metal, "
               "its resistance rising about 0.1 %/K (Ielmini, Nardi and Cagli, Nanotechnology 22, 254022, 2011)"}};
  m.analyses = {"op", "tran", "read"};
  m.read_law = [](const ParamValue& p) { return sinh_law(p("v0")); };
  m.source =
      "read-mode I-V of the Stanford-PKU RRAM model, I = I0 exp(-gap/g0) sinh(V/V0), with the gap frozen "
      "(Jiang et al., SISPAD 2014)";
  m.limits = "state frozen; G is the conductance at 0 V";
  return m;
}

ModelInfo pcm_model() {
  ModelInfo m;
  m.name = "pcm";
  m.summary = "phase-change cell read at time t_read: linear, conductance drifted by a power law";
  m.equation =
      "I = G(t) V, G(t) = G0 (t_read / t0)^(-nu); G0 = the programmed conductance at t0; "
      "G(T) = G exp(tcg (T - 27 C))";
  m.params = {{"t_read", "s", 3600.0, 20.0, 3.2e9, "time from programming to the read (t0 = 20 s is no drift)"},
              {"tcg", "1/K", 0.0386, -0.2, 0.2,
               "temperature coefficient of conductance at 27 C: amorphous GST conducts by thermal activation, "
               "Ea about 0.3 eV (Ielmini and Zhang, J. Appl. Phys. 102, 054517, 2007), so d ln G / dT = "
               "Ea / (k T^2) = 0.0386 /K at 300 K"},
              {"nu", "1", 0.06, 0.0, 0.5, "drift exponent (0.05-0.1 typical for amorphous GST)"},
              {"t0", "s", 20.0, 1e-6, 1e6, "reference time at which G0 (g_on/g_off) was measured"}};
  m.analyses = {"op", "read"};
  m.source =
      "power-law resistance drift, Ielmini et al., IEEE TED 54(2), 2007; Boybat et al., Nature Comm. 9, 2018 "
      "(nu ~ 0.05-0.1, t0 20 s)";
  m.drift = true;
  m.limits = "drift is deterministic (no nu variability) and applied once, when the tile is built";
  return m;
}

ModelInfo yakopcic_model() {
  ModelInfo m;
  m.name = "yakopcic";
  m.summary = "Yakopcic generalized memristor, dynamic (thresholds Vp/Vn above the read voltage)";
  m.equation =
      "I = a1 x sinh(b V) (V>=0), a2 x sinh(b V) (V<0); dx/dt = eta g(V) f(x), g = Ap(e^V - e^Vp) above Vp, "
      "-An(e^-V - e^Vn) below -Vn, else 0";
  m.params = {{"a1", "A", 0.17, 0, 10, "current scale, V >= 0"},
              {"a2", "A", 0.17, 0, 10, "current scale, V < 0"},
              {"b", "1/V", 0.05, 1e-3, 10, "I-V curvature"},
              {"vp", "V", 0.16, 0, 10, "positive switching threshold"},
              {"vn", "V", 0.15, 0, 10, "negative switching threshold (magnitude)"},
              {"ap", "1/s", 4000, 0, 1e12, "state rate above vp"},
              {"an", "1/s", 4000, 0, 1e12, "state rate below -vn"},
              {"xp", "1", 0.3, 0, 1, "state where the positive window starts"},
              {"xn", "1", 0.5, 0, 1, "state where the negative window starts (1 - xn)"},
              {"alphap", "1", 1, 0, 100, "positive window decay"},
              {"alphan", "1", 1, 0, 100, "negative window decay"},
              {"eta", "1", 1, -1, 1, "switching direction (+1 or -1)"},
              {"x0", "1", 0.11, 0, 1, "initial state"}};
  m.analyses = {"tran"};
  m.file = "yakopcic.sub";
  // Frozen state: a1 x sinh(b V) (V >= 0), conductance at 0 V a1 b x.
  m.read_law = [](const ParamValue& p) { return sinh_law(1.0 / p("b")); };
  m.state = StateMap{.param = "x0",
                     .unit = "1",
                     .g_of_state = [](const ParamValue& p, double s) { return p("a1") * p("b") * s; },
                     .state_of_g = [](const ParamValue& p, double g) { return g / (p("a1") * p("b")); }};
  m.spice_name = "yakopcic";
  m.terminals = "p n xs";
  m.source = "Yakopcic et al., 'A Memristor Device Model', IEEE EDL 32(10), 2011 (published parameter set)";
  m.limits = "transient only (uic); |V| < 5 V; reads below min(vp, vn) do not move the state";
  return m;
}

ModelInfo vteam_model() {
  ModelInfo m;
  m.name = "vteam";
  m.summary = "VTEAM threshold memristor, dynamic, thresholds refit to +-0.5 V (above the read voltage)";
  m.equation =
      "I = V / (ron + (roff - ron) x); dx/dt = koff/d (V/voff - 1)^alphaoff (1 - x^2p) above voff, "
      "kon/d (V/von - 1)^alphaon (1 - (1-x)^2p) below von, else 0";
  m.params = {{"ron", "Ohm", 50, 1e-3, 1e12, "resistance at x = 0"},
              {"roff", "Ohm", 1000, 1e-3, 1e12, "resistance at x = 1"},
              {"koff", "m/s", 5e-4, 0, 1e6, "OFF switching speed"},
              {"kon", "m/s", -10, -1e6, 0, "ON switching speed"},
              {"voff", "V", 0.5, 1e-3, 10, "OFF threshold (paper: 0.02 V; refit above reads)"},
              {"von", "V", -0.5, -10, -1e-3, "ON threshold (paper: -0.2 V; refit below -reads)"},
              {"alphaoff", "1", 3, 0.1, 20, "OFF power-law exponent"},
              {"alphaon", "1", 3, 0.1, 20, "ON power-law exponent"},
              {"d", "m", 3e-9, 1e-10, 1e-6, "state-variable span w_off - w_on"},
              {"p", "1", 10, 1, 100, "window exponent"},
              {"x0", "1", 0.5, 0, 1, "initial state"}};
  m.analyses = {"tran"};
  m.file = "vteam.sub";
  // Frozen state: V / R(x), linear.
  m.state = StateMap{
      .param = "x0",
      .unit = "1",
      .g_of_state = [](const ParamValue& p, double s) { return 1.0 / (p("ron") + (p("roff") - p("ron")) * s); },
      .state_of_g = [](const ParamValue& p, double g) { return (1.0 / g - p("ron")) / (p("roff") - p("ron")); }};
  m.spice_name = "vteam";
  m.terminals = "p n xs";
  m.source = "Kvatinsky et al., 'VTEAM: A General Model for Voltage-Controlled Memristors', IEEE TCAS-II 62(8), 2015";
  m.limits = "transient only (uic); reads with von < V < voff do not move the state";
  return m;
}

ModelInfo stanford_pku_model() {
  ModelInfo m;
  m.name = "stanford_pku";
  m.summary = "Stanford-PKU oxide RRAM filament-gap model (v1.0 standard), dynamic";
  m.equation =
      "I = i0 exp(-g/g0) sinh(V/v0); dg/dt = -vel0 exp(-ea/kT) sinh(gamma a0/tox qV/kT), "
      "gamma = gamma0 - beta g^3 (0 below field fmin), T = t0 + |VI| rth";
  m.params = {{"g0", "nm", 0.25, 0.01, 10, "gap length scale of the tunnelling current"},
              {"v0", "V", 0.25, 0.01, 10, "I-V nonlinearity voltage"},
              {"i0", "A", 1e-3, 1e-9, 1, "current scale"},
              {"vel0", "m/s", 10, 0, 1e3, "gap velocity prefactor"},
              {"beta", "1", 0.8, 0, 10, "gap dependence of the field enhancement"},
              {"gamma0", "1", 16, 0, 100, "field enhancement at zero gap"},
              {"ea", "eV", 0.6, 0.1, 3, "activation energy of vacancy generation"},
              {"a0", "nm", 0.25, 0.01, 10, "atomic hopping distance"},
              {"tox", "nm", 12, 1, 100, "oxide thickness"},
              {"fmin", "V/m", 1.4e9, 0, 1e11, "minimum field for gap motion"},
              {"rth", "K/W", 2.1e3, 1, 1e7, "thermal resistance"},
              {"t0", "K", 298, 1, 1000, "ambient temperature"},
              {"gmin", "nm", 0.2, 0.01, 10, "smallest gap (LRS)"},
              {"gmax", "nm", 1.7, 0.01, 10, "largest gap (HRS)"},
              {"gini", "nm", 0.2, 0.01, 10, "initial gap"}};
  m.analyses = {"tran"};
  m.file = "stanford_pku.sub";
  // Frozen gap: i0 e^(-g/g0) sinh(V/v0), conductance at 0 V i0 e^(-g/g0) / v0.
  m.read_law = [](const ParamValue& p) { return sinh_law(p("v0")); };
  m.state =
      StateMap{.param = "gini",
               .unit = "nm",
               .lo_param = "gmin",
               .hi_param = "gmax",
               .g_of_state = [](const ParamValue& p, double s) { return p("i0") * std::exp(-s / p("g0")) / p("v0"); },
               .state_of_g = [](const ParamValue& p, double g) { return -p("g0") * std::log(g * p("v0") / p("i0")); }};
  m.spice_name = "stanford_pku";
  m.terminals = "p n gs";
  m.source =
      "Guan, Yu, Wong, IEEE EDL 33(10), 2012; Jiang et al., SISPAD 2014; Stanford RRAM model v1.0.0, "
      "nanoHUB doi:10.4231/D37H1DN48 (authors: Z. Jiang, H.-S. P. Wong et al.)";
  m.limits =
      "transient only (uic); needs a series resistance (a compliance) for SET, as a real cell does; "
      "reads below ~1 V do not move the gap";
  return m;
}

// The selector of 1S1R cells: the sinh law at g = i0 / v0, so the netlist
// writer and the nodal engine take it like a cell's law; models/sinh_selector.sub
// is the same law as a subcircuit for use outside xbar, checked against this entry.
ModelInfo sinh_selector_model() {
  ModelInfo m;
  m.name = "sinh_selector";
  m.kind = ModelKind::kSelector;
  m.summary = "two-terminal selector of 1S1R cells, symmetric exponential I-V with half-bias nonlinearity k";
  m.equation =
      "I = i0 sinh(V / v0), v0 = v_on / (2 acosh(k / 2)), i0 = i_on / sinh(v_on / v0): I(v_on) = i_on and "
      "I(v_on) / I(v_on / 2) = k";
  m.params = {{"k", "1", 1e4, 2.001, 1e9, "half-bias nonlinearity I(v_on) / I(v_on / 2)"},
              {"v_on", "V", 1.0, 0.01, 10, "voltage at which k and i_on are given (the full read bias)"},
              {"i_on", "A", 1e-4, 1e-12, 1, "selector current at v_on"}};
  m.analyses = {"op", "read"};
  m.read_law = [](const ParamValue& p) { return sinh_law(sinh_selector_law(p("k"), p("v_on"), p("i_on")).v0); };
  m.zero_bias_conductance = [](const ParamValue& p) {
    const SinhSelectorLaw law = sinh_selector_law(p("k"), p("v_on"), p("i_on"));
    return law.i0 / law.v0;
  };
  m.file = "sinh_selector.sub";
  m.spice_name = "sinh_selector";
  m.terminals = "a b";
  m.source =
      "half-bias nonlinearity K = I(V)/I(V/2) as the selector figure of merit: G. W. Burr et al., 'Access devices "
      "for 3D crosspoint memory', J. Vac. Sci. Technol. B 32(4), 040802 (2014); the symmetric sinh form is the "
      "tunnel-barrier I-V shape those selectors follow near their operating point";
  m.limits = "symmetric, no threshold snap-back, no hold current, no capacitance: a DC read-mode selector";
  return m;
}

ModelInfo nmos_bsim4_model() {
  ModelInfo m;
  m.name = "nmos";
  m.kind = ModelKind::kTransistor;
  m.summary = "45 nm-class NMOS access transistor, BSIM4 (level 54), written for xbar";
  m.equation = "BSIM4.8 (Berkeley): unified drift-diffusion Id with DIBL, velocity saturation, series resistance";
  m.params = {{"vth0", "V", 0.33, 0, 0, "long-channel threshold voltage"},
              {"u0", "m^2/Vs", 0.06, 0, 0, "low-field mobility"},
              {"vsat", "m/s", 2.1e5, 0, 0, "saturation velocity"},
              {"toxe", "m", 1.4e-9, 0, 0, "electrical oxide thickness"},
              {"rdsw", "Ohm um", 80, 0, 0, "source/drain resistance per width"},
              {"eta0", "1", 0.012, 0, 0, "DIBL coefficient"},
              {"nfactor", "1", 1.35, 0, 0, "subthreshold swing factor"}};
  m.analyses = {"op", "tran", "read"};
  m.file = "nmos_bsim4.lib";
  m.spice_name = "nmos";
  m.instance_mismatch = true;
  m.terminals = "d g s b";
  m.nominal =
      "W/L 90n/45n, v_gate = Vdd = 1.0 V: Ion 111.8 uA (target 110 +-10 %), Ioff 1.43 nA (target 1-2 nA), "
      "swing 105 mV/dec";
  m.source = "tuned for xbar to 45 nm HP logic targets (ITRS 2007 PIDS; Mistry et al., IEDM 2007)";
  m.limits = "DC/quasi-static; L >= 45 nm, |V| <= 1.2 V; no gate leakage, GIDL or impact ionisation";
  return m;
}

ModelInfo nmos_level1_model() {
  ModelInfo m;
  m.name = "nmos_level1";
  m.kind = ModelKind::kTransistor;
  m.summary = "level-1 (Shichman-Hodges) NMOS fallback, same nominal Ion as the BSIM4 card";
  m.equation = "Id = kp/2 W/L (Vgs - vto)^2 (1 + lambda Vds) in saturation; no subthreshold current";
  m.params = {{"vto", "V", 0.4, 0, 0, "threshold voltage"},
              {"kp", "A/V^2", 2.9e-4, 0, 0, "transconductance parameter"},
              {"lambda", "1/V", 0.05, 0, 0, "channel-length modulation"}};
  m.analyses = {"op", "tran", "read"};
  m.file = "nmos_level1.lib";
  m.spice_name = "nmos_level1";
  // ngspice 46's level-1 MOSFET has no delvto / mulu0 instance parameters (measured).
  m.instance_mismatch = false;
  m.terminals = "d g s b";
  m.nominal = "W/L 90n/45n, Vgs = Vds = 1.0 V: Id = 110 uA; Ioff only gmin";
  m.source = "Shichman and Hodges, IEEE JSSC 3(3), 1968; kp chosen to match the BSIM4 card's Ion";
  m.limits = "square law: no velocity saturation, DIBL or subthreshold conduction";
  return m;
}

// No SPICE card: the tile builder recognises it (empty `file`) and builds the
// cells as the device alone, so both engines solve the same linear network.
ModelInfo ideal_switch_model() {
  ModelInfo m;
  m.name = "ideal";
  m.kind = ModelKind::kTransistor;
  m.summary =
      "ideal access switch: gate on = 0 ohm, gate off = open; for separating array effects from transistor "
      "effects and for nodal cross-checks";
  m.equation = "V(drain) = V(source) when the gate is on (every gate is on); the cell is the device alone";
  m.analyses = {"op"};
  m.source = "an idealisation: the limit of an access transistor with zero on-resistance";
  m.limits =
      "every gate on (v_gate and r_gl are not used); no read analysis (its gate switching needs a real "
      "transistor); no on-resistance, leakage or body effect";
  return m;
}

}  // namespace

const std::vector<ModelInfo>& model_registry() {
  static const std::vector<ModelInfo> models = {
      linear_model(),       sinh_model(),       pcm_model(),         yakopcic_model(),     vteam_model(),
      stanford_pku_model(), nmos_bsim4_model(), nmos_level1_model(), ideal_switch_model(), sinh_selector_model()};
  return models;
}

const ModelInfo* find_model(std::string_view name) {
  for (const auto& m : model_registry())
    if (m.name == name) return &m;
  return nullptr;
}

double param_value(const ModelInfo& m, const std::string& name, const std::map<std::string, double>& overrides) {
  const ModelParam* p = m.find_param(name);
  if (p == nullptr) throw std::out_of_range("model '" + m.name + "' has no parameter '" + name + "'");
  auto it = overrides.find(name);
  return it != overrides.end() ? it->second : p->default_value;
}

SinhSelectorLaw sinh_selector_law(double k, double v_on, double i_on) {
  SinhSelectorLaw law;
  law.v0 = v_on / (2 * std::acosh(k / 2));
  law.i0 = i_on / std::sinh(v_on / law.v0);
  return law;
}

const char* to_string(ModelKind k) {
  switch (k) {
    case ModelKind::kCell: return "cell";
    case ModelKind::kTransistor: return "transistor";
    case ModelKind::kSelector: return "selector";
  }
  return "?";
}

std::string model_file_path(const std::string& file) { return (data_dir() / "models" / file).string(); }

std::string nearest_model_name(std::string_view name) {
  std::vector<std::string> names;
  for (const auto& m : model_registry()) names.push_back(m.name);
  return nearest_name(name, names);
}

}  // namespace xbar
