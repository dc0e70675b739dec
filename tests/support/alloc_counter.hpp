/// @file Counts every heap allocation of the program that includes it (include it in ONE
/// translation unit of a test program): malloc and its relatives are interposed, so operator
/// new (which calls malloc) and Eigen's own aligned_malloc (which calls std::malloc directly,
/// not operator new) are both seen.
#pragma once

#include <atomic>
#include <cstddef>

extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
}

namespace ctnn_test {
inline std::atomic<long> heap_allocations{0};

/// How many allocations f() makes.
template <class F>
long allocations_in(F&& f) {
  const long before = heap_allocations.load();
  f();
  return heap_allocations.load() - before;
}
}  // namespace ctnn_test

extern "C" {
void* malloc(std::size_t n) {
  ++ctnn_test::heap_allocations;
  return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) {
  ++ctnn_test::heap_allocations;
  return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) {
  ++ctnn_test::heap_allocations;
  return __libc_realloc(p, n);
}
void* aligned_alloc(std::size_t alignment, std::size_t n) {
  ++ctnn_test::heap_allocations;
  return __libc_memalign(alignment, n);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t n) {
  ++ctnn_test::heap_allocations;
  void* p = __libc_memalign(alignment, n);
  if (!p) return 12;  // ENOMEM
  *out = p;
  return 0;
}
void* memalign(std::size_t alignment, std::size_t n) {
  ++ctnn_test::heap_allocations;
  return __libc_memalign(alignment, n);
}
}
