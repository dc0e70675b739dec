// The benchmark program: checks that every implementation computes the same outputs (and
// prints the largest difference from the yardstick), then runs Google Benchmark.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <new>

#include "common.hpp"

void register_yardstick();
void register_ctnn();
#ifdef CTNN_BENCH_TORCH
void register_torch();
#endif
#ifdef CTNN_BENCH_DLIB
void register_dlib();
#endif

// ---- heap allocations: every operator new is counted -------------------------------------------
namespace {
std::atomic<std::uint64_t> g_allocations{0};
}
std::uint64_t bench::allocations() { return g_allocations.load(std::memory_order_relaxed); }

void* operator new(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, std::align_val_t a) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  const std::size_t al = static_cast<std::size_t>(a);
  if (void* p = std::aligned_alloc(al, (n + al - 1) / al * al)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) { return operator new(n, a); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace {

/// Prints, per workload and network, the largest absolute difference of each implementation
/// from the yardstick ("eigen"). Returns false when one exceeds the tolerance.
bool cross_check() {
  using bench::Workload;
  const char* names[] = {"W1", "W2", "W3"};
  bool ok = true;
  std::printf("cross-check: max |output - eigen's| (W3: losses of %d Adam steps, then the outputs)\n",
              bench::kCheckSteps);
  for (auto w : {Workload::W1, Workload::W2, Workload::W3}) {
    for (char net : bench::kNets) {
      std::map<std::string, std::vector<float>> out;
      for (const auto& r : bench::registered_outputs()) {
        auto v = r.fn(net, w);
        if (!v.empty()) out[r.impl] = std::move(v);
      }
      if (!out.count("eigen")) continue;
      const auto& ref = out["eigen"];
      std::printf("  %s/%c:", names[int(w)], net);
      for (const auto& [impl, v] : out) {
        if (impl == "eigen") continue;
        float diff = v.size() == ref.size() ? 0.0f : INFINITY;
        float scale = 1.0f;
        for (std::size_t i = 0; i < v.size() && i < ref.size(); ++i) {
          diff = std::max(diff, std::abs(v[i] - ref[i]));
          scale = std::max(scale, std::abs(ref[i]));
        }
        // float32 results of different summation orders; training amplifies them a little
        // dlib's loss is not normalised as PyTorch's (summed over outputs, half the gradient), and
        // Adam's eps then weighs differently: its training results agree only roughly
        const float tol = (w != Workload::W3 ? 1e-4f : impl == "dlib" ? 5e-2f : 1e-3f) * scale;
        const bool good = diff <= tol;
        ok = ok && good;
        std::printf("  %s %.2e%s", impl.c_str(), double(diff), good ? "" : " (TOO LARGE)");
      }
      std::printf("\n");
    }
  }
  return ok;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  register_yardstick();
  register_ctnn();
#ifdef CTNN_BENCH_TORCH
  register_torch();
#endif
#ifdef CTNN_BENCH_DLIB
  register_dlib();
#endif
  const bool ok = cross_check();
  std::fflush(stdout);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return ok ? 0 : 1;
}
