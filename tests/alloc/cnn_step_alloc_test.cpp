// A CNN whose feature maps are above Eigen's stack limit (a batch of (8, 28, 28) maps is
// 200 KB at batch 32) trains and infers without allocating after the first call: forward,
// CrossEntropyLoss, zero_grad, backward, Adam step at batch 32 and 64, and eval-mode forward
// at batch 64, also into the caller's output with a run-time batch size (Sequential's
// gradient buffers, the layers' backward_into, and products whose packing stays on the
// stack; counted at malloc, tests/support/alloc_counter.hpp).
#include <catch2/catch.hpp>
#include <ctnn/ctnn.hpp>

#include <cmath>
#include <memory>
#include <utility>

#include "alloc_counter.hpp"

namespace {
using ctnn::ConvOptions;
using CNN2 = ctnn::with_input<
    ctnn::Sequential<ctnn::Conv2d<1, 8, 3, ConvOptions{.padding = 1}>, ctnn::BatchNorm2d<8>, ctnn::ReLU,
                     ctnn::MaxPool2d<2>, ctnn::Conv2d<8, 16, 3, ConvOptions{.padding = 1}>, ctnn::BatchNorm2d<16>,
                     ctnn::ReLU, ctnn::MaxPool2d<2>, ctnn::Flatten, ctnn::Linear<ctnn::any, 10>>,
    1, 28, 28>;

template <class Step>
long allocations_after_first(Step&& step, int n = 3) {
  step();
  return ctnn_test::allocations_in([&] {
    for (int i = 0; i < n; ++i) step();
  });
}

template <int B>
void check_training_step(CNN2& net) {
  // the batch's storage on the heap, viewed with a compile-time batch size: a Batch<float,
  // 784, 64> is above the stack limit, so its column count (and that of the output and loss
  // gradient computed from it) would be run-time, and those small results would allocate
  Eigen::Matrix<float, 784, Eigen::Dynamic> storage(784, B);
  storage.setRandom();
  const ctnn::MatrixView<float, 784, B> x(storage.data(), 784, B);
  ctnn::ClassIndices<B> target;
  for (int j = 0; j < B; ++j) target(j) = j % 10;
  ctnn::CrossEntropyLoss loss;
  ctnn::optim::Adam opt{net, {.lr = 1e-3}};
  float last = 0;
  const long n = allocations_after_first([&] {
    const auto y = net.forward(x);
    last = loss(y, target);
    opt.zero_grad();
    net.backward(loss.grad(y, target), ctnn::parameters_only);
    opt.step();
  });
  CHECK(std::isfinite(last));
  CHECK(n == 0);
  // the input gradient too (Sequential returns it as a view into its gradient buffer)
  const long m = allocations_after_first([&] {
    const auto y = net.forward(x);
    const auto dx = net.backward(loss.grad(y, target));
    CHECK(dx.allFinite());
  });
  CHECK(m == 0);
}
}  // namespace

TEST_CASE("CNN2's training step allocates nothing after the first, at batch 32 and 64", "[alloc][conv][large]") {
  auto net = std::make_unique<CNN2>();
  check_training_step<32>(*net);
  check_training_step<64>(*net);
}

TEST_CASE("CNN2's eval-mode forward at batch 64 allocates nothing after the first", "[alloc][conv][large]") {
  auto net = std::make_unique<CNN2>();
  net->eval();
  Eigen::Matrix<float, 784, Eigen::Dynamic> storage(784, 64);
  storage.setRandom();
  const ctnn::MatrixView<float, 784, 64> x(storage.data(), 784, 64);
  float sum = 0;
  CHECK(allocations_after_first([&] { sum += net->forward(x).sum(); }) == 0);
  CHECK(std::isfinite(sum));
}

