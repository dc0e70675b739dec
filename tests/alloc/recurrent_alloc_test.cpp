// Streaming through RNN, GRU and LSTM stacks allocates nothing, over thousands of calls with
// the state carried across, in float and double; sequence-mode forward and backward allocate
// nothing after the first batch of a size, and a training step (T 32, batch 16) nothing after
// the first.
#include <catch2/catch.hpp>
#include <ctnn/ctnn.hpp>
#include <ctnn/layers/recurrent.hpp>

#include <memory>

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

TEST_CASE("sequence training at the benchmark's size allocates nothing after the first step", "[alloc][recurrent]") {
  // T 32, batch 16: the parameter gradients are products over 512 columns, whose packed blocks
  // exceed Eigen's stack limit unless taken in chunks; a second, bidirectional layer of width
  // 2 * 64 makes the forward's input projection and the input gradient large as well.
  auto train = []<class Net>(Net& net) {
    const Eigen::Matrix<float, Net::in_features, 16> x = Eigen::Matrix<float, Net::in_features, 16>::Random();
    const Eigen::Matrix<float, Net::out_features, 16> target = Eigen::Matrix<float, Net::out_features, 16>::Random();
    ctnn::optim::Adam opt(net, {.lr = 1e-3});
    ctnn::MSELoss<> loss;
    auto step = [&] {
      const auto y = net.forward(x);
      opt.zero_grad();
      net.backward(loss.grad(y, target));
      opt.step();
    };
    step();
    return ctnn_test::allocations_in([&] {
      for (int i = 0; i < 3; ++i) step();
    });
  };
  auto gru = std::make_unique<ctnn::with_input<ctnn::Sequential<ctnn::GRU<8, 64>, ctnn::Linear<64, 1>>, 32, 8>>();
  CHECK(train(*gru) == 0);
  auto lstm = std::make_unique<ctnn::with_input<
      ctnn::Sequential<ctnn::LSTM<8, 64, ctnn::RNNOptions{.num_layers = 2, .bidirectional = true}>, ctnn::Linear<128, 1>>, 32, 8>>();
  CHECK(train(*lstm) == 0);
}
