// The core layers and Sequential against PyTorch: values and all gradients, in float and
// double, on committed reference data (tests/reference/generate.py), also at magnitude 1e4.
#include <catch2/catch.hpp>
#include <ctnn/core/sequential.hpp>
#include <ctnn/core/shared.hpp>
#include <ctnn/init/reset.hpp>
#include <ctnn/layers/activations.hpp>
#include <ctnn/layers/centered.hpp>
#include <ctnn/layers/flatten.hpp>
#include <ctnn/layers/linear.hpp>
#include <ctnn/layers/softmax.hpp>
#include <ctnn/testing/gradcheck.hpp>

#include <memory>
#include <vector>
#include <string>

#include "torch_compare.hpp"

using namespace ctnn_test;

namespace {

/// Runs `layer` on the case's x and grad_out and compares y, dL/dx and every parameter's
/// gradient with PyTorch's (the parameters are loaded from the case first).
template <class S, int F, int B, class L>
void compare_with_torch(const std::string& case_name, L& layer) {
  INFO("reference case " << case_name << " in " << (sizeof(S) == 4 ? "float" : "double"));
  const Reference ref = load_reference(case_name);
  load_parameters(layer, ref);
  ctnn::zero_grad(layer);
  const auto x = batch_from<Eigen::Matrix<S, F, B>>(ref.tensor("x"));
  const auto y = layer.forward(x);
  using Y = std::remove_cvref_t<decltype(y)>;
  CHECK(relative_error(y, batch_from<Y>(ref.tensor("y"))) <= tolerance<S>);
  if (!ref.has("grad_out")) return;
  const auto g = batch_from<Y>(ref.tensor("grad_out"));
  Eigen::Matrix<S, F, B> dx;
  if constexpr (requires { layer.backward(g); }) {
    dx = layer.backward(g);
  } else {
    dx = layer.backward(x, y, g);
  }
  CHECK(relative_error(dx, batch_from<Eigen::Matrix<S, F, B>>(ref.tensor("grad_x"))) <= tolerance<S>);
  ctnn::named_parameters(layer, [&](std::string_view name, auto& p) {
    INFO("gradient of " << name);
    using M = std::remove_cvref_t<decltype(p.grad)>;
    const auto expected = parameter_from<M>(ref.tensor("grad." + std::string(name)), p.grad.rows(), p.grad.cols());
    CHECK(relative_error(p.grad, expected) <= tolerance<S>);
  });
}

template <class L, int F = 6, int B = 4>
void compare_activation(const std::string& case_name, const L& proto = L{}) {
  L f = proto;
  compare_with_torch<float, F, B>(case_name, f);
  L d = proto;
  compare_with_torch<double, F, B>(case_name, d);
}

}  // namespace

TEST_CASE("Linear agrees with torch.nn.Linear", "[linear][torch]") {
  ctnn::Linear<5, 3, true, float> f;
  compare_with_torch<float, 5, 4>("linear", f);
  ctnn::Linear<5, 3, true, double> d;
  compare_with_torch<double, 5, 4>("linear", d);
  ctnn::Linear<5, 3, false, double> nobias;
  compare_with_torch<double, 5, 4>("linear_nobias", nobias);
  ctnn::Linear<5, 3, false, float> nobias_f;
  compare_with_torch<float, 5, 4>("linear_nobias", nobias_f);
}

TEST_CASE("Linear(100, 50) on a (140, 100) batch gives (140, 50) as in PyTorch", "[linear][torch][seed]") {
  auto layer = std::make_unique<ctnn::Linear<100, 50>>();
  const Reference ref = load_reference("seed_linear_100_50");
  load_parameters(*layer, ref);
  const auto x = batch_from<ctnn::Batch<float, 100, 140>>(ref.tensor("x"));
  const auto y = layer->forward(x);
  STATIC_REQUIRE(decltype(y)::RowsAtCompileTime == 50);
  STATIC_REQUIRE(decltype(y)::ColsAtCompileTime == 140);
  CHECK(relative_error(y, batch_from<ctnn::Batch<float, 50, 140>>(ref.tensor("y"))) <= 1e-5);
}

