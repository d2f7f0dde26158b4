#include "spice_bridge/sandbox.hpp"

#include <fcntl.h>
#include <linux/landlock.h>
#include <sched.h>
#include <seccomp.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <initializer_list>

#include <fmt/format.h>

#include "common/diagnostics.hpp"

namespace xbar::spice {
namespace {

// Frees the filter context on every path.
class FilterContext {
 public:
  FilterContext() : ctx_(seccomp_init(SCMP_ACT_ALLOW)) {
    if (!ctx_) throw SimulationError("sandbox: seccomp_init failed");
  }
  ~FilterContext() { seccomp_release(ctx_); }
  FilterContext(const FilterContext&) = delete;
  FilterContext& operator=(const FilterContext&) = delete;

  void deny(int syscall) { add(SCMP_ACT_KILL_PROCESS, syscall, 0, nullptr); }
  void deny_if_bits(int syscall, unsigned arg, std::uint64_t bits) {
    const scmp_arg_cmp cmp = SCMP_CMP64(arg, SCMP_CMP_MASKED_EQ, bits, bits);
    add(SCMP_ACT_KILL_PROCESS, syscall, 1, &cmp);
  }
  void deny_unless_bits(int syscall, unsigned arg, std::uint64_t bits) {
    const scmp_arg_cmp cmp = SCMP_CMP64(arg, SCMP_CMP_MASKED_EQ, bits, 0);
    add(SCMP_ACT_KILL_PROCESS, syscall, 1, &cmp);
  }
  void fail_with(int syscall, int error) {
    add(SCMP_ACT_ERRNO(static_cast<std::uint32_t>(error)), syscall, 0, nullptr);
  }
  void load() {
    // TSYNC: every thread of the process, should one exist already.
    seccomp_attr_set(ctx_, SCMP_FLTATR_CTL_TSYNC, 1);
    if (int rc = seccomp_load(ctx_); rc != 0)
      throw SimulationError(fmt::format("sandbox: seccomp_load failed: {}", std::strerror(-rc)));
  }

