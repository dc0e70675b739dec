// Streaming through RNN, GRU and LSTM stacks allocates nothing, over thousands of calls with
// the state carried across, in float and double; sequence-mode forward and backward allocate
// nothing after the first batch of a size.
#include <catch2/catch.hpp>
#include <ctnn/layers/recurrent.hpp>

#include "alloc_counter.hpp"

namespace {

template <class Layer, int Block>
void stream_without_allocation() {
  using S = typename Layer::scalar_type;
  Layer layer;
  Eigen::Matrix<S, Layer::step_in_features, Block> x;
  S sink = 0;
  const long n = ctnn_test::allocations_in([&] {
    for (int call = 0; call < 3000; ++call) {
      for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<S>(std::sin(0.01 * (call * Block + i)));
      const auto y = layer.step(x);
      sink += y(0, Block - 1);
      if (call == 1500) layer.reset_state();
    }
  });
  CHECK(n == 0);
  CHECK(std::isfinite(static_cast<double>(sink)));
}

}  // namespace

TEST_CASE("streaming allocates nothing (float and double, blocks of 1 and 16)", "[alloc][recurrent]") {
  constexpr ctnn::RNNOptions l2{.num_layers = 2};
  stream_without_allocation<ctnn::GRU<1, 8>, 1>();
  stream_without_allocation<ctnn::GRU<1, 32, l2, double>, 1>();
  stream_without_allocation<ctnn::LSTM<1, 16>, 16>();
  stream_without_allocation<ctnn::LSTM<2, 8, l2, double>, 1>();
  stream_without_allocation<ctnn::RNN<1, 8, ctnn::RNNOptions{.nonlinearity = ctnn::Nonlinearity::relu}>, 4>();
  stream_without_allocation<ctnn::GRU<4, 64, ctnn::RNNOptions{.num_layers = 3, .bias = false}>, 64>();
}

TEST_CASE("sequence mode allocates nothing after the first batch of a size", "[alloc][recurrent]") {
  ctnn::bound<ctnn::LSTM<3, 8, ctnn::RNNOptions{.num_layers = 2, .bidirectional = true}>, ctnn::Shape(6, 3)> lstm;
  const Eigen::Matrix<float, 18, 4> x = Eigen::Matrix<float, 18, 4>::Random();
  const Eigen::Matrix<float, 96, 4> g = Eigen::Matrix<float, 96, 4>::Ones();
  auto y = lstm.forward(x);
  lstm.backward(x, y, g);
  CHECK(ctnn_test::allocations_in([&] {
          for (int i = 0; i < 3; ++i) {
            y = lstm.forward(x);
            const auto dx = lstm.backward(x, y, g);
            CHECK(dx.allFinite());
          }
        }) == 0);
}