TEST_CASE("every activation agrees with PyTorch", "[activations][torch]") {
  compare_activation<ctnn::ReLU>("relu");
  compare_activation<ctnn::LeakyReLU>("leaky_relu");
  compare_activation<ctnn::LeakyReLU>("leaky_relu_0_2", ctnn::LeakyReLU{0.2});
  compare_activation<ctnn::Sigmoid>("sigmoid");
  compare_activation<ctnn::Tanh>("tanh");
  compare_activation<ctnn::GELU>("gelu");
  compare_activation<ctnn::GELUTanh>("gelu_tanh");
  compare_activation<ctnn::SiLU>("silu");
  compare_activation<ctnn::ELU>("elu");
  compare_activation<ctnn::Softplus>("softplus");
  compare_activation<ctnn::Softmax>("softmax");
  compare_activation<ctnn::LogSoftmax>("log_softmax");
  compare_activation<ctnn::Identity>("identity");
  compare_activation<ctnn::Centered>("centered");
}

TEST_CASE("activations stay finite and agree with PyTorch for inputs of magnitude 1e4", "[activations][torch][stability]") {
  compare_activation<ctnn::ReLU>("relu_large");
  compare_activation<ctnn::LeakyReLU>("leaky_relu_large");
  compare_activation<ctnn::LeakyReLU>("leaky_relu_0_2_large", ctnn::LeakyReLU{0.2});
  compare_activation<ctnn::Sigmoid>("sigmoid_large");
  compare_activation<ctnn::Tanh>("tanh_large");
  compare_activation<ctnn::GELU>("gelu_large");
  compare_activation<ctnn::GELUTanh>("gelu_tanh_large");
  compare_activation<ctnn::SiLU>("silu_large");
  compare_activation<ctnn::ELU>("elu_large");
  compare_activation<ctnn::Softplus>("softplus_large");
  compare_activation<ctnn::Softmax>("softmax_large");
  compare_activation<ctnn::LogSoftmax>("log_softmax_large");
  compare_activation<ctnn::Identity>("identity_large");

  // and nothing non-finite anywhere, in float, forward and backward
  Eigen::Matrix<float, 4, 2> x;
  x << -1e4f, 1e4f, -3e3f, 3e3f, -50.f, 50.f, 1e4f, -1e4f;
  const Eigen::Matrix<float, 4, 2> g = Eigen::Matrix<float, 4, 2>::Ones();
  auto finite = [&](auto layer) {
    const auto y = layer.forward(x);
    const auto dx = layer.backward(x, y, g);
    return y.allFinite() && dx.allFinite();
  };
  CHECK(finite(ctnn::Sigmoid{}));
  CHECK(finite(ctnn::Tanh{}));
  CHECK(finite(ctnn::GELU{}));
  CHECK(finite(ctnn::GELUTanh{}));
  CHECK(finite(ctnn::SiLU{}));
  CHECK(finite(ctnn::ELU{}));
  CHECK(finite(ctnn::Softplus{}));
  CHECK(finite(ctnn::Softmax{}));
  CHECK(finite(ctnn::LogSoftmax{}));
}

TEST_CASE("Sequentials agree with nn.Sequential, nested ones included", "[sequential][torch]") {
  SECTION("Linear then Centered, as in the seed: output mean ~0") {
    ctnn::Sequential<ctnn::Linear<8, 128, true, float>, ctnn::Centered> f;
    compare_with_torch<float, 8, 4>("seq_linear_centered", f);
    ctnn::Sequential<ctnn::Linear<8, 128, true, double>, ctnn::Centered> d;
    compare_with_torch<double, 8, 4>("seq_linear_centered", d);
    const auto y = f(ctnn::Batch<float, 8, 4>::Random());
    CHECK(std::abs(y.mean()) < 1e-6);
  }
  SECTION("a deep MLP with every kind of link") {
    using Net = ctnn::Sequential<ctnn::Linear<6, 16>, ctnn::ReLU, ctnn::Linear<16, 16>, ctnn::Tanh,
                                 ctnn::Linear<16, 8>, ctnn::GELU, ctnn::Linear<8, 3>, ctnn::LogSoftmax>;
    Net f;
    compare_with_torch<float, 6, 5>("deep_mlp", f);
    ctnn::with_scalar<Net, double> d;
    compare_with_torch<double, 6, 5>("deep_mlp", d);
  }
  SECTION("a Sequential inside a Sequential") {
    using Net = ctnn::Sequential<ctnn::Linear<4, 6>, ctnn::Sequential<ctnn::Linear<6, 6>, ctnn::ReLU>, ctnn::Linear<6, 2>>;
    Net f;
    compare_with_torch<float, 4, 4>("nested", f);
    ctnn::with_scalar<Net, double> d;
    compare_with_torch<double, 4, 4>("nested", d);
  }
}

