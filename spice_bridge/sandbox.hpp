#pragma once
// The simulator child's sandbox: defence in depth behind the netlist guard.
// Even a line the guard missed must not let ngspice start a process, run a
// program or change a file.  Irreversible; applied to the whole process.
#include <string>

namespace xbar::spice {

struct SandboxReport {
  bool seccomp = false;       // the system-call filter is in place
  int landlock_abi = 0;       // Landlock ABI in force, 0 if none
  std::string landlock_note;  // why Landlock is not in force, when it is not
};

// Confines the calling process from now on (call it single-threaded: threads
// started later inherit it).  Always:
// - seccomp (libseccomp): fork, vfork, clone without CLONE_THREAD, execve,
//   execveat, ptrace, process_vm_writev and io_uring_setup kill the process.
//   clone3 fails with ENOSYS so glibc's threads fall back to clone, whose flags
//   the filter can see; threads (OpenMP) keep working.
// - Landlock, where the kernel offers it: nothing may be executed, and no file
//   written, truncated, created, linked or removed, except beneath
//   `writable_dir`.  Where it is missing, `landlock_note` says why.
// With `writable_dir` empty (the simulator child, whose results go through its
// pipe), the filter also kills the process on open/openat/creat with a write,
// create, truncate or append flag and on every call that renames, removes,
// links or creates a file, folder or node or changes modes or owners: no file
// can change even without Landlock.  Descriptors opened before stay usable.
// Throws SimulationError if the filter cannot be installed.
SandboxReport enter_sandbox(const std::string& writable_dir = {});

// The Landlock ABI version this kernel offers, 0 if none (a probe; changes nothing).
int landlock_abi();

// The signal a sandbox violation ends the process with (SIGSYS).
int sandbox_violation_signal();

}  // namespace xbar::spice