 private:
  void add(std::uint32_t action, int syscall, unsigned n, const scmp_arg_cmp* cmp) {
    // A call this architecture lacks (e.g. `open` on arm64) needs no rule.
    if (syscall < 0) return;
    if (int rc = seccomp_rule_add_array(ctx_, action, syscall, n, cmp); rc != 0)
      throw SimulationError(
          fmt::format("sandbox: seccomp rule for system call {} failed: {}", syscall, std::strerror(-rc)));
  }
  scmp_filter_ctx ctx_;
};

// `no_file_writes`: also refuse every way of writing, creating, renaming or
// removing a file (the simulator child needs none).
void install_filter(bool no_file_writes) {
  FilterContext f;
  // No new process, no program, no tampering with another process.
  for (int sc : {SCMP_SYS(fork), SCMP_SYS(vfork), SCMP_SYS(execve), SCMP_SYS(execveat), SCMP_SYS(ptrace),
                 SCMP_SYS(process_vm_writev), SCMP_SYS(io_uring_setup)})  // io_uring requests bypass the filter
    f.deny(sc);
  f.deny_unless_bits(SCMP_SYS(clone), 0, CLONE_THREAD);
  f.fail_with(SCMP_SYS(clone3), ENOSYS);  // its flags sit in memory the filter cannot read
  if (no_file_writes) {
    for (std::uint64_t bits : {std::uint64_t{O_WRONLY}, std::uint64_t{O_RDWR}, std::uint64_t{O_CREAT},
                               std::uint64_t{O_TRUNC}, std::uint64_t{O_APPEND}}) {
      f.deny_if_bits(SCMP_SYS(open), 1, bits);
      f.deny_if_bits(SCMP_SYS(openat), 2, bits);
    }
    f.fail_with(SCMP_SYS(openat2), ENOSYS);  // flags in memory again; glibc falls back to openat
    for (int sc : {SCMP_SYS(creat),    SCMP_SYS(rename),  SCMP_SYS(renameat),  SCMP_SYS(renameat2), SCMP_SYS(unlink),
                   SCMP_SYS(unlinkat), SCMP_SYS(rmdir),   SCMP_SYS(mkdir),     SCMP_SYS(mkdirat),   SCMP_SYS(link),
                   SCMP_SYS(linkat),   SCMP_SYS(symlink), SCMP_SYS(symlinkat), SCMP_SYS(mknod),     SCMP_SYS(mknodat),
                   SCMP_SYS(truncate), SCMP_SYS(chmod),   SCMP_SYS(fchmodat),  SCMP_SYS(chown),     SCMP_SYS(lchown),
                   SCMP_SYS(fchownat)})
      f.deny(sc);
  }
  f.load();
}

// Landlock through raw system calls (glibc 2.36 has no wrappers).  Returns the
// ABI in force, or 0 with the reason in `note`.
int restrict_with_landlock(const std::string& writable_dir, std::string& note) {
  const long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  if (abi < 0) {
    note = errno == ENOSYS       ? "the kernel has no Landlock (ENOSYS)"
           : errno == EOPNOTSUPP ? "Landlock is built in but not enabled at boot (EOPNOTSUPP)"
                                 : fmt::format("Landlock probe failed: {}", std::strerror(errno));
    return 0;
  }
  landlock_ruleset_attr attr{};
  attr.handled_access_fs = LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_REMOVE_DIR |
                           LANDLOCK_ACCESS_FS_REMOVE_FILE | LANDLOCK_ACCESS_FS_MAKE_CHAR | LANDLOCK_ACCESS_FS_MAKE_DIR |
                           LANDLOCK_ACCESS_FS_MAKE_REG | LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
                           LANDLOCK_ACCESS_FS_MAKE_BLOCK | LANDLOCK_ACCESS_FS_MAKE_SYM;
#ifdef LANDLOCK_ACCESS_FS_REFER
  if (abi >= 2) attr.handled_access_fs |= LANDLOCK_ACCESS_FS_REFER;
#endif
#ifdef LANDLOCK_ACCESS_FS_TRUNCATE
  if (abi >= 3) attr.handled_access_fs |= LANDLOCK_ACCESS_FS_TRUNCATE;
#endif
  // Only the first member is sent: the older ABIs this header and kernel share.
  const int ruleset = static_cast<int>(syscall(SYS_landlock_create_ruleset, &attr, sizeof attr.handled_access_fs, 0));
  if (ruleset < 0) {
    note = fmt::format("Landlock ruleset refused: {}", std::strerror(errno));
    return 0;
  }
  // Without a rule every handled access is denied everywhere; the one rule
  // gives back the writing accesses beneath `writable_dir`.
  if (!writable_dir.empty()) {
    const int dir = open(writable_dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    landlock_path_beneath_attr rule{};
    rule.allowed_access = attr.handled_access_fs & ~static_cast<std::uint64_t>(LANDLOCK_ACCESS_FS_EXECUTE);
    rule.parent_fd = dir;
    const long added = dir < 0 ? -1 : syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0);
    const int err = errno;
    if (dir >= 0) close(dir);
    if (added != 0) {
      close(ruleset);
      throw SimulationError(
          fmt::format("sandbox: cannot allow writing beneath {}: {}", writable_dir, std::strerror(err)));
    }
  }
  const long rc = syscall(SYS_landlock_restrict_self, ruleset, 0);
  const int err = errno;
  close(ruleset);
  if (rc != 0) {
    note = fmt::format("Landlock restrict_self failed: {}", std::strerror(err));
    return 0;
  }
  return static_cast<int>(abi);
}

}  // namespace

SandboxReport enter_sandbox(const std::string& writable_dir) {
  SandboxReport report;
  // Required for both as a non-root user; it also keeps set-uid programs from
  // gaining rights, should one ever be started.
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0)
    throw SimulationError(fmt::format("sandbox: no_new_privs failed: {}", std::strerror(errno)));
  report.landlock_abi = restrict_with_landlock(writable_dir, report.landlock_note);
  install_filter(/*no_file_writes=*/writable_dir.empty());
  report.seccomp = true;
  return report;
}

int landlock_abi() {
  const long abi = syscall(SYS_landlock_create_ruleset, nullptr, 0, LANDLOCK_CREATE_RULESET_VERSION);
  return abi < 0 ? 0 : static_cast<int>(abi);
}

int sandbox_violation_signal() { return SIGSYS; }

}  // namespace xbar::spice
