#pragma once
#include <csignal>

// Ctrl-C and SIGTERM: the first one kills the running simulator children at
// once, stops work in this process at its next step (common/stop_condition.hpp)
// and lets the command unwind (no partial outputs, temporaries removed);
// main() then says what was kept and exits 130.  A second one ends the program
// immediately (default action).
namespace xbar {

void install_interrupt_handlers();

// The signal that interrupted the program, or 0.
int interrupt_signal();

// Exit code after an interrupt: 128 + signal, as shells report it.
int interrupted_exit_code();

// While alive, an interrupt is held back (it takes effect when this ends), so
// a group of output files is written completely.
class DeferInterrupts {
 public:
  DeferInterrupts();
  ~DeferInterrupts();
  DeferInterrupts(const DeferInterrupts&) = delete;
  DeferInterrupts& operator=(const DeferInterrupts&) = delete;

 private:
  sigset_t saved_;
};

}  // namespace xbar
