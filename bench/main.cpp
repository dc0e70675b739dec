// The benchmark program: checks that every implementation computes the same outputs (and
// prints the largest difference from the yardstick), then runs Google Benchmark.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

#include "common.hpp"
#include "nn_common.hpp"

void register_yardstick();
void register_yardstick_cnn();
void register_yardstick_rnn();
void register_ctnn();
#ifdef CTNN_BENCH_CTNN_CNN
void register_ctnn_cnn();  // bench/ctnn_cnn.cpp (issue 12)
#endif
#ifdef CTNN_BENCH_CTNN_RNN
void register_ctnn_rnn();  // bench/ctnn_rnn.cpp (issue 13)
#endif
#ifdef CTNN_BENCH_TORCH
void register_torch();
void register_torch_nn();
#endif
#ifdef CTNN_BENCH_DLIB
void register_dlib();
void register_dlib_cnn();
#endif

// ---- heap allocations: malloc and its relatives are interposed, so operator new (which calls
// malloc) and Eigen's aligned_malloc (which calls std::malloc directly) are both counted -------
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* __libc_memalign(std::size_t, std::size_t);
}
namespace {
std::atomic<std::uint64_t> g_allocations{0};
}
std::uint64_t bench::allocations() { return g_allocations.load(std::memory_order_relaxed); }
extern "C" {
void* malloc(std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(n);
}
void* calloc(std::size_t n, std::size_t size) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_calloc(n, size);
}
void* realloc(void* p, std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_realloc(p, n);
}
void* aligned_alloc(std::size_t alignment, std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_memalign(alignment, n);
}
int posix_memalign(void** out, std::size_t alignment, std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  void* p = __libc_memalign(alignment, n);
  if (!p) return 12;  // ENOMEM
  *out = p;
  return 0;
}
void* memalign(std::size_t alignment, std::size_t n) {
  g_allocations.fetch_add(1, std::memory_order_relaxed);
  return __libc_memalign(alignment, n);
}
}

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
  register_yardstick_cnn();
  register_yardstick_rnn();
  register_ctnn();
#ifdef CTNN_BENCH_CTNN_CNN
  register_ctnn_cnn();
#endif
#ifdef CTNN_BENCH_CTNN_RNN
  register_ctnn_rnn();
#endif
#ifdef CTNN_BENCH_TORCH
  register_torch();
  register_torch_nn();
#endif
#ifdef CTNN_BENCH_DLIB
  register_dlib();
  register_dlib_cnn();
#endif
  const bool ok_mlp = cross_check();
  const bool ok = bench::nn::cross_check() && ok_mlp;
  std::fflush(stdout);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return ok ? 0 : 1;
}
