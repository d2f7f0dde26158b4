#include "common/child_registry.hpp"

#include <signal.h>

#include <atomic>

namespace xbar::proc {
namespace {

// More children than slots are still run and reaped; they just cannot be
// interrupted early (the parent ends them when it stops waiting).
constexpr int kSlots = 256;
std::atomic<pid_t> g_children[kSlots];

static_assert(std::atomic<pid_t>::is_always_lock_free, "the registry must be usable from a signal handler");

}  // namespace

void register_child(pid_t pid) {
  for (auto& slot : g_children) {
    pid_t empty = 0;
    if (slot.compare_exchange_strong(empty, pid)) return;
  }
}

void unregister_child(pid_t pid) {
  for (auto& slot : g_children) {
    pid_t expected = pid;
    if (slot.compare_exchange_strong(expected, 0)) return;
  }
}

void signal_registered_children(int sig) {
  for (auto& slot : g_children)
    if (pid_t pid = slot.load(); pid > 0) kill(pid, sig);
}

}  // namespace xbar::proc
