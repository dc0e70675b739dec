// Compile-time benchmark: networks A-D in ctnn, with inference, a training forward, MSELoss,
// backward and Adam, for one sample and a batch of 32. Compiled by bench/compile_time.sh beside
// nets_eigen.cpp, which does the same with the hand-written yardstick.
// The headers this needs, as a user who cares about build times includes them (the umbrella
// <ctnn/ctnn.hpp> adds io/ and the rest).
#include <ctnn/core/sequential.hpp>
#include <ctnn/layers/activations.hpp>
#include <ctnn/layers/linear.hpp>
#include <ctnn/loss/mse.hpp>
#include <ctnn/optim/adam.hpp>
#include <memory>
#include <utility>

namespace {
using NetA = ctnn::Sequential<ctnn::Linear<8, 128>, ctnn::ReLU, ctnn::Linear<128, 128>, ctnn::ReLU, ctnn::Linear<128, 1>>;
using NetB = ctnn::Sequential<ctnn::Linear<1, 8>, ctnn::Tanh, ctnn::Linear<8, 8>, ctnn::Tanh, ctnn::Linear<8, 1>>;
using NetC = ctnn::Sequential<ctnn::Linear<64, 8>, ctnn::ReLU, ctnn::Linear<8, 1>>;
using NetD = ctnn::Sequential<ctnn::Linear<16, 64>, ctnn::Tanh, ctnn::Linear<64, 64>, ctnn::Tanh,
                              ctnn::Linear<64, 64>, ctnn::Tanh, ctnn::Linear<64, 4>>;

template <class Net>
float exercise() {
  Net net;
  ctnn::optim::Adam opt{net, {.lr = 1e-3}};
  ctnn::MSELoss<> loss;
  ctnn::Sample<float, Net::in_features> x = ctnn::Sample<float, Net::in_features>::Ones();
  ctnn::Batch<float, Net::in_features, 32> xb = ctnn::Batch<float, Net::in_features, 32>::Ones();
  ctnn::Batch<float, Net::out_features, 32> t = ctnn::Batch<float, Net::out_features, 32>::Zero();
  float s = std::as_const(net).infer(x)(0);
  opt.zero_grad();
  auto y = net.forward(xb);
  s += loss(y, t);
  net.backward(loss.grad(y, t));
  opt.step();
  return s;
}
}  // namespace

int main() { return exercise<NetA>() + exercise<NetB>() + exercise<NetC>() + exercise<NetD>() > 1e30f; }
