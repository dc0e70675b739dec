// The timing loops, shared by every implementation so that all are measured the same way.
// An implementation provides, per network, a Runner constructed from the network's name that
// loads bench::weights(net) and prepares its inputs outside the timed region, with
//   void  w1(int i)                 infer ring sample i (output kept from the optimiser)
//   float w1_dep(int i, float c)    infer ring sample i with c added to its first feature,
//                                   return the first output (the serially dependent variant)
//   void  w2()                      infer the batch of kBatch samples
//   float w3()                      one training step on the kTrainBatch batch, return the loss
//   std::vector<float> outputs(bench::Workload)   for the cross-check (common.hpp)
// Every benchmark also reports heap allocations per iteration (malloc, main.cpp).
#pragma once

#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "common.hpp"

namespace bench {

template <class F>
void timed(benchmark::State& state, F&& body) {
  const std::uint64_t before = allocations();
  body();
  state.counters["allocs"] = benchmark::Counter(double(allocations() - before), benchmark::Counter::kAvgIterations);
}

struct Skip {
  bool w3 = false;
};

/// Registers W1, W1dep, W2 (and W3 unless skipped) of network `net` for implementation `impl`,
/// named "<workload>/<net>/<impl>".
template <class Runner>
void register_runner(const std::string& impl, char net, Skip skip = {}) {
  auto r = std::make_shared<Runner>(net);
  const std::string suffix = std::string("/") + net + "/" + impl;
  benchmark::RegisterBenchmark(("W1/" + suffix.substr(1)).c_str(), [r](benchmark::State& s) {
    timed(s, [&] {
      int i = 0;
      for (auto _ : s) {
        r->w1(i);
        i = (i + 1) % kRing;
      }
    });
  });
  benchmark::RegisterBenchmark(("W1dep" + suffix).c_str(), [r](benchmark::State& s) {
    timed(s, [&] {
      int i = 0;
      float carry = 0.0f;
      for (auto _ : s) {
        // the next input waits for this output: latency, not throughput
        carry = r->w1_dep(i, carry) * opaque_zero();
        i = (i + 1) % kRing;
      }
      benchmark::DoNotOptimize(carry);
    });
  });
  benchmark::RegisterBenchmark(("W2" + suffix).c_str(), [r](benchmark::State& s) {
    timed(s, [&] {
      for (auto _ : s) r->w2();
    });
    s.SetItemsProcessed(s.iterations() * kBatch);
  });
  if (!skip.w3) {
    benchmark::RegisterBenchmark(("W3" + suffix).c_str(), [net](benchmark::State& s) {
      // Training the same batch for thousands of steps drives Adam's moments of dead units
      // into subnormal floats, which every implementation then computes on slowly: the time
      // per step would depend on how many steps the benchmark happens to run. So every
      // kRestart steps a fresh copy (the same initial weights, a new optimizer) takes over,
      // outside the timed region; its first step (which may size buffers) is untimed too.
      std::unique_ptr<Runner> t;
      std::uint64_t untimed_allocations = 0;
      auto restart = [&] {
        const std::uint64_t before = allocations();
        t.reset();
        t = std::make_unique<Runner>(net);
        benchmark::DoNotOptimize(t->w3());
        untimed_allocations += allocations() - before;
      };
      const std::uint64_t before = allocations();
      restart();
      int steps = 0;
      for (auto _ : s) {
        if (++steps == kRestart) {
          s.PauseTiming();
          restart();
          steps = 1;
          s.ResumeTiming();
        }
        benchmark::DoNotOptimize(t->w3());
      }
      s.counters["allocs"] = benchmark::Counter(double(allocations() - before - untimed_allocations),
                                                benchmark::Counter::kAvgIterations);
    });
  }
  register_outputs(impl, [net](char n, Workload w) -> std::vector<float> {
    if (n != net) return {};
    Runner fresh(net);
    return fresh.outputs(w);
  });
}

/// Cross-check helper: runs kCheckSteps training steps, then appends the network's output on
/// the training batch (given as a callable) to the losses.
template <class Runner, class Out>
std::vector<float> train_outputs(Runner& r, Out&& output_on_train_batch) {
  std::vector<float> v;
  for (int k = 0; k < kCheckSteps; ++k) v.push_back(r.w3());
  auto y = output_on_train_batch();
  v.insert(v.end(), y.begin(), y.end());
  return v;
}

}  // namespace bench
