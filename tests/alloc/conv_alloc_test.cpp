// Convolutions allocate nothing per call: a small 1-D network's forward and backward (one
// sample, from construction on; a fixed batch after its first forward), a causal Conv1d's
// step. Large 2-D maps: cnn_step_alloc_test.cpp.
#include <catch2/catch.hpp>
#include <ctnn/core/sequential.hpp>
#include <ctnn/layers/activations.hpp>
#include <ctnn/layers/conv.hpp>
#include <ctnn/layers/flatten.hpp>
#include <ctnn/layers/linear.hpp>

#include "alloc_counter.hpp"

namespace {
using ctnn::ConvOptions;
using Net = ctnn::with_input<ctnn::Sequential<ctnn::Conv1d<1, 4, 5, ConvOptions{.padding = 2}>, ctnn::ReLU,
                                              ctnn::Conv1d<4, 8, 3, ConvOptions{.stride = 2, .groups = 2}>,
                                              ctnn::Flatten, ctnn::Linear<ctnn::any, 3>>,
                             1, 32>;

template <class F>
long count(F&& f) {
  return ctnn_test::allocations_in(f);
}
}  // namespace

TEST_CASE("a convolutional network: no allocation per call", "[alloc][conv]") {
  Net net;
  const ctnn::Sample<float, 32> x = ctnn::Sample<float, 32>::Random();
  const ctnn::Sample<float, 3> g = ctnn::Sample<float, 3>::Ones();
  CHECK(count([&] {
          for (int i = 0; i < 3; ++i) {
            const auto y = net.forward(x);
            const auto dx = net.backward(g);
            net.backward(g, ctnn::parameters_only);
            CHECK((y.allFinite() && dx.allFinite()));
          }
        }) == 0);
  const ctnn::Batch<float, 32, 8> xb = ctnn::Batch<float, 32, 8>::Random();
  const ctnn::Batch<float, 3, 8> gb = ctnn::Batch<float, 3, 8>::Ones();
  net.forward(xb);
  net.backward(gb);
  CHECK(count([&] {
          net.forward(xb);
          net.backward(gb);
        }) == 0);
}

TEST_CASE("a causal Conv1d's step allocates nothing", "[alloc][conv][streaming]") {
  ctnn::bound<ctnn::Conv1d<4, 6, 3, ConvOptions{.padding = ctnn::causal, .dilation = 2}>, ctnn::shape_of<4, 64>> conv;
  const Eigen::Matrix<float, 4, 1> x = Eigen::Matrix<float, 4, 1>::Random();
  const Eigen::Matrix<float, 4, 16> xb = Eigen::Matrix<float, 4, 16>::Random();
  CHECK(count([&] {
          for (int t = 0; t < 100; ++t) CHECK(conv.step(x).allFinite());
          CHECK(conv.step(xb).allFinite());
          conv.reset_state();
        }) == 0);
}
