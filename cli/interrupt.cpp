#include "cli/interrupt.hpp"

#include <signal.h>

#include <cstring>

#include "common/child_registry.hpp"
#include "common/stop_condition.hpp"

namespace xbar {
namespace {

extern "C" void on_interrupt(int sig) {
  // Work in this process (the nodal engine) stops at its next step.
  request_interrupt(sig);
  // The simulator child would otherwise finish its job first (a SIGTERM sent
  // to this process alone does not reach it).
  proc::signal_registered_children(SIGKILL);
}

sigset_t interrupt_set() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGTERM);
  return set;
}

}  // namespace

void install_interrupt_handlers() {
  struct sigaction sa;
  std::memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_interrupt;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESETHAND;  // a second signal takes the default action
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

int interrupt_signal() { return requested_interrupt(); }

int interrupted_exit_code() { return 128 + interrupt_signal(); }

DeferInterrupts::DeferInterrupts() {
  sigset_t set = interrupt_set();
  sigprocmask(SIG_BLOCK, &set, &saved_);
}

DeferInterrupts::~DeferInterrupts() { sigprocmask(SIG_SETMASK, &saved_, nullptr); }

}  // namespace xbar
