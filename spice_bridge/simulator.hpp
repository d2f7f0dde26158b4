#pragma once
// Runs a SPICE netlist in ngspice and returns its vectors.  This is the only
// part of xbar that knows the ngspice shared-library API; it knows SPICE text
// and vectors, never configs or tiles.
#include <cstddef>
#include <functional>
#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "common/diagnostics.hpp"  // SimulationError
#include "spice_bridge/vector_table.hpp"

namespace xbar {

struct SimResult {
  std::string plot;  // e.g. "op1", "dc1", "tran1"
  // Lower-case names as ngspice gives them: "wl3_7", "vd0#branch", and "v(5)" for
  // a node named by a number.  The real part of each value.  In the plot's
  // order; a name ngspice gave twice keeps its first vector.
  VectorTable vectors;
  std::string log;                    // everything ngspice printed during this job
  std::vector<std::string> warnings;  // suspect log lines (singular matrix, gmin stepping failed, ...)
  double elapsed_s = 0;
};

// A progress report of ngspice while a job runs (its SendStat callback, e.g.
// "tran: 45.3%"): the analysis, and its percentage (NaN when the report has
// none, e.g. "--ready--").
struct SimStatus {
  std::string analysis;
  double percent = std::numeric_limits<double>::quiet_NaN();
};
using StatusListener = std::function<void(const SimStatus&)>;

// 0 = no limit.  Only the isolated simulator can enforce limits.
struct SimLimits {
  double time_limit_s = 0;
  std::size_t memory_limit_bytes = 0;
};

// Whether the isolated child applies memory_limit_bytes as an address-space
// limit.  Not in an AddressSanitizer build: its shadow memory reserves
// terabytes of address space, so any such limit aborts every child; there the
// limit is the runner's up-front estimate alone.
#if defined(__SANITIZE_ADDRESS__)
inline constexpr bool kChildAddressSpaceLimit = false;
#else
inline constexpr bool kChildAddressSpaceLimit = true;
#endif

class Simulator {
 public:
  virtual ~Simulator() = default;
  virtual std::string version() = 0;  // e.g. "ngspice-46"
  // Probed once with a tiny circuit and `.options klu`, looking for "Using KLU".
  virtual bool has_klu() = 0;
  // Loads `netlist` from memory (title first, `.end` last), runs `command`
  // ("op", "dc vidx 0 9 1", "tran 1n 1u"), copies every vector of the new plot
  // and cleans up.  Lines that would run control commands (`.control`, `*#`,
  // `*ng_script`, `shell`, ...) are refused before they reach ngspice, and
  // `command` must be an analysis.  Throws SimulationError(what, log) on any
  // failure, including errors that ngspice only reports in its log.
  virtual SimResult run(const std::vector<std::string>& netlist, const std::string& command) = 0;
};

// The ngspice session of this process.  There is one per process (ngspice keeps
// all its state in globals); every handle returned here drives that one session,
// and calls are serialised.  After ngspice asks to exit (a fatal error) the
// session refuses further work: the caller must replace the process.
std::unique_ptr<Simulator> make_ngspice_simulator();

// Each job runs in a forked child process that streams its result back; a crash,
// a time-out or a memory-limit failure in the child becomes a SimulationError
// and leaves this process intact.  `on_status`, when given, receives ngspice's
// progress reports while a job runs, in this process.
std::unique_ptr<Simulator> make_isolated_simulator(SimLimits limits = {}, StatusListener on_status = {});

}  // namespace xbar
