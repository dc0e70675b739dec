// Seed 001 ("custom layers") in ctnn: a layer without parameters (CenteredLayer), a layer
// with parameters (MyLinear), both used alone and inside Sequential, their parameters
// reached by name, and print(model). The layers are in examples/seed_layers.hpp. Returns
// non-zero if one of its own checks fails.
#include <cmath>
#include <cstdio>
#include <iostream>
#include <sstream>

#include "seed_layers.hpp"

int main() {
  int failures = 0;
  auto check = [&failures](bool ok, const char* what) {
    std::printf("%s %s\n", ok ? "ok:  " : "FAIL:", what);
    if (!ok) ++failures;
  };
  ctnn::manual_seed(0);

  // --8<-- [start:centered]
  // layer = CenteredLayer(); layer(torch.FloatTensor([1, 2, 3, 4, 5]))
  seeds::CenteredLayer layer;
  Eigen::Matrix<float, 5, 1> v{1, 2, 3, 4, 5};
  auto centered = layer.forward(v);  // [-2, -1, 0, 1, 2]

  // net = nn.Sequential(nn.Linear(8, 128), CenteredLayer()); Y = net(torch.rand(4, 8)); Y.mean()
  ctnn::Sequential<ctnn::Linear<8, 128>, seeds::CenteredLayer> net;
  ctnn::Batch<float, 8, 4> X = (ctnn::Batch<float, 8, 4>::Random().array() + 1) / 2;
  auto Y = net(X);  // ctnn::Batch<float, 128, 4>
  std::cout << "Y.mean() = " << Y.mean() << "\n";
  // --8<-- [end:centered]
  check(centered.isApprox(Eigen::Matrix<float, 5, 1>{-2, -1, 0, 1, 2}), "CenteredLayer subtracts the mean");
  check(std::abs(Y.mean()) < 1e-6f, "Linear then CenteredLayer gives mean 0 (up to rounding)");

  // --8<-- [start:mylinear]
  // linear = MyLinear(5, 3); linear.weight
  seeds::MyLinear<5, 3> linear;
  std::cout << "linear.weight (5, 3):\n" << linear.weight.value << "\n";
  ctnn::named_parameters(linear, [](std::string_view name, const auto& p) {
    std::cout << name << ": requires_grad=" << std::boolalpha << p.requires_grad << "\n";
  });

  // linear(torch.rand(2, 5)): forward on 2 samples
  ctnn::Batch<float, 5, 2> x = (ctnn::Batch<float, 5, 2>::Random().array() + 1) / 2;
  std::cout << "linear(x) =\n" << linear.forward(x) << "\n";

  // net = nn.Sequential(MyLinear(64, 8), MyLinear(8, 1)); net(torch.rand(2, 64))
  ctnn::manual_seed(3);  // randn weights: a seed whose relu outputs are not all zero
  ctnn::Sequential<seeds::MyLinear<64, 8>, seeds::MyLinear<8, 1>> net2;
  ctnn::Batch<float, 64, 2> x2 = (ctnn::Batch<float, 64, 2>::Random().array() + 1) / 2;
  std::cout << "net(x) = " << net2(x2) << "\n" << net2 << "\n";
  // --8<-- [end:mylinear]
  const Eigen::Matrix<float, 3, 2> expected =
      ((linear.weight.value.transpose() * x).colwise() + linear.bias.value).cwiseMax(0.0f);
  check(linear.forward(x).isApprox(expected), "MyLinear computes relu(x W + b)");
  check(ctnn::parameter_count<decltype(net2)> == 64 * 8 + 8 + 8 + 1, "the Sequential counts both layers' parameters");
  std::ostringstream printed;
  printed << net2;
  check(printed.str() == "Sequential(\n  (0): MyLinear()\n  (1): MyLinear()\n)", "print(net) reads as PyTorch's");

  // --8<-- [start:backward]
  // One backward through the Sequential: every parameter's .grad is filled.
  net2.backward(ctnn::Batch<float, 1, 2>::Ones());
  ctnn::named_parameters(net2, [](std::string_view name, const auto& p) {
    std::cout << name << " " << p.value.rows() << "x" << p.value.cols() << " |grad| = " << p.grad.norm() << "\n";
  });
  // --8<-- [end:backward]
  const auto& last = ctnn::layer<1>(net2);
  const auto active = (net2(x2).array() > 0).count();  // samples whose relu lets gradient through
  check(active > 0, "with this seed some output is not zero");
  check(last.bias.grad(0) == float(active) && ctnn::layer<0>(net2).weight.grad.norm() > 0,
        "backward reaches every layer: one unit of bias gradient per active sample");

  std::printf("%s\n", failures == 0 ? "custom_layers: all checks passed" : "custom_layers: some checks FAILED");
  return failures == 0 ? 0 : 1;
}
