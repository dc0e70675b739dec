// The timing loops of the CNN, RNN and streaming workloads (issues 12 and 13), shared by every
// implementation so that all are measured the same way (as workloads.hpp does for nets A-E).
// Benchmarks are named "<model>/<workload>/<impl>". Runners load bench::nn::params(model) and
// prepare their inputs outside the timed region.
//
// CNN runner (models CNN1, CNN2), constructed from the model's name:
//   void  w1(int i)     eval-mode inference of ring sample i (one sample)
//   void  w2()          eval-mode inference of the batch of kCnnBatch samples
//   float w3()          one training step on the kCnnTrain batch (train mode, Adam), the loss
//   std::vector<float> outputs(bench::Workload)   W1: the kCnnRing outputs, W2: the batch's
//                       outputs, W3: the losses of kNnCheckSteps steps
// Stream runner (GRU<H>, LSTM<H>, TCN):
//   step(int i)         one call on the stream's step i (one sample; TCN: block i of kTcnBlock)
//   std::vector<float> outputs()   the outputs of a fresh stream (kStreamCheck steps; TCN: all
//                       kTcnBlocks blocks), concatenated
// Sequence-training runner (GRUseq, LSTMseq): float w3(), the loss of one training step.
#pragma once

#include <benchmark/benchmark.h>

#include <memory>
#include <string>

#include "common.hpp"
#include "nn_common.hpp"

namespace bench::nn {

// float32 results of different summation orders; training (and BatchNorm's division by batch
// statistics) amplifies them a little
inline constexpr float kInferTol = 1e-4f, kTrainTol = 1e-3f;

template <class F>
void counted(benchmark::State& state, F&& body) {
  const std::uint64_t before = bench::allocations();
  body();
  state.counters["allocs"] = benchmark::Counter(double(bench::allocations() - before), benchmark::Counter::kAvgIterations);
}

/// The training loop of workloads.hpp: a fresh copy every kRestart steps, its first step
/// untimed, outside the timed region (see there for why).
template <class Runner>
void train_loop(benchmark::State& s, const std::string& model) {
  std::unique_ptr<Runner> t;
  std::uint64_t untimed_allocations = 0;
  auto restart = [&] {
    const std::uint64_t before = bench::allocations();
    t.reset();
    t = std::make_unique<Runner>(model);
    benchmark::DoNotOptimize(t->w3());
    untimed_allocations += bench::allocations() - before;
  };
  const std::uint64_t before = bench::allocations();
  restart();
  int steps = 0;
  for (auto _ : s) {
    if (++steps == bench::kRestart) {
      s.PauseTiming();
      restart();
      steps = 1;
      s.ResumeTiming();
    }
    benchmark::DoNotOptimize(t->w3());
  }
  s.counters["allocs"] = benchmark::Counter(double(bench::allocations() - before - untimed_allocations),
                                            benchmark::Counter::kAvgIterations);
}

template <class Runner>
void register_cnn(const std::string& impl, const std::string& model, float train_tol = kTrainTol) {
  auto r = std::make_shared<Runner>(model);
  const std::string prefix = model + "/";
  benchmark::RegisterBenchmark((prefix + "W1/" + impl).c_str(), [r](benchmark::State& s) {
    counted(s, [&] {
      int i = 0;
      for (auto _ : s) {
        r->w1(i);
        i = (i + 1) % kCnnRing;
      }
    });
  });
  benchmark::RegisterBenchmark((prefix + "W2/" + impl).c_str(), [r](benchmark::State& s) {
    counted(s, [&] {
      for (auto _ : s) r->w2();
    });
    s.SetItemsProcessed(s.iterations() * kCnnBatch);
  });
  benchmark::RegisterBenchmark((prefix + "W3/" + impl).c_str(),
                               [model](benchmark::State& s) { train_loop<Runner>(s, model); });
  for (auto w : {bench::Workload::W1, bench::Workload::W2, bench::Workload::W3}) {
    const char* wn[] = {"W1", "W2", "W3"};
    register_check(prefix + wn[int(w)], impl, [model, w] { return Runner(model).outputs(w); },
                   w == bench::Workload::W3 ? train_tol : kInferTol);
  }
}

/// One streaming call per iteration; `per_call` samples per call (items processed, so that
/// Google Benchmark also reports samples per second).
template <class Runner>
void register_stream(const std::string& impl, const std::string& model, const std::string& workload, int calls,
                     int per_call) {
  auto r = std::make_shared<Runner>(model);
  benchmark::RegisterBenchmark((model + "/" + workload + "/" + impl).c_str(), [r, calls, per_call](benchmark::State& s) {
    counted(s, [&] {
      int i = 0;
      for (auto _ : s) {
        r->step(i);
        i = (i + 1) % calls;
      }
    });
    s.SetItemsProcessed(s.iterations() * per_call);
  });
  register_check(model + "/" + workload, impl, [model] { return Runner(model).outputs(); }, kInferTol);
}

template <class Runner>
void register_seq(const std::string& impl, const std::string& model) {
  benchmark::RegisterBenchmark((model + "/W3/" + impl).c_str(),
                               [model](benchmark::State& s) { train_loop<Runner>(s, model); });
  register_check(model + "/W3", impl,
                 [model] {
                   Runner r(model);
                   std::vector<float> v;
                   for (int k = 0; k < kNnCheckSteps; ++k) v.push_back(r.w3());
                   return v;
                 },
                 kTrainTol);
}

}  // namespace bench::nn
