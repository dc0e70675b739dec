// Seed 000 ("a layer with its own backward") in ctnn, and the checks that need no training:
// ctnn::testing::gradcheck on hand-written backwards (one of them wrong on purpose), a layer
// whose backward is derived automatically (Elementwise, Mish), Dropout in train and eval
// mode, and initialisation. Returns non-zero if one of its own checks fails.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "seed_layers.hpp"

// --8<-- [start:mish]
// Mish(x) = x * tanh(softplus(x)), written once: ctnn::Elementwise derives its backward.
struct Mish {
  template <class T>
  T operator()(T x) const {
    using std::exp, std::log1p, std::tanh;  // unqualified calls: std for T = float, double,
    return x * tanh(x > T(20) ? x : log1p(exp(x)));  // ctnn's for the dual numbers
  }
};
using MishLayer = ctnn::Elementwise<Mish>;  // prints as "Mish()"
// --8<-- [end:mish]

// --8<-- [start:wrong]
// A bug a gradient check catches: d(x^2)/dx taken as x instead of 2x.
struct BuggyLayer : seeds::MyLayer<4, 2, true, double> {
  template <class X, class Y, class G>
  ctnn::batch_like<G, 4> backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>& y,
                                  const Eigen::MatrixBase<G>& dy) {
    return (MyLayer::backward(x, y, dy) / 2).eval();
  }
};
// --8<-- [end:wrong]

int main() {
  int failures = 0;
  auto check = [&failures](bool ok, const char* what) {
    std::printf("%s %s\n", ok ? "ok:  " : "FAIL:", what);
    if (!ok) ++failures;
  };

  // --8<-- [start:seed000]
  // layer = MyLayer(in_features=10, out_features=5); output = layer.forward(input)
  // grad_input = layer.backward(grad): the seed's layer keeps x itself (self.x = x)
  seeds::StatefulLinear<10, 5> layer;
  ctnn::Batch<float, 10, 3> input = ctnn::Batch<float, 10, 3>::Random();  // 3 columns = 3 samples
  auto output = layer.forward(input);                                     // 5 x 3
  auto grad_input = layer.backward(ctnn::Batch<float, 5, 3>::Ones());     // 10 x 3
  std::cout << "grad_weight = grad x^T:\n" << layer.weight.grad << "\n";
  // --8<-- [end:seed000]
  check(layer.weight.grad.isApprox(ctnn::Batch<float, 5, 3>::Ones() * input.transpose()), "grad_weight = grad x^T");
  check(grad_input.isApprox(layer.weight.value.transpose() * ctnn::Batch<float, 5, 3>::Ones()), "grad_input = W^T grad");
  check(output.cols() == 3, "one output column per sample");

  // --8<-- [start:gradcheck]
  // Every backward above compared with finite differences, in double.
  Eigen::Matrix<double, 4, 3> x = Eigen::Matrix<double, 4, 3>::Random();
  ctnn::with_scalar<seeds::StatefulLinear<4, 2>, double> seed000;
  ctnn::with_scalar<seeds::MyNet, double> mynet;
  seeds::MyLinear<4, 2, double> mylinear;
  MishLayer mish;
  for (const auto& result : {ctnn::testing::gradcheck(seed000, x), ctnn::testing::gradcheck(mylinear, x),
                             ctnn::testing::gradcheck(mish, x),
                             ctnn::testing::gradcheck(mynet, Eigen::Matrix<double, 5, 3>::Random().eval())})
    std::cout << result.message() << "\n";

  BuggyLayer buggy;
  auto result = ctnn::testing::gradcheck(buggy, x);
  std::cout << result.message() << "\n";
  // gradcheck FAILED (...); worst input[...]: backward gives ..., finite differences ...
  // --8<-- [end:gradcheck]
  check(ctnn::testing::gradcheck(seed000, x).ok && ctnn::testing::gradcheck(mylinear, x).ok &&
            ctnn::testing::gradcheck(mish, x).ok,
        "the seeds' backwards and Mish's derived one pass gradcheck");
  check(!result.ok && result.worst.rfind("input[", 0) == 0, "gradcheck catches the wrong derivative of x^2");

  // --8<-- [start:dropout]
  // model.train() / model.eval(): Dropout zeroes elements in training only
  ctnn::Sequential<ctnn::Linear<4, 64, true, double>, MishLayer, ctnn::Dropout, ctnn::Linear<64, 1, true, double>>
      net;
  ctnn::layer<2>(net) = ctnn::Dropout(0.5);
  ctnn::manual_seed(net, 42);                        // reproducible masks
  auto train_out = net(x);                           // random: half the features dropped
  net.eval();
  auto eval_out = net(x);                            // deterministic: the expectation
  std::cout << net << "\ntrain: " << train_out << "\neval:  " << eval_out << "\n";
  net.train();
  std::cout << ctnn::testing::gradcheck(net, x).message() << "\n";  // one mask for all evaluations
  // --8<-- [end:dropout]
  check(eval_out.isApprox(net.infer(x)), "eval forward equals infer");
  check(!train_out.isApprox(eval_out), "training mode drops features");
  check(ctnn::testing::gradcheck(net, x).ok, "a network with Dropout passes gradcheck in training mode");

  // --8<-- [start:init]
  // torch.nn.init on one parameter, or on every parameter of a model
  ctnn::init::kaiming_normal_(ctnn::layer<0>(net).weight, 0.0, ctnn::init::FanMode::fan_in,
                              ctnn::init::Nonlinearity::relu);
  ctnn::init::xavier_uniform_(net);  // every 2-D weight; biases stay as they are
  ctnn::init::zeros_(ctnn::layer<3>(net).bias);
  ctnn::init::reset_parameters(net, /*seed=*/7);  // back to PyTorch's defaults, reproducibly
  // --8<-- [end:init]
  const double bound = std::sqrt(6.0 / (4 + 64));
  check(ctnn::layer<0>(net).weight.value.cwiseAbs().maxCoeff() <= 1.0 / std::sqrt(4.0), "reset_parameters is Linear's default");
  ctnn::init::xavier_uniform_(net);
  check(ctnn::layer<0>(net).weight.value.cwiseAbs().maxCoeff() <= bound, "xavier_uniform_ stays within its bound");

  std::printf("%s\n", failures == 0 ? "checking_gradients: all checks passed" : "checking_gradients: some checks FAILED");
  return failures == 0 ? 0 : 1;
}