// ---- samples of several dimensions ----------------------------------------------------------

TEST_CASE("Linear acts on the last dimension of (T, F) samples as torch.nn.Linear", "[linear][shapes][torch]") {
  // x (4, 6, 5): 4 samples of (T, F) = (6, 5); y (4, 6, 3)
  ctnn::Linear<5, 3> f;
  compare_with_torch<float, 30, 4>("linear_last_dim", f);
  ctnn::Linear<5, 3, true, double> d;
  compare_with_torch<double, 30, 4>("linear_last_dim", d);
  using Net = ctnn::with_input<ctnn::Sequential<ctnn::Linear<5, 3>>, 6, 5>;
  static_assert(Net::in_shape == ctnn::shape_of<6, 5> && Net::out_shape == ctnn::shape_of<6, 3>);
  Net net;
  ctnn::layer<0>(net) = f;  // the weights loaded from the case
  const Reference ref = load_reference("linear_last_dim");
  const auto x = batch_from<Eigen::Matrix<float, 30, 4>>(ref.tensor("x"));
  CHECK(relative_error(net.forward(x), batch_from<Eigen::Matrix<float, 18, 4>>(ref.tensor("y"))) <= tolerance<float>);
  CHECK(relative_error(net.infer(x), batch_from<Eigen::Matrix<float, 18, 4>>(ref.tensor("y"))) <= tolerance<float>);
}

TEST_CASE("Unflatten, Flatten, Linear<any, N> and Softmax(dim=-1) agree with PyTorch", "[shapes][torch]") {
  using Net = ctnn::with_input<ctnn::Sequential<ctnn::Unflatten<3, 4>, ctnn::Tanh, ctnn::Linear<4, 2>, ctnn::Flatten,
                                                ctnn::Linear<ctnn::any, 3>, ctnn::Softmax>,
                               12>;
  static_assert(std::is_same_v<std::tuple_element_t<4, Net::child_types>, ctnn::Linear<6, 3>>);
  static_assert(Net::out_shape == ctnn::shape_of<3>);
  auto f = std::make_unique<Net>();
  compare_with_torch<float, 12, 5>("shapes_chain", *f);
  auto d = std::make_unique<ctnn::with_scalar<Net, double>>();
  compare_with_torch<double, 12, 5>("shapes_chain", *d);

  // (T, F) = (2, 4): LogSoftmax and Softmax over F
  using Seq = ctnn::with_input<ctnn::Sequential<ctnn::Linear<4, 5>, ctnn::LogSoftmax, ctnn::Linear<5, 2>, ctnn::Softmax>, 2, 4>;
  auto sf = std::make_unique<Seq>();
  compare_with_torch<float, 8, 3>("softmax_last_dim", *sf);
  auto sd = std::make_unique<ctnn::with_scalar<Seq, double>>();
  compare_with_torch<double, 8, 3>("softmax_last_dim", *sd);
}

// ---- shared parameters ----------------------------------------------------------------------

TEST_CASE("a layer used twice (ctnn::Shared) agrees with PyTorch's shared module", "[shared][torch]") {
  // --8<-- [start:shared]
  // shared = nn.Linear(8, 8)
  // net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(), nn.Linear(8, 1))
  using Net = ctnn::Sequential<ctnn::Linear<4, 8>, ctnn::ReLU, ctnn::Linear<8, 8>, ctnn::ReLU,
                               ctnn::Shared<2>, ctnn::ReLU, ctnn::Linear<8, 1>>;
  static_assert(ctnn::parameter_count<Net> == (4 * 8 + 8) + (8 * 8 + 8) + (8 + 1));  // the shared one once
  Net net;
  CHECK(&ctnn::layer<2>(net) == &ctnn::layer<4>(net));  // one object, as net[2] is net[4]
  // --8<-- [end:shared]
  std::vector<std::string> names;
  ctnn::named_parameters(net, [&](std::string_view n, auto&) { names.emplace_back(n); });
  CHECK(names == std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias", "6.weight", "6.bias"});
  // values and gradients: both uses add up in the one .grad
  compare_with_torch<float, 4, 2>("shared_d2l", net);
  ctnn::with_scalar<Net, double> d;
  compare_with_torch<double, 4, 2>("shared_d2l", d);
}
