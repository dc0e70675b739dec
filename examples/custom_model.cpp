// Seed 002 ("a custom model, and train it") in ctnn: MyLayer y = (x^2 + bias) W, a model
// MyNet holding it as `mylayer1`, print(model), the seed's training loop (MSELoss(sum),
// Adam(lr=1e-4), 10 epochs), and the model's summary with its numbers checked by the
// compiler. MyLayer and MyNet are in examples/seed_layers.hpp. Returns non-zero if one of
// its own checks fails.
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
  using seeds::D_in, seeds::D_out, seeds::N;

  // --8<-- [start:print]
  // model = MyNet(); print(model)
  ctnn::manual_seed(1);
  seeds::MyNet model;
  std::cout << model << "\n";
  // MyNet(
  //   (mylayer1): MyLayer()
  // )
  // --8<-- [end:print]
  std::ostringstream printed;
  printed << model;
  check(printed.str() == "MyNet(\n  (mylayer1): MyLayer()\n)", "print(model) is PyTorch's");

  // --8<-- [start:train]
  // x = torch.randn(N, D_in); y = torch.randn(N, D_out)
  ctnn::Generator gen(2);
  ctnn::Batch<float, D_in, N> x;
  ctnn::Batch<float, D_out, N> y;
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = float(gen.normal());
  for (Eigen::Index i = 0; i < y.size(); ++i) y.data()[i] = float(gen.normal());

  ctnn::MSELoss loss_fn{ctnn::Reduction::Sum};
  ctnn::optim::Adam optimizer{model, {.lr = 1e-4}};
  float first = 0, last = 0;
  for (int t = 0; t < 10; ++t) {
    auto y_pred = model(x);                  // forward: mylayer1 keeps x for backward
    float loss = loss_fn(y_pred, y);
    std::cout << "epoch " << t << ", loss " << loss << "\n";
    optimizer.zero_grad();
    model.backward(loss_fn.grad(y_pred, y)); // loss.backward()
    optimizer.step();
    (t == 0 ? first : last) = loss;
  }
  // --8<-- [end:train]
  check(last < first, "ten Adam steps lower the loss");

  // --8<-- [start:names]
  ctnn::named_parameters(model, [](std::string_view name, const auto& p) {
    std::cout << name << ": (" << p.value.rows() << ", " << p.value.cols() << ")\n";
  });
  // mylayer1.weight: (5, 3)
  // mylayer1.bias: (5, 1)   -- a 1-D tensor of 5, as PyTorch's bias (In)
  // --8<-- [end:names]

  // --8<-- [start:summary]
  constexpr auto s = ctnn::summary<seeds::MyNet>();
  static_assert(s.total_params == D_in * D_out + D_in);  // checked by the compiler
  static_assert(s.flops_per_sample < 100);
  std::cout << s;
  // --8<-- [end:summary]
  check(s.rows[1].name.view() == "mylayer1", "the summary names the member");

  // --8<-- [start:nobias]
  // MyLayer(5, 3, bias=False): register_parameter('bias', None)
  seeds::MyLayer<5, 3, /*Bias=*/false> no_bias;
  static_assert(ctnn::parameter_count<decltype(no_bias)> == 15);
  ctnn::named_parameters(no_bias, [](std::string_view name, const auto&) { std::cout << name << "\n"; });  // weight
  // --8<-- [end:nobias]

  std::printf("%s\n", failures == 0 ? "custom_model: all checks passed" : "custom_model: some checks FAILED");
  return failures == 0 ? 0 : 1;
}
