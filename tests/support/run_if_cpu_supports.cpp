// run_if_cpu_supports FEATURE... -- PROGRAM [ARGS...]: runs PROGRAM when this CPU has every
// FEATURE (names as __builtin_cpu_supports spells them: sse2, avx2, fma, avx512f, ...), else
// says that PROGRAM was built but cannot run here and returns 77, which ctest reports as
// skipped. Built for the baseline, so it runs on any x86-64 CPU, unlike the builds it guards,
// whose static initialisers may already use the instructions they were compiled for.
#include <cstdio>
#include <cstring>
#include <string_view>
#include <unistd.h>

namespace {

/// __builtin_cpu_supports needs a literal; -1 for a name this table lacks.
int supports(std::string_view f) {
  __builtin_cpu_init();
  if (f == "sse2") return __builtin_cpu_supports("sse2");
  if (f == "avx") return __builtin_cpu_supports("avx");
  if (f == "avx2") return __builtin_cpu_supports("avx2");
  if (f == "fma") return __builtin_cpu_supports("fma");
  if (f == "avx512f") return __builtin_cpu_supports("avx512f");
  if (f == "avx512bw") return __builtin_cpu_supports("avx512bw");
  if (f == "avx512dq") return __builtin_cpu_supports("avx512dq");
  if (f == "avx512vl") return __builtin_cpu_supports("avx512vl");
  return -1;
}

}  // namespace

int main(int argc, char** argv) {
  int sep = 1;
  while (sep < argc && std::strcmp(argv[sep], "--") != 0) ++sep;
  if (sep + 1 >= argc) {
    std::fprintf(stderr, "usage: run_if_cpu_supports FEATURE... -- PROGRAM [ARGS...]\n");
    return 2;
  }
  for (int i = 1; i < sep; ++i) {
    const int s = supports(argv[i]);
    if (s < 0) {
      std::fprintf(stderr, "run_if_cpu_supports: unknown feature '%s'\n", argv[i]);
      return 2;
    }
    if (s == 0) {
      std::printf("%s: built, not runnable on this CPU (it lacks %s); compiled only\n", argv[sep + 1], argv[i]);
      return 77;
    }
  }
  execv(argv[sep + 1], argv + sep + 1);
  std::perror(argv[sep + 1]);
  return 2;
}
