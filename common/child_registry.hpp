#pragma once
// The children of this process that an interrupt must end (the simulator's,
// ChildOptions::interruptible), so a signal handler (Ctrl-C in the CLI) can end
// them at once instead of waiting for their job to finish.
// Every function here is async-signal-safe (lock-free atomics only).
#include <sys/types.h>

namespace xbar::proc {

void register_child(pid_t pid);
void unregister_child(pid_t pid);
// Sends `sig` to every registered child; safe to call from a signal handler.
void signal_registered_children(int sig);

}  // namespace xbar::proc
