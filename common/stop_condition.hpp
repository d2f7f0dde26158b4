#pragma once
// Stopping work that runs inside this process (the nodal engine, the phases of
// a job between simulator children) when its time is up or the user asked.
// Simulator children need none of this: their parent kills them.  Work in
// this process cannot be killed, so its loops call StopCondition::check() at
// every step; each step is a bounded pass over the tile, so a stop takes
// effect within one step.
#include <atomic>
#include <chrono>
#include <cstdint>

namespace xbar {

// The interrupt flag: set by a signal handler (Ctrl-C, SIGTERM), read by every
// StopCondition.  Both functions are async-signal-safe.  0 clears it (tests).
void request_interrupt(int sig) noexcept;
int requested_interrupt() noexcept;  // the signal, or 0

// Throws SimulationError("interrupted ...") once an interrupt was requested.
void throw_if_interrupted();

class StopCondition {
 public:
  // A deadline `time_limit_s` from now (<= 0: none), and the interrupt flag.
  explicit StopCondition(double time_limit_s = 0);
  // Throws SimulationError: "time limit of N s exceeded", or "interrupted".
  void check() const;
  // How many times check() was called: tests use it to see that a pass stops
  // at its first check, before its work.
  std::uint64_t checks() const { return checks_.load(std::memory_order_relaxed); }

 private:
  double time_limit_s_;
  std::chrono::steady_clock::time_point deadline_;
  mutable std::atomic<std::uint64_t> checks_{0};
};

// Passes over a tile call check_stop(stop, row) at every row: it checks at
// row 0 and every kRowsPerStopCheck rows (at most 64k cells of work between
// checks, and a clock read per 16 rows costs nothing on small tiles).
constexpr int kRowsPerStopCheck = 16;
inline void check_stop(const StopCondition* stop, int row = 0) {
  if (stop && row % kRowsPerStopCheck == 0) stop->check();
}

}  // namespace xbar
