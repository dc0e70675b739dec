// ctnn::Residual and ctnn::Concat against PyTorch's `class Residual(nn.Sequential)` and
// `class Concat(nn.ModuleList)` (tests/reference/generate.py, group "containers"): values and
// every gradient in float and double, gradcheck, print(model), state_dict names, summary, the
// fingerprint, safetensors and checkpoints through the one walker, and an SGD trajectory.
#include <catch2/catch.hpp>
#include <ctnn/ctnn.hpp>
#include <ctnn/layers/concat.hpp>
#include <ctnn/layers/residual.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "source_dir.hpp"
#include "torch_compare.hpp"
#include "prints.hpp"

using ctnn_test::golden;
using ctnn_test::printed;

using namespace ctnn_test;

namespace containers_test {

// ---- the models, as the reference script builds them ------------------------------------------

/// Residual(Linear(5, 8), ReLU, Linear(8, 5))
template <class S>
using ResidualFlat = ctnn::Residual<ctnn::Linear<5, 8, true, S>, ctnn::ReLU, ctnn::Linear<8, 5, true, S>>;

/// Sequential(Residual(Linear(4, 6), ReLU, Linear(6, 4))) on (T, F) = (5, 4) samples
template <class S>
using ResidualTime =
    ctnn::with_input<ctnn::Sequential<ctnn::Residual<ctnn::Linear<4, 6, true, S>, ctnn::ReLU, ctnn::Linear<6, 4, true, S>>>,
                     5, 4>;

/// Sequential(Concat([Sequential(Flatten, Linear(12, 8), Unflatten(1, (2, 4))),
///                    Sequential(Linear(4, 4), Tanh),
///                    Sequential(Flatten, Linear(12, 4), ReLU, Unflatten(1, (1, 4)))]),
///            Flatten, Linear(24, 3)) on (C, L) = (3, 4) samples: 2 + 3 + 1 channels
template <class S>
using ConcatChannels = ctnn::with_input<
    ctnn::Sequential<ctnn::Concat<ctnn::Sequential<ctnn::Flatten, ctnn::Linear<12, 8, true, S>, ctnn::Unflatten<2, 4>>,
                                  ctnn::Sequential<ctnn::Linear<4, 4, true, S>, ctnn::Tanh>,
                                  ctnn::Sequential<ctnn::Flatten, ctnn::Linear<12, 4, true, S>, ctnn::ReLU,
                                                   ctnn::Unflatten<1, 4>>>,
                     ctnn::Flatten, ctnn::Linear<24, 3, true, S>>,
    3, 4>;

// --8<-- [start:nested]
// nn.Sequential(nn.Linear(5, 6),
//               Concat([Residual(nn.Linear(6, 6), nn.Tanh()),
//                       nn.Sequential(nn.Linear(6, 3), nn.ReLU()),
//                       nn.Linear(6, 2)]),
//               nn.Linear(11, 2))
template <class S = float>
using Nested = ctnn::Sequential<ctnn::Linear<5, 6, true, S>,
                                ctnn::Concat<ctnn::Residual<ctnn::Linear<6, 6, true, S>, ctnn::Tanh>,
                                             ctnn::Sequential<ctnn::Linear<6, 3, true, S>, ctnn::ReLU>,
                                             ctnn::Linear<6, 2, true, S>>,
                                ctnn::Linear<11, 2, true, S>>;
// --8<-- [end:nested]

// ---- shapes, checked when the types are named --------------------------------------------------

static_assert(ResidualFlat<float>::in_shape == ctnn::shape_of<5> && ResidualFlat<float>::out_shape == ctnn::shape_of<5>);
static_assert(ctnn::Layer<ResidualFlat<float>> && ctnn::Layer<Nested<>>);
static_assert(ResidualTime<float>::out_shape == ctnn::shape_of<5, 4>);
// the Residual inside is bound to (5, 4): its body sees (5, 4), (5, 6), (5, 6), (5, 4)
using BoundResidual = std::tuple_element_t<0, ResidualTime<float>::child_types>;
static_assert(BoundResidual::in_shape == ctnn::shape_of<5, 4> && BoundResidual::child_input_shapes[1] == ctnn::shape_of<5, 6>);
using ConcatLayer = std::tuple_element_t<0, ConcatChannels<float>::child_types>;
static_assert(ConcatLayer::in_shape == ctnn::shape_of<3, 4> && ConcatLayer::out_shape == ctnn::shape_of<6, 4>);
static_assert(ConcatLayer::child_input_shapes[2] == ctnn::shape_of<3, 4> && ConcatLayer::child_input_shapes[3] == ctnn::shape_of<6, 4>);
static_assert(ConcatChannels<float>::out_shape == ctnn::shape_of<3>);
// flat branches: (6) + (3) + (2)
using NestedConcat = std::tuple_element_t<1, Nested<>::child_types>;
static_assert(NestedConcat::out_shape == ctnn::shape_of<11>);
static_assert(ctnn::parameter_count<Nested<>> == (5 * 6 + 6) + (6 * 6 + 6) + (6 * 3 + 3) + (6 * 2 + 2) + (11 * 2 + 2));
// a Residual of shape-polymorphic layers takes what arrives
static_assert(ctnn::Residual<ctnn::ReLU, ctnn::Tanh>::in_features == ctnn::any);
// the Concat of flat samples is torch.cat(dim=1) of (B, F_i): (4) + (4) = (8)
static_assert(ctnn::Concat<ctnn::Linear<3, 4>, ctnn::ReLU>::out_shape == ctnn::shape_of<7>);

// ---- PyTorch's values and gradients ------------------------------------------------------------

/// Runs `model` on the case's x and grad_out and compares y, dL/dx and every parameter's
/// gradient with PyTorch's (the parameters are loaded from the case first).
template <class S, int F, int B, class M>
void compare_with_torch(const std::string& case_name, M& model) {
  INFO("reference case " << case_name << " in " << (sizeof(S) == 4 ? "float" : "double"));
  const Reference ref = load_reference(case_name);
  load_parameters(model, ref);
  ctnn::zero_grad(model);
  const auto x = batch_from<Eigen::Matrix<S, F, B>>(ref.tensor("x"));
  const auto y = model.forward(x);
  using Y = std::remove_cvref_t<decltype(y)>;
  CHECK(relative_error(y, batch_from<Y>(ref.tensor("y"))) <= tolerance<S>);
  CHECK(relative_error(model.infer(x), batch_from<Y>(ref.tensor("y"))) <= tolerance<S>);
  const auto g = batch_from<Y>(ref.tensor("grad_out"));
  const Eigen::Matrix<S, F, B> dx = model.backward(g);
  CHECK(relative_error(dx, batch_from<Eigen::Matrix<S, F, B>>(ref.tensor("grad_x"))) <= tolerance<S>);
  std::size_t n = 0;
  ctnn::named_parameters(model, [&](std::string_view name, auto& p) {
    INFO("gradient of " << name);
    using P = std::remove_cvref_t<decltype(p.grad)>;
    const auto expected = parameter_from<P>(ref.tensor("grad." + std::string(name)), p.grad.rows(), p.grad.cols());
    CHECK(relative_error(p.grad, expected) <= tolerance<S>);
    ++n;
  });
  CHECK(n > 0);
  // the gradients of parameters only: the same, without the input's
  ctnn::zero_grad(model);
  model.forward(x);
  model.backward(g, ctnn::parameters_only);
  ctnn::named_parameters(model, [&](std::string_view name, auto& p) {
    INFO("parameters_only gradient of " << name);
    using P = std::remove_cvref_t<decltype(p.grad)>;
    const auto expected = parameter_from<P>(ref.tensor("grad." + std::string(name)), p.grad.rows(), p.grad.cols());
    CHECK(relative_error(p.grad, expected) <= tolerance<S>);
  });
}

template <class M>
std::vector<std::string> parameter_names(M& model) {
  std::vector<std::string> names;
  ctnn::named_parameters(model, [&](std::string_view n, auto&) { names.emplace_back(n); });
  return names;
}

/// Inputs away from ReLU's kink, so that finite differences see one side.
template <int F, int B>
Eigen::Matrix<double, F, B> away_from_kinks(unsigned seed) {
  std::srand(seed);
  Eigen::Matrix<double, F, B> x = Eigen::Matrix<double, F, B>::Random();
  for (Eigen::Index i = 0; i < x.size(); ++i)
    if (std::abs(x.data()[i]) < 0.1) x.data()[i] += x.data()[i] < 0 ? -0.2 : 0.2;
  return x;
}

}  // namespace containers_test
using namespace containers_test;

