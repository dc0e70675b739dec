// The firmware has no heap: every way of asking for one (malloc and its relatives, the
// reentrant forms newlib calls internally, _sbrk, operator new) ends the program with a
// message and exit status 3, so an allocation hidden anywhere cannot go unnoticed.
#include <cstddef>
#include <new>

#include "board.hpp"

namespace {
[[noreturn]] void no_heap(const char* who, std::size_t bytes) {
  board::write("ctnn-mcu: heap allocation (");
  board::write(who);
  board::write(", ");
  board::write_int(static_cast<long>(bytes));
  board::write(" bytes): this firmware has no heap\n");
  board::exit(3);
}
}  // namespace

extern "C" {
struct _reent;
void* malloc(std::size_t n) { no_heap("malloc", n); }
void* calloc(std::size_t n, std::size_t size) { no_heap("calloc", n * size); }
void* realloc(void*, std::size_t n) { no_heap("realloc", n); }
void* memalign(std::size_t, std::size_t n) { no_heap("memalign", n); }
void* aligned_alloc(std::size_t, std::size_t n) { no_heap("aligned_alloc", n); }
int posix_memalign(void**, std::size_t, std::size_t n) { no_heap("posix_memalign", n); }
void free(void* p) {
  if (p) no_heap("free", 0);
}
void* _malloc_r(_reent*, std::size_t n) { no_heap("_malloc_r", n); }
void* _calloc_r(_reent*, std::size_t n, std::size_t size) { no_heap("_calloc_r", n * size); }
void* _realloc_r(_reent*, void*, std::size_t n) { no_heap("_realloc_r", n); }
void* _memalign_r(_reent*, std::size_t, std::size_t n) { no_heap("_memalign_r", n); }
void _free_r(_reent*, void* p) {
  if (p) no_heap("_free_r", 0);
}
void* _sbrk(std::ptrdiff_t n) { no_heap("_sbrk", static_cast<std::size_t>(n)); }
}

void* operator new(std::size_t n) { no_heap("operator new", n); }
void* operator new[](std::size_t n) { no_heap("operator new[]", n); }
void* operator new(std::size_t n, std::align_val_t) { no_heap("operator new", n); }
void* operator new[](std::size_t n, std::align_val_t) { no_heap("operator new[]", n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { no_heap("operator new", n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { no_heap("operator new[]", n); }
void operator delete(void* p) noexcept { free(p); }
void operator delete[](void* p) noexcept { free(p); }
void operator delete(void* p, std::size_t) noexcept { free(p); }
void operator delete[](void* p, std::size_t) noexcept { free(p); }
void operator delete(void* p, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { free(p); }
