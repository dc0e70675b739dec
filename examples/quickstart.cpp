// The seeds' first networks in ctnn: a layer without parameters (Centered), Linear then
// Centered, Linear(100, 50) on a batch of 140, and a stack of Linear and ReLU. Prints shapes
// and values; returns non-zero if one of its own checks fails.
#include <cmath>
#include <cstdio>
#include <iostream>

#include <ctnn/ctnn.hpp>

int main() {
  int failures = 0;
  auto check = [&failures](bool ok, const char* what) {
    std::printf("%s %s\n", ok ? "ok:  " : "FAIL:", what);
    if (!ok) ++failures;
  };
  ctnn::manual_seed(0);

  // --8<-- [start:centered]
  // layer(torch.FloatTensor([1, 2, 3, 4, 5])): a layer without parameters.
  ctnn::Centered layer;
  Eigen::Matrix<float, 5, 1> v{1, 2, 3, 4, 5};
  auto centered = layer.forward(v);  // -2 -1 0 1 2
  // --8<-- [end:centered]
  std::cout << "Centered()([1, 2, 3, 4, 5]) = " << centered.transpose() << "\n";
  check(centered.isApprox(Eigen::Matrix<float, 5, 1>{-2, -1, 0, 1, 2}), "Centered subtracts the mean");

  // --8<-- [start:linear_centered]
  // net = nn.Sequential(nn.Linear(8, 128), CenteredLayer()); Y = net(torch.rand(4, 8))
  using Net = ctnn::Sequential<ctnn::Linear<8, 128>, ctnn::Centered>;
  static_assert(Net::in_features == 8 && Net::out_features == 128);

  Net net;
  ctnn::Batch<float, 8, 4> x = (ctnn::Batch<float, 8, 4>::Random().array() + 1) / 2;  // 4 samples in [0, 1)
  ctnn::Batch<float, 128, 4> y = net(x);                                                // 128 x 4
  std::cout << "Y.mean() = " << y.mean() << "\n";                                       // ~0
  // --8<-- [end:linear_centered]
  check(std::abs(y.mean()) < 1e-6f, "the output of Linear then Centered has mean ~0");

  // --8<-- [start:linear_100_50]
  // nn1 = torch.nn.Linear(100, 50); output1 = nn1(torch.randn(140, 100)); output1.size()
  ctnn::Linear<100, 50> nn1;
  ctnn::Batch<float, 100, 140> input1 = ctnn::Batch<float, 100, 140>::Random();
  auto output1 = nn1.forward(input1);  // ctnn::Batch<float, 50, 140>
  std::cout << "Linear(100, 50) on 140 samples of 100: " << output1.cols() << " samples of "
            << output1.rows() << " features\n";
  // --8<-- [end:linear_100_50]
  static_assert(decltype(output1)::RowsAtCompileTime == 50 && decltype(output1)::ColsAtCompileTime == 140);
  check(output1.col(7).isApprox(nn1.weight.value * input1.col(7) + nn1.bias.value), "Linear computes W x + b");

  // --8<-- [start:mlp]
  // A stack of Linear and ReLU, trained one step by hand: forward, backward, look at .grad.
  ctnn::Sequential<ctnn::Linear<64, 8>, ctnn::ReLU, ctnn::Linear<8, 1>> mlp;
  ctnn::Batch<float, 64, 2> x2 = ctnn::Batch<float, 64, 2>::Random();
  auto out = mlp(x2);                                          // 1 x 2
  mlp.backward(ctnn::Batch<float, 1, 2>::Ones());              // d(sum of outputs)/d(everything)
  ctnn::named_parameters(mlp, [](std::string_view name, const auto& p) {
    std::cout << name << ": " << p.value.rows() << " x " << p.value.cols()
              << ", |grad| = " << p.grad.norm() << "\n";
  });
  // --8<-- [end:mlp]
  std::cout << "mlp(x) = " << out << "\n";
  check(ctnn::layer<2>(mlp).bias.grad(0) == 2.0f, "the last bias gets one unit of gradient per sample");
  check(ctnn::parameter_count<decltype(mlp)> == 64 * 8 + 8 + 8 + 1, "parameter_count counts weights and biases");

  std::printf("%s\n", failures == 0 ? "quickstart: all checks passed" : "quickstart: some checks FAILED");
  return failures == 0 ? 0 : 1;
}