TEST_CASE("Residual agrees with PyTorch's Residual(nn.Sequential) on (F) and (T, F) samples", "[containers][residual][torch]") {
  auto f = std::make_unique<ResidualFlat<float>>();
  compare_with_torch<float, 5, 4>("residual_flat", *f);
  auto d = std::make_unique<ctnn::with_scalar<ResidualFlat<float>, double>>();
  static_assert(std::is_same_v<ctnn::with_scalar<ResidualFlat<float>, double>, ResidualFlat<double>>);
  compare_with_torch<double, 5, 4>("residual_flat", *d);
  CHECK(parameter_names(*f) == std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias"});

  auto tf = std::make_unique<ResidualTime<float>>();
  compare_with_torch<float, 20, 3>("residual_time", *tf);
  auto td = std::make_unique<ResidualTime<double>>();
  compare_with_torch<double, 20, 3>("residual_time", *td);
  CHECK(parameter_names(*tf) == std::vector<std::string>{"0.0.weight", "0.0.bias", "0.2.weight", "0.2.bias"});
}

TEST_CASE("Concat agrees with PyTorch's torch.cat(dim=1) of its branches on (C, L) samples", "[containers][concat][torch]") {
  auto f = std::make_unique<ConcatChannels<float>>();
  compare_with_torch<float, 12, 2>("concat_channels", *f);
  auto d = std::make_unique<ConcatChannels<double>>();
  compare_with_torch<double, 12, 2>("concat_channels", *d);
  CHECK(parameter_names(*f) == std::vector<std::string>{"0.0.1.weight", "0.0.1.bias", "0.1.0.weight", "0.1.0.bias",
                                                        "0.2.1.weight", "0.2.1.bias", "2.weight", "2.bias"});
}

TEST_CASE("a Residual inside a Concat inside a Sequential agrees with PyTorch", "[containers][torch]") {
  Nested<float> f;
  compare_with_torch<float, 5, 4>("containers_nested", f);
  Nested<double> d;
  compare_with_torch<double, 5, 4>("containers_nested", d);
  CHECK(parameter_names(f) == std::vector<std::string>{"0.weight", "0.bias", "1.0.0.weight", "1.0.0.bias", "1.1.0.weight",
                                                       "1.1.0.bias", "1.2.weight", "1.2.bias", "2.weight", "2.bias"});
  // a batch whose size is known only at run time
  const Reference ref = load_reference("containers_nested");
  const auto x = batch_from<Eigen::Matrix<float, 5, Eigen::Dynamic>>(ref.tensor("x"));
  CHECK(relative_error(f.forward(x), batch_from<Eigen::Matrix<float, 2, 4>>(ref.tensor("y"))) <= 1e-5);
}

TEST_CASE("gradcheck in double through Residual and Concat", "[containers][gradcheck]") {
  ResidualFlat<double> r;
  const auto rr = ctnn::testing::gradcheck(r, away_from_kinks<5, 3>(1));
  INFO(rr.message());
  CHECK(rr.ok);
  auto c = std::make_unique<ConcatChannels<double>>();
  const auto rc = ctnn::testing::gradcheck(*c, away_from_kinks<12, 2>(2));
  INFO(rc.message());
  CHECK(rc.ok);
  Nested<double> n;
  const auto rn = ctnn::testing::gradcheck(n, away_from_kinks<5, 3>(3));
  INFO(rn.message());
  CHECK(rn.ok);
  auto t = std::make_unique<ResidualTime<double>>();
  const auto rt = ctnn::testing::gradcheck(*t, away_from_kinks<20, 2>(4));
  INFO(rt.message());
  CHECK(rt.ok);
}

namespace containers_test {

/// Containers whose first layer needs the length of its input (a Conv1d): a causal Residual
/// block first in the network, a nested Sequential, a Concat of a conv chain and a conv.
template <class S>
using ConvBodies = ctnn::with_input<
    ctnn::Sequential<
        ctnn::Residual<ctnn::Conv1d<2, 2, 3, ctnn::ConvOptions{.padding = ctnn::causal, .dilation = 2}, S>>,
        ctnn::Sequential<ctnn::Conv1d<2, 3, 1, ctnn::ConvOptions{}, S>, ctnn::Tanh>,
        ctnn::Concat<ctnn::Sequential<ctnn::Conv1d<3, 2, 3, ctnn::ConvOptions{.padding = 1}, S>>,
                     ctnn::Conv1d<3, 1, 1, ctnn::ConvOptions{}, S>>,
        ctnn::Flatten>,
    2, 6>;
template <int In, class C>
using Alone = ctnn::with_input<ctnn::Sequential<C>, In, 6>;

/// The parameters of `from` named `prefix` + name copied into `to` (named as a one-layer net).
template <class From, class To>
void copy_layer(From& from, const std::string& prefix, To& to) {
  std::map<std::string, Eigen::Matrix<ctnn::scalar_of<From>, Eigen::Dynamic, Eigen::Dynamic>> v;
  ctnn::named_parameters(from, [&](std::string_view n, auto& p) { v[std::string(n)] = p.value; });
  int copied = 0;
  ctnn::named_parameters(to, [&](std::string_view n, auto& p) {
    p.value = v.at(prefix + std::string(n.substr(2)));  // "0.weight" -> prefix + "weight"
    ++copied;
  });
  REQUIRE(copied == 2);
}

}  // namespace containers_test

TEST_CASE("conv bodies and branches learn their input length from the network around them", "[containers][shapes]") {
  using namespace containers_test;
  using S = double;
  using Net = ConvBodies<S>;
  static_assert(Net::out_shape == ctnn::Shape(18));
  auto net = ctnn::make_model<Net>();
  // the same computation layer by layer, with the network's parameters
  Alone<2, ctnn::Conv1d<2, 2, 3, ctnn::ConvOptions{.padding = ctnn::causal, .dilation = 2}, S>> c0;
  Alone<2, ctnn::Conv1d<2, 3, 1, ctnn::ConvOptions{}, S>> c1;
  Alone<3, ctnn::Conv1d<3, 2, 3, ctnn::ConvOptions{.padding = 1}, S>> c2;
  Alone<3, ctnn::Conv1d<3, 1, 1, ctnn::ConvOptions{}, S>> c3;
  copy_layer(*net, "0.0.", c0);
  copy_layer(*net, "1.0.", c1);
  copy_layer(*net, "2.0.0.", c2);
  copy_layer(*net, "2.1.", c3);
  const Eigen::Matrix<S, 12, 3> x = away_from_kinks<12, 3>(7);
  const Eigen::Matrix<S, 12, 3> y0 = x + c0.forward(x);
  const Eigen::Matrix<S, 18, 3> y1 = c1.forward(y0).array().tanh().matrix();
  Eigen::Matrix<S, 18, 3> want;
  want.topRows(12) = c2.forward(y1);
  want.bottomRows(6) = c3.forward(y1);
  CHECK(relative_error(net->forward(x), want) < 1e-12);
  CHECK(relative_error(net->infer(x), want) < 1e-12);
  const auto r = ctnn::testing::gradcheck(*net, x);
  INFO(r.message());
  CHECK(r.ok);
}

TEST_CASE("a wrong backward is caught: the tests can fail", "[containers][gradcheck]") {
  // the body's gradient alone (no identity path) is not the Residual's
  ResidualFlat<double> r;
  const auto x = away_from_kinks<5, 3>(5);
  const Eigen::Matrix<double, 5, 3> g = Eigen::Matrix<double, 5, 3>::Ones();
  r.forward(x);
  const Eigen::Matrix<double, 5, 3> dx = r.backward(g);
  r.forward(x);
  const Eigen::Matrix<double, 5, 3> body_only = r.body().backward(g);
  CHECK(relative_error(dx - g, body_only) < 1e-12);
  CHECK(relative_error(dx, body_only) > 1e-3);
}

TEST_CASE("print(model) is PyTorch's text for the Python classes", "[containers][print]") {
  CHECK(printed(ResidualFlat<float>{}) == golden("residual_flat"));
  auto c = std::make_unique<ConcatChannels<float>>();
  CHECK(printed(*c) == golden("concat_channels"));
  CHECK(printed(Nested<>{}) == golden("containers_nested"));
  static_assert(ctnn::architecture<Nested<>> ==
                "Sequential(Linear(5,6),Concat(Residual(Linear(6,6),Tanh),Sequential(Linear(6,3),ReLU),Linear(6,2)),"
                "Linear(11,2))");
}

TEST_CASE("summary walks the containers: parameters, FLOPs and the activations they keep", "[containers][summary]") {
  constexpr auto s = ctnn::summary<Nested<>>();
  static_assert(s.total_params == ctnn::parameter_count<Nested<>>);
  static_assert(s.out_shape == ctnn::shape_of<2>);
  // rows: Sequential, Linear, Concat, Residual, Linear, Tanh, Sequential, Linear, ReLU, Linear, Linear
  static_assert(s.size() == 11);
  static_assert(s.rows[3].type.view() == "Residual" && s.rows[3].depth == 2 && s.rows[3].out_shape == ctnn::shape_of<6>);
  // FLOPs: each Linear's 2 In Out + Out, one per element of each activation
  static_assert(s.flops_per_sample == (2 * 5 * 6 + 6) + (2 * 6 * 6 + 6) + 6 + (2 * 6 * 3 + 3) + 3 + (2 * 6 * 2 + 2) +
                                          (2 * 11 * 2 + 2));
  // what forward keeps: the outer a_0..a_3 (5 + 6 + 11 + 2), the Residual's body (6 + 6 + 6),
  // the branch Sequential's (6 + 3: ReLU overwrites Linear's output)
  static_assert(s.activation_values_per_sample == (5 + 6 + 11 + 2) + (6 + 6 + 6) + (6 + 3));
  Nested<> net;
  net.forward(Eigen::Matrix<float, 5, 1>::Random());
  const std::size_t kept = net.activation_bytes() + ctnn::layer<1>(net).get<0>().activation_bytes() +
                           ctnn::layer<1>(net).get<1>().activation_bytes();
  CHECK(static_cast<long long>(kept) == s.activation_bytes(1));
  std::ostringstream table;
  table << s;
  CHECK(table.str().find("Residual (0): 2-1") != std::string::npos);
}

TEST_CASE("safetensors from PyTorch's state_dict load strictly; ctnn's file has PyTorch's names", "[containers][io]") {
  Nested<float> net;
  const std::string path = std::string(CTNN_REFERENCE_DIR) + "/containers_nested.safetensors";
  const ctnn::LoadResult r = ctnn::load_safetensors(net, path);  // strict: every name, no extra
  CHECK((r.missing_keys.empty() && r.unexpected_keys.empty()));
  const Reference ref = load_reference("containers_nested_file");
  const auto x = batch_from<Eigen::Matrix<float, 5, 3>>(ref.tensor("x"));
  CHECK(relative_error(net.infer(x), batch_from<Eigen::Matrix<float, 2, 3>>(ref.tensor("y"))) <= 1e-6);
  // ctnn writes what it read: the same names, shapes and bytes
  const auto theirs = ctnn::SafetensorsFile::read(path);
  const auto ours = ctnn::SafetensorsFile::parse(ctnn::to_safetensors(net));
  REQUIRE(ours.tensors().size() == theirs.tensors().size());
  CHECK(theirs.tensors().size() == 10);
  for (const auto& t : theirs.tensors()) {
    INFO(t.name);
    const ctnn::TensorInfo* o = ours.find(t.name);
    REQUIRE(o != nullptr);
    CHECK(o->shape == t.shape);
    const auto a = ours.data(*o), b = theirs.data(t);
    CHECK(std::equal(a.begin(), a.end(), b.begin(), b.end()));
  }
  static_assert(ctnn::embedded_tensor_count<Nested<>> == 10);
}

TEST_CASE("train/eval, zero_grad, init and checkpoints reach every layer of the containers", "[containers][io]") {
  Nested<double> net;
  int modes = 0;
  ctnn::eval(net);
  ctnn::for_each_module(net, [&](auto& m) {
    if constexpr (requires { m.is_training(); }) modes += m.is_training() ? 100 : 1;
  });
  CHECK(modes == 3);  // the outer Sequential, the Residual, the branch Sequential: all in eval mode
  CHECK(!ctnn::layer<1>(net).get<0>().is_training());
  net.train();
  CHECK(ctnn::layer<1>(net).get<0>().is_training());

  ctnn::init::reset_parameters(net, 7);
  Nested<double> same;
  ctnn::init::reset_parameters(same, 7);
  CHECK(ctnn::layer<1>(net).get<0>().get<0>().weight.value == ctnn::layer<1>(same).get<0>().get<0>().weight.value);

  const Eigen::Matrix<double, 5, 2> x = Eigen::Matrix<double, 5, 2>::Random();
  net.forward(x);
  net.backward(Eigen::Matrix<double, 2, 2>::Ones());
  CHECK(ctnn::layer<1>(net).get<0>().get<0>().weight.grad.norm() > 0);
  ctnn::zero_grad(net);
  double grads = 0;
  ctnn::parameters(net, [&](auto& p) { grads += p.grad.norm(); });
  CHECK(grads == 0);

  ctnn::optim::Adam opt{net, {.lr = 1e-2}};
  net.forward(x);
  net.backward(Eigen::Matrix<double, 2, 2>::Ones());
  opt.step();
  const auto path = std::filesystem::temp_directory_path() / "ctnn_containers_checkpoint.safetensors";
  ctnn::save_checkpoint(path, net, opt);
  Nested<double> loaded;
  ctnn::optim::Adam opt2{loaded, {.lr = 1e-2}};
  ctnn::load_checkpoint(path, loaded, opt2);
  std::filesystem::remove(path);
  CHECK(loaded.infer(x) == net.infer(x));
}

TEST_CASE("SGD with momentum on the nested containers follows PyTorch's trajectory", "[containers][optim]") {
  auto run = [&]<class S>(S) {
    INFO((sizeof(S) == 4 ? "float" : "double"));
    const Reference ref = load_reference("train_containers_sgd");
    Nested<S> net;
    load_parameters(net, ref, "init.");
    const auto x = batch_from<Eigen::Matrix<S, 5, 6>>(ref.tensor("x"));
    const auto target = batch_from<Eigen::Matrix<S, 2, 6>>(ref.tensor("target"));
    ctnn::optim::SGD opt{net, {.lr = 0.05, .momentum = 0.9}};
    ctnn::MSELoss loss;
    const Tensor& losses = ref.tensor("losses");
    for (std::size_t t = 0; t < losses.numel(); ++t) {
      const auto y = net.forward(x);
      CHECK(std::abs(loss(y, target) - losses.values[t]) <= tolerance<S> * std::max(1.0, std::abs(losses.values[t])));
      opt.zero_grad();
      net.backward(loss.grad(y, target), ctnn::parameters_only);
      opt.step();
    }
    ctnn::named_parameters(net, [&](std::string_view name, auto& p) {
      INFO("final " << name);
      using P = std::remove_cvref_t<decltype(p.value)>;
      const auto expected = parameter_from<P>(ref.tensor("final." + std::string(name)), p.value.rows(), p.value.cols());
      CHECK(relative_error(p.value, expected) <= tolerance<S>);
    });
  };
  run(float{});
  run(double{});
}
