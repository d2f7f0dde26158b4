// realloc for the xbar program, which links mimalloc in place of glibc's
// malloc (cli/CMakeLists.txt).  One case differs from mimalloc's own: a block
// of at least kHugeBlock bytes shrunk below half its size stays where it is.
//
// Why: KLU, inside ngspice, allocates its LU factors from an estimate and
// shrinks them to what the factorization used: at 256x256 1R a 1.05 GB block
// (about 100 MB of it touched) shrinks to 102 MB, once per full factorization.
// mimalloc moves a block shrunk below half into a new one: 100 MB copied into
// fresh pages (25,000 page faults) each time.  glibc's malloc, which bare
// ngspice uses, shrinks such a block in place (mremap).  Kept in place, the
// untouched tail costs address space only, which the block held anyway; its
// pages are handed back to the kernel, in case they were touched.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>

#include <mimalloc.h>

namespace {

constexpr std::size_t kHugeBlock = std::size_t{64} << 20;

}  // namespace

extern "C" void* realloc(void* block, std::size_t size) {
  if (block != nullptr && size > 0) {
    const std::size_t had = mi_usable_size(block);
    if (had >= kHugeBlock && size <= had) {
      const std::size_t page = static_cast<std::size_t>(sysconf(_SC_PAGESIZE));
      const std::uintptr_t begin = reinterpret_cast<std::uintptr_t>(block);
      const std::uintptr_t tail = (begin + size + page - 1) / page * page;
      const std::uintptr_t end = (begin + had) / page * page;
      if (end > tail) madvise(reinterpret_cast<void*>(tail), end - tail, MADV_DONTNEED);
      return block;
    }
  }
  return mi_realloc(block, size);
}
