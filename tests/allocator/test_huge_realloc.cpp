// The xbar program's realloc (cli/huge_realloc.cpp): a huge block shrunk stays
// in place with its content and hands its tail pages back; everything else is
// mimalloc's realloc.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <doctest/doctest.h>

namespace {

constexpr std::size_t kMiB = std::size_t{1} << 20;

std::size_t page_size() { return static_cast<std::size_t>(sysconf(_SC_PAGESIZE)); }

// How many of the pages of [from, from + bytes) are resident.
std::size_t resident_pages(const void* from, std::size_t bytes) {
  const std::uintptr_t begin = reinterpret_cast<std::uintptr_t>(from) / page_size() * page_size();
  const std::uintptr_t end = reinterpret_cast<std::uintptr_t>(from) + bytes;
  std::vector<unsigned char> in_core((end - begin + page_size() - 1) / page_size());
  REQUIRE(mincore(reinterpret_cast<void*>(begin), end - begin, in_core.data()) == 0);
  std::size_t n = 0;
  for (unsigned char c : in_core) n += c & 1;
  return n;
}

void fill(unsigned char* p, std::size_t bytes, unsigned seed) {
  for (std::size_t k = 0; k < bytes; ++k) p[k] = static_cast<unsigned char>((k * 131 + seed) >> 3);
}

bool holds(const unsigned char* p, std::size_t bytes, unsigned seed) {
  for (std::size_t k = 0; k < bytes; ++k)
    if (p[k] != static_cast<unsigned char>((k * 131 + seed) >> 3)) return false;
  return true;
}

}  // namespace

TEST_CASE("a huge block shrunk below half its size stays in place, keeps its content and frees its tail") {
  const std::size_t big = 96 * kMiB, small = 8 * kMiB;
  auto* p = static_cast<unsigned char*>(std::malloc(big));
  REQUIRE(p != nullptr);
  fill(p, big, 7);  // every page touched, as a factorization that used it all would
  auto* q = static_cast<unsigned char*>(std::realloc(p, small));
  CHECK(q == p);  // mimalloc alone moves it: 8 MB copied into new pages
  CHECK(holds(q, small, 7));
  // The pages past the new size (and its partial page) are no longer resident.
  const std::size_t tail_from = (small + page_size() - 1) / page_size() * page_size();
  CHECK(resident_pages(q + tail_from, big - tail_from - page_size()) == 0);
  // Grown again it may move, and keeps what it held.
  auto* r = static_cast<unsigned char*>(std::realloc(q, 2 * big));
  REQUIRE(r != nullptr);
  CHECK(holds(r, small, 7));
  std::free(r);
}

TEST_CASE("blocks below the huge size, growth, null and size zero are mimalloc's realloc") {
  auto* p = static_cast<unsigned char*>(std::realloc(nullptr, 4 * kMiB));  // as malloc
  REQUIRE(p != nullptr);
  fill(p, 4 * kMiB, 3);
  auto* q = static_cast<unsigned char*>(std::realloc(p, 64));
  REQUIRE(q != nullptr);
  CHECK(holds(q, 64, 3));
  auto* r = static_cast<unsigned char*>(std::realloc(q, 200 * kMiB));  // grown to huge: moved, content kept
  REQUIRE(r != nullptr);
  CHECK(holds(r, 64, 3));
  std::free(r);
  void* z = std::realloc(std::malloc(100), 0);  // size 0: freed or a minimal block, as mimalloc decides
  std::free(z);
}
