#include "runner/convergence_ladder.hpp"

#include <algorithm>
#include <cstdlib>
#include <stdexcept>

#include <fmt/format.h>

#include "common/ascii_case.hpp"

namespace xbar {
namespace {

int forced_failures = 0;

// The tolerances a relaxed attempt loosens, with SPICE's own defaults, which
// it never goes past.
struct Tolerance {
  const char* key;
  double spice_default;
};
constexpr Tolerance kTolerances[] = {{"reltol", 1e-3}, {"vntol", 1e-6}, {"abstol", 1e-12}};
constexpr double kRelaxFactor = 1000;

// Sets `key` to `value` in `options`, replacing a value given before.
void set_option(std::vector<std::pair<std::string, std::string>>& options, const std::string& key,
                const std::string& value) {
  for (auto& [k, v] : options)
    if (ascii_lower(k) == key) {
      v = value;
      return;
    }
  options.emplace_back(key, value);
}

// The circuit's options with the rung's on top; a relaxed rung loosens the
// circuit's own tolerances.
std::vector<std::pair<std::string, std::string>> rung_options(const Circuit& c, const ConvergenceRung& rung) {
  auto options = c.options;
  for (const auto& [k, v] : rung.options) set_option(options, k, v);
  if (rung.key == "relaxed")
    for (const Tolerance& t : kTolerances) {
      double requested = t.spice_default;
      for (const auto& [k, v] : c.options)
        if (ascii_lower(k) == t.key) requested = std::strtod(v.c_str(), nullptr);
      if (!(requested > 0)) requested = t.spice_default;
      set_option(options, t.key, fmt::format("{:g}", std::min(requested * kRelaxFactor, t.spice_default)));
    }
  return options;
}

// A failure that another rung may cure: ngspice gave up on the operating
// point or the sweep, or its answer is not finite or fails the KCL check.
// Time-outs, crashes, sandbox stops and parse errors are not.
bool not_converged(const SimulationError& e) {
  const std::string what = ascii_lower(e.what()), log = ascii_lower(e.detail());
  for (const char* sign : {"could not be simulated", "timestep too small", "not finite", "kcl", "no convergence",
                           "iteration limit", "gmin stepping failed", "source stepping failed"})
    if (what.find(sign) != std::string::npos || log.find(sign) != std::string::npos) return true;
  return false;
}

// The last line of an error's text, for the one-line attempt summary.
std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

std::size_t rung_index(const std::string& key) {
  const auto& rungs = convergence_ladder();
  for (std::size_t k = 0; k < rungs.size(); ++k)
    if (rungs[k].key == key) return k;
  throw std::logic_error(fmt::format("no convergence rung '{}'", key));
}

}  // namespace

std::string later_rung(const std::string& a, const std::string& b) {
  if (a.empty()) return b;
  if (b.empty()) return a;
  return rung_index(a) >= rung_index(b) ? a : b;
}

const std::vector<ConvergenceRung>& convergence_ladder() {
  static const std::vector<ConvergenceRung> rungs = {
      {"op", "Newton from the warm start", {{"gminsteps", "0"}, {"srcsteps", "0"}}},
      {"gmin", "gmin stepping", {{"noopiter", ""}, {"gminsteps", "1"}, {"srcsteps", "0"}, {"dyngmin", ""}}},
      {"source", "source stepping", {{"noopiter", ""}, {"gminsteps", "0"}, {"srcsteps", "1"}}},
      {"relaxed",
       "tolerances loosened 1000x then the KCL check at the requested tolerance",
       {{"gminsteps", "1"}, {"srcsteps", "1"}}},
  };
  return rungs;
}

LadderOutcome run_convergence_ladder(Simulator& sim, const Circuit& circuit, std::vector<std::string> netlist,
                                     const std::string& command, const std::function<void(const SimResult&)>& accept,
                                     const std::string& first_rung, RungOrder order) {
  LadderOutcome out;
  const auto& rungs = convergence_ladder();
  // The rungs from `first_rung` on, the relaxed one moved to the front when
  // the caller knows the strict ones fail slowly.
  std::vector<std::size_t> climb;
  for (std::size_t k = rung_index(first_rung); k < rungs.size(); ++k) climb.push_back(k);
  if (order == RungOrder::kRelaxedFirst)
    std::stable_partition(climb.begin(), climb.end(), [&](std::size_t k) { return rungs[k].key == "relaxed"; });
  // Each rung changes the netlist's `.options` line, written (and checked)
  // by the same writer from a circuit of options only.
  const auto options_it =
      std::find_if(netlist.begin(), netlist.end(), [](const std::string& l) { return l.rfind(".options", 0) == 0; });
  if (options_it == netlist.end()) throw std::logic_error("the netlist has no .options line");
  const auto options_line = static_cast<std::size_t>(options_it - netlist.begin());
  for (std::size_t step = 0; step < climb.size(); ++step) {
    const ConvergenceRung& rung = rungs[climb[step]];
    try {
      if (static_cast<int>(climb[step]) < forced_failures)
        throw SimulationError("no convergence (forced by a test)", "Error: forced by a test\n");
      Circuit options_only;
      options_only.options = rung_options(circuit, rung);
      for (std::string& line : write_spice_netlist(options_only))
        if (line.rfind(".options", 0) == 0) netlist[options_line] = std::move(line);
      SimResult r = sim.run(netlist, command);
      accept(r);
      out.result = std::move(r);
      out.rung = rung.key;
      return out;
    } catch (const SimulationError& e) {
      if (!not_converged(e)) throw;
      out.failures.push_back(fmt::format("{} ({}): {}", rung.key, rung.what, first_line(e.what())));
      if (step + 1 == climb.size()) {
        std::string msg = "ngspice found no operating point on any rung of the convergence ladder:";
        for (const auto& f : out.failures) msg += "\n  " + f;
        msg +=
            "\nwhat you can try: simulator.engine: nodal (1R tiles and the ideal switch); "
            "--set simulator.options.reltol=1e-6 (also vntol and abstol) to accept looser tolerances; "
            "analysis.read.bias: half or third instead of floating (reads); "
            "a smaller tile or finite r_driver and r_sense";
        throw SimulationError(msg, e.detail());
      }
    }
  }
  throw SimulationError("the convergence ladder has no rungs");
}

namespace testing {
void set_forced_rung_failures(int n) { forced_failures = n; }
}  // namespace testing

}  // namespace xbar
