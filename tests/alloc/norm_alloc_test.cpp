// The normalisation layers allocate nothing on the heap in a training step once warmed up
// (their batch statistics are per channel, kept in the layer), nor in eval-mode inference.
#include <catch2/catch.hpp>
#include <ctnn/core/sequential.hpp>
#include <ctnn/layers/activations.hpp>
#include <ctnn/layers/batchnorm.hpp>
#include <ctnn/layers/flatten.hpp>
#include <ctnn/layers/groupnorm.hpp>
#include <ctnn/layers/layernorm.hpp>
#include <ctnn/layers/linear.hpp>
#include <ctnn/optim/adam.hpp>

#include "alloc_counter.hpp"

TEST_CASE("BatchNorm, LayerNorm and GroupNorm: no allocation in training steps and inference after warm-up",
          "[alloc][norm]") {
  using Net = ctnn::with_input<ctnn::Sequential<ctnn::BatchNorm2d<2>, ctnn::ReLU, ctnn::GroupNorm<2, 2>, ctnn::Flatten,
                                                ctnn::Linear<18, 6>, ctnn::BatchNorm1d<6>, ctnn::LayerNorm<6>,
                                                ctnn::Linear<6, 2>>,
                               2, 3, 3>;
  Net net;
  ctnn::optim::Adam<Net> opt(net, {.lr = 1e-3});
  const ctnn::Batch<float, 18, 8> x = ctnn::Batch<float, 18, 8>::Random();
  const ctnn::Batch<float, 2, 8> g = ctnn::Batch<float, 2, 8>::Ones();
  auto step = [&] {
    opt.zero_grad();
    (void)net.forward(x);
    net.backward(g, ctnn::parameters_only);
    opt.step();
  };
  step();
  CHECK(ctnn_test::allocations_in([&] {
          for (int i = 0; i < 3; ++i) step();
        }) == 0);
  net.eval();
  (void)net.infer(x);
  CHECK(ctnn_test::allocations_in([&] {
          const auto y = net.infer(x);
          CHECK(y.allFinite());
          (void)net.forward(x);
        }) == 0);
}
