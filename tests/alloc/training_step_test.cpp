// A training step with a fixed batch size allocates nothing after the first: forward, loss,
// zero_grad, backward, clip_grad_norm, optimizer step and scheduler step, counted at malloc
// (tests/support/alloc_counter.hpp: operator new and Eigen's own allocations alike).
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <ctnn/ctnn.hpp>
#include <new>

#include "../../examples/seed_layers.hpp"
#include "alloc_counter.hpp"

namespace {

/// Runs `step` once (it may allocate: buffers sized for the batch), then `n` more times, and
/// returns how many allocations those n made.
template <class Step>
long allocations_after_first(Step&& step, int n = 5) {
  step();
  return ctnn_test::allocations_in([&] {
    for (int i = 0; i < n; ++i) step();
  });
}

}  // namespace

TEST_CASE("an MLP regression step (MSELoss, Adam, clip_grad_norm, CosineAnnealingLR) allocates nothing") {
  using Net = ctnn::Sequential<ctnn::Linear<8, 32>, ctnn::ReLU, ctnn::Linear<32, 32>, ctnn::Tanh, ctnn::Linear<32, 1>>;
  Net net;
  ctnn::Batch<float, 8, 64> x = ctnn::Batch<float, 8, 64>::Random();
  ctnn::Batch<float, 1, 64> target = ctnn::Batch<float, 1, 64>::Random();
  ctnn::MSELoss loss;
  ctnn::optim::Adam opt{net, {.lr = 1e-3, .amsgrad = true}};
  ctnn::optim::CosineAnnealingLR scheduler{opt, 100};
  float last = 0;
  const long n = allocations_after_first([&] {
    auto y = net.forward(x);
    last = loss(y, target);
    opt.zero_grad();
    net.backward(loss.grad(y, target));
    ctnn::clip_grad_norm(net, 1.0);
    opt.step();
    scheduler.step();
  });
  CHECK(std::isfinite(last));
  CHECK(n == 0);
}

TEST_CASE("a classifier step (CrossEntropyLoss, SGD with Nesterov momentum, StepLR, backward without the input gradient) allocates nothing") {
  using Net = ctnn::Sequential<ctnn::Linear<2, 16>, ctnn::ReLU, ctnn::Linear<16, 3>>;
  Net net;
  ctnn::Batch<float, 2, 32> x = ctnn::Batch<float, 2, 32>::Random();
  ctnn::ClassIndices<32> target;
  for (int j = 0; j < 32; ++j) target(j) = j % 3;
  ctnn::CrossEntropyLoss loss{ctnn::Reduction::Mean, {.label_smoothing = 0.1}};
  ctnn::optim::SGD opt{net, {.lr = 0.1, .momentum = 0.9, .weight_decay = 1e-4, .nesterov = true}};
  ctnn::optim::StepLR scheduler{opt, 2, 0.5};
  const long n = allocations_after_first([&] {
    auto y = net.forward(x);
    (void)loss(y, target);
    opt.zero_grad();
    net.backward(loss.grad(y, target), ctnn::parameters_only);
    opt.step();
    scheduler.step();
  });
  CHECK(n == 0);
}

TEST_CASE("seed 002's step (MyNet, MSELoss(sum), Adam) allocates nothing; RMSprop, AdamW, Adagrad neither") {
  seeds::MyNet model;
  Eigen::Matrix<float, seeds::D_in, seeds::N> x = Eigen::Matrix<float, seeds::D_in, seeds::N>::Random();
  Eigen::Matrix<float, seeds::D_out, seeds::N> y = Eigen::Matrix<float, seeds::D_out, seeds::N>::Random();
  ctnn::MSELoss loss_fn{ctnn::Reduction::Sum};
  auto count = [&](auto& optimizer) {
    return allocations_after_first([&] {
      auto y_pred = model(x);
      (void)loss_fn(y_pred, y);
      optimizer.zero_grad();
      model.backward(loss_fn.grad(y_pred, y));
      optimizer.step();
    });
  };
  ctnn::optim::Adam adam{model, {.lr = 1e-4}};
  CHECK(count(adam) == 0);
  ctnn::optim::RMSprop rmsprop{model, {.momentum = 0.9, .centered = true}};
  CHECK(count(rmsprop) == 0);
  ctnn::optim::AdamW adamw{model};
  CHECK(count(adamw) == 0);
  ctnn::optim::Adagrad adagrad{model};
  CHECK(count(adagrad) == 0);
}

TEST_CASE("the counter counts") {
  CHECK(ctnn_test::allocations_in([] {
          int* volatile p = new int(3);  // volatile: -O1 would elide a new/delete pair
          delete p;
        }) == 1);
  CHECK(ctnn_test::allocations_in([] { Eigen::VectorXf v(100); v.setZero(); }) == 1);  // Eigen's own malloc
}
