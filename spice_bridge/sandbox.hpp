#pragma once
// The simulator child's sandbox: defence in depth behind the netlist guard.
// Even a line the guard missed must not let ngspice start a process, run a
// program or change a file.  Irreversible; applied to the whole process.
#include <string>

namespace xbar::spice {

struct SandboxReport {
  bool seccomp = false;  // the system-call filter is in place
  int landlock_abi = 0;  // Landlock ABI in force, 0 if none
  std::string landlock_note;  // why Landlock is not in force, when it is not
};

// Confines the calling process from now on (call it single-threaded: threads
// started later inherit it):
// - seccomp (libseccomp): fork, vfork, clone without CLONE_THREAD, execve,
//   execveat kill the process; so do open/openat/creat with a write, create,
//   truncate or append flag, and every call that renames, removes, links or
//   creates a file, folder or node, changes modes or owners, or sets up
//   io_uring.  clone3 fails with ENOSYS so glibc's threads fall back to clone,
//   whose flags the filter can see; threads (OpenMP) keep working.  Writes to
//   descriptors opened before (the result pipe) still work.
// - Landlock, where the kernel offers it: no file may be written, truncated,
//   created, removed or executed anywhere (a second, path-based wall that
//   does not depend on the filter's list of calls).
// Throws SimulationError if the filter cannot be installed.
SandboxReport enter_simulator_sandbox();

// The signal a sandbox violation ends the process with (SIGSYS).
int sandbox_violation_signal();

}  // namespace xbar::spice
