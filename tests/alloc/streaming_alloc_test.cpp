// Streaming is real-time safe: Sequential::step (one step, fixed blocks, bounded run-time
// blocks), process (Eigen blocks and raw arrays, in place) and ctnn::reset_state allocate
// nothing once the model is constructed, over thousands of calls with the state carried
// across, in float and double. This program counts every allocation (malloc and relatives).
#include <catch2/catch.hpp>
#include <ctnn/core/sequential.hpp>
#include <ctnn/layers/activations.hpp>
#include <ctnn/layers/linear.hpp>

#include <vector>

#include "alloc_counter.hpp"
#include "streaming_layers.hpp"

namespace streaming_alloc_test {

template <class F>
long count(F&& f) {
  return ctnn_test::allocations_in(f);
}

/// Mono in, mono out, as an audio effect: FIR -> Linear -> Tanh -> recursive filter -> Linear.
template <class S>
using Mono = ctnn::with_input<ctnn::Sequential<ctnn_test::CausalFir<1, 4, S>, ctnn::Linear<1, 16, true, S>, ctnn::Tanh,
                                               ctnn_test::Iir<16, S>, ctnn::Linear<16, 1, true, S>>,
                              64, 1>;

}  // namespace streaming_alloc_test
using namespace streaming_alloc_test;

TEST_CASE("the counter sees a step over an unbounded run-time block", "[alloc][streaming]") {
  Mono<float> net;
  const Eigen::Matrix<float, 1, Eigen::Dynamic> x = Eigen::Matrix<float, 1, Eigen::Dynamic>::Ones(1, 10);
  CHECK(count([&] { CHECK(net.step(x).size() == 10); }) >= 1);  // its result is a heap matrix
}

TEMPLATE_TEST_CASE("step, process and reset_state allocate nothing", "[alloc][streaming]", float, double) {
  using S = TestType;
  std::vector<S> audio(4096);
  for (std::size_t i = 0; i < audio.size(); ++i) audio[i] = static_cast<S>(((i * 37) % 200) / 100.0 - 1.0);
  std::vector<S> out(audio.size());
  long allocations = -1;
  S sum = 0;
  Mono<S> net;  // (a Sequential's constructor sizes its training buffers: not on the audio thread)
  allocations = count([&] {
    for (std::size_t i = 0; i < audio.size(); ++i) sum += net.step(Eigen::Matrix<S, 1, 1>(audio[i]))(0);
    ctnn::reset_state(net);
    for (std::size_t i = 0; i + 64 <= audio.size(); i += 64)
      sum += net.step(Eigen::Map<const Eigen::Matrix<S, 1, 64>>(audio.data() + i)).sum();
    net.reset_state();
    for (std::size_t i = 0; i + 48 <= audio.size(); i += 48) {
      const Eigen::Matrix<S, 1, Eigen::Dynamic, Eigen::RowMajor, 1, 64> block =
          Eigen::Map<const Eigen::Matrix<S, 1, 48>>(audio.data() + i);
      sum += net.step(block).sum();
    }
    for (int k = 0; k < 10; ++k) {
      net.process(audio.data(), out.data(), static_cast<int>(audio.size()));          // blocks of 64
      net.template process<32>(audio.data(), out.data(), 1000);                         // 31 blocks and 8 steps
      net.process(Eigen::Map<const Eigen::Matrix<S, 1, Eigen::Dynamic>>(audio.data(), 1, 500),
                  Eigen::Map<Eigen::Matrix<S, 1, Eigen::Dynamic>>(out.data(), 1, 500));
    }
    std::vector<S>& in_place = out;
    net.process(in_place.data(), in_place.data(), 777);  // an audio callback's in-place buffer
    ctnn::reset_state(net);
  });
  CHECK(allocations == 0);
  CHECK(std::isfinite(static_cast<double>(sum)));
  CHECK(std::isfinite(static_cast<double>(out[776])));
}