TEST_CASE("CNN2's batch inference into the caller's output (forward_into, infer_into) allocates nothing, with a run-time batch size", "[alloc][conv][large]") {
  // forward(x) would return a 10 x B matrix with run-time columns (a heap allocation per
  // call); forward_into writes the caller's
  auto net = std::make_unique<CNN2>();
  net->eval();
  Eigen::Matrix<float, 784, Eigen::Dynamic> x(784, 64);
  x.setRandom();
  Eigen::Matrix<float, 10, Eigen::Dynamic> y(10, 64);
  CHECK(allocations_after_first([&] { net->forward_into(x, y); }) == 0);
  CHECK(y.allFinite());
  // the same values as forward and infer
  CHECK((net->forward(x) - y).cwiseAbs().maxCoeff() == 0.0f);
  CHECK((std::as_const(*net).infer(x) - y).cwiseAbs().maxCoeff() <= 1e-5f);
  // infer_into (const): one sample at a time on the stack, no allocation even on the first call
  static_assert(CNN2::sample_on_stack<float, 784>());
  Eigen::Matrix<float, 10, Eigen::Dynamic> yi(10, 64);
  CHECK(ctnn_test::allocations_in([&] { std::as_const(*net).infer_into(x, yi); }) == 0);
  CHECK((yi - y).cwiseAbs().maxCoeff() <= 1e-5f);
  // a smaller batch after a larger one: the buffers already have room
  Eigen::Matrix<float, 10, Eigen::Dynamic> y8(10, 8);
  CHECK(ctnn_test::allocations_in([&] { net->forward_into(x.leftCols(8), y8); }) == 0);
  CHECK((y8 - y.leftCols(8)).cwiseAbs().maxCoeff() <= 1e-6f);
}

TEST_CASE("a large 2-D map: a convolution's forward and backward into buffers allocate nothing", "[alloc][conv][large]") {
  using Big = ctnn::bound<ctnn::Conv2d<8, 8, 3, ConvOptions{.padding = 1}>, ctnn::shape_of<8, 64, 64>>;
  auto conv = std::make_unique<Big>();
  ctnn::Matrix<float, Big::in_features, 1> x(Big::in_features, 1), dx(Big::in_features, 1);
  x.setRandom();
  ctnn::Matrix<float, Big::out_features, 1> y(Big::out_features, 1);
  CHECK(allocations_after_first([&] {
          conv->forward_into(x, y);
          conv->backward_into(x, y, y, dx);
        }) == 0);
  CHECK(dx.allFinite());
}

TEST_CASE("Sequential's gradient buffers: a chain ending in Flatten agrees with its layers run one by one",
          "[conv][large]") {
  using Net = ctnn::with_input<
      ctnn::Sequential<ctnn::Conv2d<1, 4, 3, ConvOptions{.padding = 1}>, ctnn::ReLU, ctnn::MaxPool2d<2>, ctnn::Flatten>,
      1, 28, 28>;
  auto net = std::make_unique<Net>();
  constexpr int B = 16;
  Eigen::Matrix<float, 784, Eigen::Dynamic> x(784, B);
  x.setRandom();
  Eigen::Matrix<float, Net::out_features, Eigen::Dynamic> g(Net::out_features, B);
  g.setRandom();
  (void)net->forward(x);
  const Eigen::Matrix<float, 784, Eigen::Dynamic> dx = net->backward(g);
  auto& conv = net->get<0>();
  auto& pool = net->get<2>();
  const Eigen::Matrix<float, 4 * 784, Eigen::Dynamic> y = conv.forward(x);
  const Eigen::Matrix<float, 4 * 784, Eigen::Dynamic> r = y.cwiseMax(0.0f);
  const Eigen::Matrix<float, 4 * 196, Eigen::Dynamic> p = pool.forward(r);
  const Eigen::Matrix<float, 4 * 784, Eigen::Dynamic> dr = pool.backward(r, p, g);
  const Eigen::Matrix<float, 4 * 784, Eigen::Dynamic> dy = ctnn::ReLU{}.backward(y, r, dr);
  const Eigen::Matrix<float, 784, Eigen::Dynamic> expected = conv.backward(x, y, dy);
  CHECK(dx.isApprox(expected, 1e-6f));
  // and again after a larger batch grew the buffers, then the first size
  Eigen::Matrix<float, 784, Eigen::Dynamic> x2(784, 2 * B);
  x2.setRandom();
  (void)net->forward(x2);
  (void)net->backward(Eigen::Matrix<float, Net::out_features, Eigen::Dynamic>::Ones(Net::out_features, 2 * B));
  (void)net->forward(x);
  const Eigen::Matrix<float, 784, Eigen::Dynamic> again = net->backward(g);
  CHECK(again.isApprox(expected, 1e-6f));
}
