#include "common/stop_condition.hpp"

#include <algorithm>
#include <atomic>

#include <fmt/format.h>

#include "common/diagnostics.hpp"

namespace xbar {
namespace {

// Longer than any run; keeps the deadline inside the clock's range.
constexpr double kLongestDeadlineS = 1e9;

std::atomic<int> g_interrupt{0};
static_assert(std::atomic<int>::is_always_lock_free, "the flag must be usable from a signal handler");

}  // namespace

void request_interrupt(int sig) noexcept { g_interrupt.store(sig, std::memory_order_relaxed); }

int requested_interrupt() noexcept { return g_interrupt.load(std::memory_order_relaxed); }

void throw_if_interrupted() {
  if (const int sig = requested_interrupt(); sig != 0)
    throw SimulationError(fmt::format("interrupted (signal {})", sig));
}

StopCondition::StopCondition(double time_limit_s)
    : time_limit_s_(time_limit_s > 0 ? time_limit_s : 0),
      deadline_(std::chrono::steady_clock::now() +
                std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                    std::chrono::duration<double>(std::min(time_limit_s_, kLongestDeadlineS)))) {}

void StopCondition::check() const {
  checks_.fetch_add(1, std::memory_order_relaxed);
  throw_if_interrupted();
  if (time_limit_s_ > 0 && std::chrono::steady_clock::now() >= deadline_)
    throw SimulationError(fmt::format("time limit of {} s exceeded", time_limit_s_));
}

}  // namespace xbar
