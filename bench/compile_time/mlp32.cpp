// Compile-time benchmark: a 32-layer MLP (32 Linear<32, 32> with ReLU between: 63 layers in one
// Sequential), with inference, training forward, MSELoss, backward and Adam.
// The headers this needs, as a user who cares about build times includes them (the umbrella
// <ctnn/ctnn.hpp> adds io/ and the rest).
#include <ctnn/core/sequential.hpp>
#include <ctnn/layers/activations.hpp>
#include <ctnn/layers/linear.hpp>
#include <ctnn/loss/mse.hpp>
#include <ctnn/optim/adam.hpp>
#include <memory>
#include <utility>

using Mlp32 = ctnn::Sequential<
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>,
    ctnn::ReLU,
    ctnn::Linear<32, 32>>;
static_assert(Mlp32::size == 63);

int main() {
  auto net = std::make_unique<Mlp32>();
  ctnn::optim::Adam opt{*net, {.lr = 1e-3}};
  ctnn::MSELoss<> loss;
  ctnn::Batch<float, 32, 16> x = ctnn::Batch<float, 32, 16>::Ones(), t = ctnn::Batch<float, 32, 16>::Zero();
  float s = std::as_const(*net).infer(x.col(0).eval())(0);
  opt.zero_grad();
  auto y = net->forward(x);
  s += loss(y, t);
  net->backward(loss.grad(y, t));
  opt.step();
  return s > 1e30f;
}
