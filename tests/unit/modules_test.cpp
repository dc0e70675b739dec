// Custom layers and models (issue 3): the seeds' layers against PyTorch, gradcheck on every
// one of them, reflection (names, NoParameter, buffers, frozen parameters), Cached,
// train/eval and Dropout, ctnn::init.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <ctnn/ctnn.hpp>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "../../examples/seed_layers.hpp"
#include "reference.hpp"
#include "torch_compare.hpp"

using ctnn_test::load_reference;

namespace modules_test {

using ctnn_test::batch_from;
using ctnn_test::load_parameters;
using ctnn_test::parameter_from;
using ctnn_test::relative_error;
using ctnn_test::tolerance;

/// Runs forward and backward of `model` (a pure layer, a Sequential or a custom model) on the
/// case's x and grad_out, after loading its parameters, and compares y, grad_x and every
/// parameter's gradient with PyTorch's. `Columns` says x is stored (features, B) as seed 000
/// writes it, instead of PyTorch's usual (B, features).
template <class S, int In, int Out, int B, bool Columns = false, class Model>
void compare_with_torch(const std::string& name, Model& model) {
  INFO("reference case " << name << " in " << (sizeof(S) == 4 ? "float" : "double"));
  const auto ref = load_reference(name);
  load_parameters(model, ref);
  ctnn::zero_grad(model);
  using X = Eigen::Matrix<S, In, B>;
  using Y = Eigen::Matrix<S, Out, B>;
  const X x = Columns ? parameter_from<X>(ref.tensor("x"), In, B) : batch_from<X>(ref.tensor("x"));
  const Y dy = Columns ? parameter_from<Y>(ref.tensor("grad_out"), Out, B) : batch_from<Y>(ref.tensor("grad_out"));
  const Y y_ref = Columns ? parameter_from<Y>(ref.tensor("y"), Out, B) : batch_from<Y>(ref.tensor("y"));
  const X dx_ref = Columns ? parameter_from<X>(ref.tensor("grad_x"), In, B) : batch_from<X>(ref.tensor("grad_x"));

  Y y = model.forward(x);
  CHECK(relative_error(y, y_ref) < tolerance<S>);
  X dx = ctnn::detail::backward(model, x, y, dy);
  CHECK(relative_error(dx, dx_ref) < tolerance<S>);
  std::size_t checked = 0;
  ctnn::named_parameters(model, [&](std::string_view pname, auto& p) {
    INFO("gradient of " << pname);
    using M = std::remove_cvref_t<decltype(p.grad)>;
    const M g = parameter_from<M>(ref.tensor("grad." + std::string(pname)), p.grad.rows(), p.grad.cols());
    CHECK(relative_error(p.grad, g) < tolerance<S>);
    ++checked;
  });
  CHECK(checked > 0);
}

/// Inputs in [-2, 2] away from 0 (the kink of relu in MyLinear).
template <int F, int B>
Eigen::Matrix<double, F, B> away_from_zero(std::uint64_t seed) {
  ctnn::Generator gen(seed);
  Eigen::Matrix<double, F, B> x;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    double v = gen.uniform(-2.0, 2.0);
    x.data()[i] = std::abs(v) < 0.05 ? v + (v < 0 ? -0.1 : 0.1) : v;
  }
  return x;
}

template <int F, int B, class L>
void check_gradients(L& layer, std::size_t expected_elements) {
  const auto result = ctnn::testing::gradcheck(layer, away_from_zero<F, B>(5));
  INFO(result.message());
  CHECK(result.ok);
  CHECK(result.checked == expected_elements);
}

struct Mish {
  template <class T>
  T operator()(T x) const {
    using std::exp, std::log1p, std::tanh;
    return x * tanh(x > T(20) ? x : log1p(exp(x)));  // softplus with PyTorch's threshold
  }
};

/// A user's layer with non-trainable state: y = x - running_mean, where forward in training
/// mode updates running_mean (a buffer) with momentum 0.1, as BatchNorm's statistics.
struct RunningCenter : ctnn::Module {
  static constexpr int in_features = 3, out_features = 3;
  using scalar_type = float;
  BOOST_HANA_DEFINE_STRUCT(RunningCenter,
                           (ctnn::Buffer<float, 3>, running_mean),
                           (ctnn::Parameter<float, 3>, shift));
  bool training = true;
  void set_training(bool on) { training = on; }
  template <class X>
  ctnn::batch_like<X, 3> forward(const Eigen::MatrixBase<X>& x) {
    if (training) running_mean.value = 0.9f * running_mean.value + 0.1f * x.rowwise().mean();
    return (x.colwise() - running_mean.value).colwise() + shift.value;
  }
  template <class X, class Y, class G>
  ctnn::batch_like<G, 3> backward(const X&, const Y&, const Eigen::MatrixBase<G>& dy) {
    if (shift.requires_grad) shift.grad += dy.rowwise().sum();
    return dy;
  }
};

/// A custom model holding a Sequential (which keeps its own activations), a Dropout and a
/// Linear (each wrapped in Cached), as print's "classifier" golden text.
struct Classifier : ctnn::Module {
  static constexpr int in_features = 4, out_features = 2;
  using scalar_type = double;
  BOOST_HANA_DEFINE_STRUCT(Classifier,
                           (ctnn::Sequential<ctnn::Linear<4, 8, true, double>, ctnn::ReLU,
                                             ctnn::Linear<8, 8, true, double>, ctnn::Tanh>, features),
                           (ctnn::Cached<ctnn::Dropout, double>, drop),
                           (ctnn::Cached<ctnn::Linear<8, 2, true, double>>, head));
  template <class X>
  auto forward(const Eigen::MatrixBase<X>& x) {
    return head(drop(features(x)));
  }
  template <class G>
  auto backward(const Eigen::MatrixBase<G>& dy) {
    return features.backward(drop.backward(head.backward(dy)));
  }
};

}  // namespace modules_test
using namespace modules_test;

// ---- the seeds' layers agree with PyTorch ------------------------------------------------------

TEST_CASE("seed 002's MyLayer agrees with PyTorch, with and without bias", "[modules][torch]") {
  seeds::MyLayer<5, 3> f;
  compare_with_torch<float, 5, 3, 10>("seed_mylayer", f);
  seeds::MyLayer<5, 3, true, double> d;
  compare_with_torch<double, 5, 3, 10>("seed_mylayer", d);
  seeds::MyLayer<5, 3, false, double> nobias;
  compare_with_torch<double, 5, 3, 10>("seed_mylayer_nobias", nobias);
}

TEST_CASE("seed 002's MyNet agrees with PyTorch under the names mylayer1.*", "[modules][torch]") {
  seeds::MyNet f;
  compare_with_torch<float, 5, 3, 10>("seed_mynet", f);
  seeds::BasicMyNet<double> d;
  compare_with_torch<double, 5, 3, 10>("seed_mynet", d);
}

TEST_CASE("seed 001's MyLinear and Sequential(MyLinear(64, 8), MyLinear(8, 1)) agree with PyTorch",
          "[modules][torch]") {
  seeds::MyLinear<5, 3> f;
  compare_with_torch<float, 5, 3, 4>("seed_mylinear", f);
  seeds::MyLinear<5, 3, double> d;
  compare_with_torch<double, 5, 3, 4>("seed_mylinear", d);
  ctnn::Sequential<seeds::MyLinear<64, 8>, seeds::MyLinear<8, 1>> net;
  compare_with_torch<float, 64, 1, 2>("seed_mylinear_seq", net);
  ctnn::Sequential<seeds::MyLinear<64, 8, double>, seeds::MyLinear<8, 1, double>> netd;
  compare_with_torch<double, 64, 1, 2>("seed_mylinear_seq", netd);
}

TEST_CASE("seed 000's layer with a hand-written backward agrees with PyTorch", "[modules][torch]") {
  seeds::StatefulLinear<5, 3> f;
  compare_with_torch<float, 5, 3, 4, true>("seed_stateful_linear", f);
  seeds::StatefulLinear<5, 3, double> d;
  compare_with_torch<double, 5, 3, 4, true>("seed_stateful_linear", d);
}

TEST_CASE("Elementwise<Mish> (derivative by dual numbers) agrees with nn.Mish", "[modules][torch][elementwise]") {
  ctnn::Elementwise<Mish> mish;
  for (const char* name : {"mish", "mish_large"}) {
    const auto ref = load_reference(name);
    INFO(name);
    using Xd = Eigen::Matrix<double, 6, 4>;
    const Xd x = batch_from<Xd>(ref.tensor("x"));
    const Xd y = mish.forward(x);
    const Xd dx = mish.backward(x, y, batch_from<Xd>(ref.tensor("grad_out")));
    CHECK(relative_error(y, batch_from<Xd>(ref.tensor("y"))) < 1e-10);
    CHECK(relative_error(dx, batch_from<Xd>(ref.tensor("grad_x"))) < 1e-10);
    using Xf = Eigen::Matrix<float, 6, 4>;
    const Xf xf = batch_from<Xf>(ref.tensor("x"));
    const Xf yf = mish.forward(xf);
    CHECK(relative_error(yf, batch_from<Xf>(ref.tensor("y"))) < 1e-5);
    CHECK(relative_error(mish.backward(xf, yf, batch_from<Xf>(ref.tensor("grad_out"))),
                         batch_from<Xf>(ref.tensor("grad_x"))) < 1e-5);
  }
}

// ---- gradcheck ----------------------------------------------------------------------------------

TEST_CASE("every seed layer, Elementwise, Dropout and custom models pass gradcheck in double", "[modules][gradcheck]") {
  seeds::CenteredLayer centered;
  check_gradients<5, 3>(centered, 15);
  seeds::MyLinear<5, 4, double> mylinear;
  check_gradients<5, 3>(mylinear, 15 + 24);
  seeds::MyLayer<5, 4, true, double> mylayer;
  check_gradients<5, 3>(mylayer, 15 + 25);
  seeds::MyLayer<5, 4, false, double> mylayer_nobias;
  check_gradients<5, 3>(mylayer_nobias, 15 + 20);
  seeds::StatefulLinear<5, 4, double> stateful;
  check_gradients<5, 3>(stateful, 15 + 24);
  seeds::BasicMyNet<double> mynet;
  check_gradients<5, 3>(mynet, 15 + 20);
  ctnn::Sequential<seeds::MyLinear<5, 8, double>, seeds::CenteredLayer, seeds::MyLayer<8, 3, true, double>> seq;
  check_gradients<5, 3>(seq, 15 + ctnn::parameter_count<decltype(seq)>);
  ctnn::Elementwise<Mish> mish;
  check_gradients<5, 3>(mish, 15);

  ctnn::Dropout dropout(0.3);  // training mode: one mask for every evaluation
  check_gradients<5, 3>(dropout, 15);
  dropout.eval();
  check_gradients<5, 3>(dropout, 15);

  Classifier classifier;
  check_gradients<4, 6>(classifier, 24 + ctnn::parameter_count<Classifier>);
}

namespace modules_test {
// Layers with deliberate mistakes, for gradcheck to catch.
struct ForgotTheTwo : seeds::MyLayer<4, 2, true, double> {
  template <class X, class Y, class G>
  ctnn::batch_like<G, 4> backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>& y,
                                  const Eigen::MatrixBase<G>& dy) {
    return (seeds::MyLayer<4, 2, true, double>::backward(x, y, dy) / 2).eval();
  }
};
struct DoubleWeightGrad : seeds::MyLinear<4, 2, double> {
  template <class X, class Y, class G>
  ctnn::batch_like<G, 4> backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>& y,
                                  const Eigen::MatrixBase<G>& dy) {
    auto dx = seeds::MyLinear<4, 2, double>::backward(x, y, dy);
    weight.grad *= 2;
    return dx;
  }
};
struct Noisy : ctnn::Module {
  static constexpr int in_features = ctnn::any, out_features = ctnn::any;
  ctnn::Generator gen{3};
  template <class X>
  ctnn::batch_like<X, X::RowsAtCompileTime> forward(const Eigen::MatrixBase<X>& x) {
    return (x.array() + gen.uniform01()).matrix();
  }
  template <class X, class Y, class G>
  ctnn::batch_like<G, G::RowsAtCompileTime> backward(const X&, const Y&, const Eigen::MatrixBase<G>& dy) const {
    return dy;
  }
};
}  // namespace modules_test
using namespace modules_test;

TEST_CASE("gradcheck catches a wrong backward and names the element", "[modules][gradcheck]") {
  // d/dx of x^2 without the factor 2: the input gradient is wrong, the weight's is right
  ForgotTheTwo wrong_input;
  auto result = ctnn::testing::gradcheck(wrong_input, away_from_zero<4, 3>(1));
  CHECK_FALSE(result.ok);
  CHECK(result.worst.rfind("input[", 0) == 0);
  CHECK(result.message().find("FAILED") != std::string::npos);

  // a weight gradient that is twice too large: the worst element is a weight
  DoubleWeightGrad wrong_weight;
  result = ctnn::testing::gradcheck(wrong_weight, away_from_zero<4, 3>(2));
  CHECK_FALSE(result.ok);
  CHECK(result.worst.rfind("weight[", 0) == 0);

  // a random layer that gradcheck cannot reseed: its forward is not deterministic
  Noisy noisy;
  result = ctnn::testing::gradcheck(noisy, away_from_zero<3, 2>(3));
  CHECK_FALSE(result.ok);
  CHECK(result.worst.rfind("forward", 0) == 0);
}

// ---- reflection ---------------------------------------------------------------------------------

TEST_CASE("a custom layer's members are its parameters, named as in PyTorch", "[modules][names]") {
  auto names_of = [](auto& model) {
    std::vector<std::string> names;
    ctnn::named_parameters(model, [&](std::string_view n, auto&) { names.emplace_back(n); });
    return names;
  };
  seeds::MyLayer<5, 3> with_bias;
  seeds::MyLayer<5, 3, false> without_bias;  // register_parameter('bias', None)
  seeds::MyNet net;
  ctnn::Sequential<ctnn::Linear<2, 4>, ctnn::ReLU, seeds::MyLinear<4, 3>, seeds::MyLayer<3, 1>> seq;
  CHECK(names_of(with_bias) == std::vector<std::string>{"weight", "bias"});
  CHECK(names_of(without_bias) == std::vector<std::string>{"weight"});
  CHECK(names_of(net) == std::vector<std::string>{"mylayer1.weight", "mylayer1.bias"});
  CHECK(names_of(seq) == std::vector<std::string>{"0.weight", "0.bias", "2.weight", "2.bias", "3.weight", "3.bias"});
  STATIC_REQUIRE(ctnn::parameter_count<seeds::MyLayer<5, 3>> == 5 * 3 + 5);
  STATIC_REQUIRE(ctnn::parameter_count<seeds::MyLayer<5, 3, false>> == 5 * 3);
  STATIC_REQUIRE(ctnn::parameter_count<seeds::MyNet> == 20);
  // PyTorch's shapes: weight (In, Out) for MyLayer, as the seed declares it
  CHECK(with_bias.weight.shape() == std::array<int, 2>{5, 3});
  CHECK(with_bias.bias.shape() == std::array<int, 1>{5});
}

TEST_CASE("a frozen parameter gets no gradient", "[modules][frozen]") {
  seeds::BasicMyNet<double> net;
  net.mylayer1.bias.requires_grad = false;
  const auto x = away_from_zero<5, 4>(9);
  net.forward(x);
  net.backward(Eigen::Matrix<double, 3, 4>::Ones());
  CHECK(net.mylayer1.bias.grad.isZero());
  CHECK_FALSE(net.mylayer1.weight.grad.isZero());
  const auto result = ctnn::testing::gradcheck(net, x);  // skips the frozen bias
  CHECK(result.ok);
  CHECK(result.checked == 20 + 15);

  // and no optimizer moves it, even with a gradient planted in it
  net.mylayer1.bias.grad.setOnes();
  const Eigen::Matrix<double, 5, 1> bias = net.mylayer1.bias.value;
  const Eigen::Matrix<double, 5, 3> weight = net.mylayer1.weight.value;
  ctnn::optim::Adam opt{net, {.lr = 0.1}};
  opt.step();
  CHECK(net.mylayer1.bias.value == bias);
  CHECK(net.mylayer1.weight.value != weight);
}

TEST_CASE("reset_parameters(model, seed) reaches the members of a custom model", "[modules][init]") {
  seeds::MyNet a, b;
  CHECK(a.mylayer1.weight.value != b.mylayer1.weight.value);  // drawn one after the other
  ctnn::init::reset_parameters(a, 17);
  ctnn::init::reset_parameters(b, 17);
  CHECK(a.mylayer1.weight.value == b.mylayer1.weight.value);
  CHECK(a.mylayer1.weight.value.cwiseAbs().maxCoeff() <= 1 / std::sqrt(5.0));
}

TEST_CASE("buffers are state: named, not parameters, untouched by zero_grad and optimizers", "[modules][buffers]") {
  RunningCenter layer;
  std::vector<std::string> buffer_names, parameter_names;
  ctnn::named_buffers(layer, [&](std::string_view n, auto&) { buffer_names.emplace_back(n); });
  ctnn::named_parameters(layer, [&](std::string_view n, auto&) { parameter_names.emplace_back(n); });
  CHECK(buffer_names == std::vector<std::string>{"running_mean"});
  CHECK(parameter_names == std::vector<std::string>{"shift"});
  STATIC_REQUIRE(ctnn::parameter_count<RunningCenter> == 3);

  ctnn::Sequential<ctnn::Linear<2, 3>, RunningCenter> net;
  buffer_names.clear();
  ctnn::named_buffers(net, [&](std::string_view n, auto&) { buffer_names.emplace_back(n); });
  CHECK(buffer_names == std::vector<std::string>{"1.running_mean"});
  int count = 0;
  ctnn::buffers(net, [&](auto& b) { count += b.size; });
  CHECK(count == 3);

  Eigen::Matrix<float, 2, 4> x = Eigen::Matrix<float, 2, 4>::Random();
  auto y = net(x);
  net.backward(y);
  const Eigen::Vector3f running = ctnn::layer<1>(net).running_mean.value;
  CHECK_FALSE(running.isZero());
  ctnn::optim::SGD opt{net, {.lr = 0.5}};
  opt.step();
  ctnn::zero_grad(net);
  CHECK(ctnn::layer<1>(net).running_mean.value == running);
  net.eval();  // eval reaches the custom layer: forward keeps the statistics
  net(x);
  CHECK(ctnn::layer<1>(net).running_mean.value == running);
}

// ---- Cached: the short way for custom models ---------------------------------------------------

TEST_CASE("Cached<L> keeps what L's backward needs and refuses misuse", "[modules][cached]") {
  ctnn::Cached<seeds::MyLayer<5, 3, true, double>> cached;
  seeds::MyLayer<5, 3, true, double> plain = cached;  // same parameters
  CHECK_THROWS_AS(cached.backward(Eigen::Matrix<double, 3, 2>::Ones()), ctnn::Error);
  const auto x = away_from_zero<5, 2>(4);
  const Eigen::Matrix<double, 3, 2> y = cached(x);
  CHECK(y == plain.forward(x));
  CHECK(cached.infer(x) == y);
  const Eigen::Matrix<double, 3, 2> dy = Eigen::Matrix<double, 3, 2>::Random();
  CHECK(cached.backward(dy) == plain.backward(x, y, dy));
  CHECK(cached.weight.grad == plain.weight.grad);
  CHECK_THROWS_AS(cached.backward(Eigen::Matrix<double, 3, 5>::Ones()), ctnn::Error);
  STATIC_REQUIRE(ctnn::Layer<ctnn::Cached<ctnn::ReLU, double>>);
  STATIC_REQUIRE(ctnn::parameter_count<ctnn::Cached<seeds::MyLayer<5, 3>>> == 20);
}

// ---- train / eval and Dropout -------------------------------------------------------------------

TEST_CASE("train() and eval() reach every Dropout of a custom model and of a Sequential", "[modules][dropout]") {
  Classifier model;
  ctnn::Sequential<ctnn::Linear<4, 4>, ctnn::Dropout, ctnn::Sequential<ctnn::Dropout, ctnn::ReLU>> seq;
  CHECK(model.drop.is_training());
  ctnn::eval(model);
  CHECK_FALSE(model.drop.is_training());
  CHECK_FALSE(model.features.is_training());
  ctnn::train(model);
  CHECK(model.drop.is_training());
  seq.eval();
  CHECK_FALSE(ctnn::layer<1>(seq).is_training());
  CHECK_FALSE(ctnn::layer<0>(ctnn::layer<2>(seq)).is_training());
  seq.train();
  CHECK(ctnn::layer<0>(ctnn::layer<2>(seq)).is_training());
}

TEST_CASE("Dropout zeroes a fraction p and scales the rest by 1 / (1 - p)", "[modules][dropout]") {
  for (double p : {0.1, 0.5, 0.8}) {
    INFO("p = " << p);
    ctnn::Dropout dropout(p);
    const Eigen::MatrixXd x = Eigen::MatrixXd::Random(64, 500).array() + 2.0;  // no zeros
    const Eigen::MatrixXd y = dropout.forward(x);
    const double n = double(x.size());
    const double kept = (y.array() != 0).cast<double>().sum();
    // binomial(n, 1 - p): within 5 standard deviations
    CHECK(std::abs(kept - n * (1 - p)) < 5 * std::sqrt(n * p * (1 - p)));
    const Eigen::ArrayXXd ratio = (y.array() / x.array());
    CHECK(((y.array() == 0) || ((ratio - 1.0 / (1.0 - p)).abs() < 1e-12)).all());
    CHECK((dropout.mask() == (y.array() != 0)).all());
    // expectation preserved: the mean of y is close to that of x
    CHECK(std::abs(y.mean() - x.mean()) < 0.05 * x.mean());
    // backward: the same mask, the same scale
    const Eigen::MatrixXd dy = Eigen::MatrixXd::Ones(64, 500);
    const Eigen::MatrixXd dx = dropout.backward(x, y, dy);
    CHECK((dx.array() == dropout.mask().cast<double>() * (1.0 / (1.0 - p))).all());
  }
}

TEST_CASE("Dropout is the identity in eval mode and in infer", "[modules][dropout]") {
  ctnn::Dropout dropout(0.5);
  const Eigen::MatrixXf x = Eigen::MatrixXf::Random(8, 16);
  CHECK(dropout.infer(x) == x);  // even in training mode
  dropout.eval();
  CHECK(dropout.forward(x) == x);
  CHECK(dropout.backward(x, x, x) == x);
  ctnn::Sequential<ctnn::Linear<8, 8>, ctnn::Dropout> net;
  const Eigen::Matrix<float, 8, 16> xs = x;
  const Eigen::Matrix<float, 8, 16> inferred = net.infer(xs);
  net.eval();
  CHECK(net(xs) == inferred);
  CHECK(net(xs) == ctnn::layer<0>(net).forward(xs));
}

TEST_CASE("Dropout's masks are reproducible from a seed and differ between layers", "[modules][dropout]") {
  using Net = ctnn::Sequential<ctnn::Dropout, ctnn::Dropout>;
  const Eigen::Matrix<double, 16, 8> x = Eigen::Matrix<double, 16, 8>::Constant(1.0);
  Net a, b;
  ctnn::manual_seed(a, 42);
  ctnn::manual_seed(b, 42);
  CHECK(a(x) == b(x));
  CHECK((ctnn::layer<0>(a).mask() == ctnn::layer<0>(b).mask()).all());
  CHECK_FALSE((ctnn::layer<0>(a).mask() == ctnn::layer<1>(a).mask()).all());
  ctnn::manual_seed(b, 43);
  CHECK_FALSE(a(x) == b(x));
  // the default generator seeds Dropouts at construction, as torch.manual_seed
  ctnn::manual_seed(7);
  ctnn::Dropout c;
  ctnn::manual_seed(7);
  ctnn::Dropout d;
  CHECK(c.forward(x) == d.forward(x));
}

TEST_CASE("Dropout's edge cases: p = 0, p = 1, an invalid p, its repr", "[modules][dropout]") {
  const Eigen::MatrixXf x = Eigen::MatrixXf::Random(4, 4);
  ctnn::Dropout none(0.0), all(1.0);
  CHECK(none.forward(x) == x);
  CHECK(all.forward(x).isZero());
  CHECK(all.backward(x, x, x).isZero());
  CHECK_THROWS_AS(ctnn::Dropout(1.5), ctnn::Error);
  CHECK_THROWS_AS(ctnn::Dropout(-0.1), ctnn::Error);
  CHECK(ctnn::Dropout(0.25).extra_repr() == "p=0.25, inplace=False");
}

// ---- ctnn::init ---------------------------------------------------------------------------------

TEST_CASE("init's gains and fans are PyTorch's", "[modules][init][torch]") {
  using ctnn::init::Nonlinearity;
  const auto ref = load_reference("init_formulas");
  const auto& gains = ref.tensor("gains");
  const Nonlinearity all[] = {Nonlinearity::linear, Nonlinearity::conv1d, Nonlinearity::conv2d,
                              Nonlinearity::conv3d, Nonlinearity::sigmoid, Nonlinearity::tanh,
                              Nonlinearity::relu,   Nonlinearity::leaky_relu, Nonlinearity::selu};
  for (int i = 0; i < 9; ++i) CHECK(ctnn::init::calculate_gain(all[i]) == Approx(gains.at({i})).epsilon(1e-15));
  CHECK(ctnn::init::calculate_gain(Nonlinearity::leaky_relu, 0.2) == Approx(gains.at({9})).epsilon(1e-15));
  CHECK(ctnn::init::calculate_gain(Nonlinearity::leaky_relu, std::sqrt(5.0)) == Approx(gains.at({10})).epsilon(1e-15));

  // Parameter<S, R, C> is PyTorch's (R, C): fan_in = C, fan_out = R
  constexpr auto f = ctnn::init::fans<ctnn::Parameter<float, 128, 8>>();
  CHECK(f.fan_in == ref.tensor("fans.128x8").at({0}));
  CHECK(f.fan_out == ref.tensor("fans.128x8").at({1}));
  constexpr auto g = ctnn::init::fans<ctnn::Parameter<float, 3, 5>>();
  CHECK(g.fan_in == ref.tensor("fans.3x5").at({0}));
  CHECK(g.fan_out == ref.tensor("fans.3x5").at({1}));
}

namespace modules_test {
/// Draws with `init` into a big parameter and checks its range and moments: the largest
/// |value| within `bound` (and close to it for a uniform), the std close to `std`.
template <class Init>
void check_distribution(Init&& init, double bound, double std, bool uniform) {
  ctnn::Parameter<double, 128, 80> p;  // 10240 values
  ctnn::Generator gen(11);
  init(p, gen);
  const double mean = p.value.mean();
  const double sd = std::sqrt((p.value.array() - mean).square().mean());
  CHECK(std::abs(mean) < 4 * std / std::sqrt(double(p.size)));
  CHECK(sd == Approx(std).epsilon(0.03));
  if (uniform) {
    CHECK(p.value.cwiseAbs().maxCoeff() <= bound);
    CHECK(p.value.cwiseAbs().maxCoeff() > 0.99 * bound);
  }
}
}  // namespace modules_test
using namespace modules_test;

TEST_CASE("xavier and kaiming draw from PyTorch's distributions", "[modules][init][torch]") {
  using namespace ctnn::init;
  const auto ref = load_reference("init_formulas");
  // (128, 80) is not in the reference shapes; use the formulas checked against them below
  const double fan_in = 80, fan_out = 128;
  const double xu = std::sqrt(2.0) * std::sqrt(6.0 / (fan_in + fan_out));
  check_distribution([](auto& p, auto& gen) { xavier_uniform_(p, calculate_gain(Nonlinearity::relu), gen); }, xu,
                     xu / std::sqrt(3.0), true);
  check_distribution([](auto& p, auto& gen) { xavier_normal_(p, calculate_gain(Nonlinearity::relu), gen); }, 0,
                     std::sqrt(2.0) * std::sqrt(2.0 / (fan_in + fan_out)), false);
  const double ku = std::sqrt(3.0) * std::sqrt(2.0) / std::sqrt(fan_in);
  check_distribution([](auto& p, auto& gen) { kaiming_uniform_(p, 0.0, FanMode::fan_in, Nonlinearity::leaky_relu, gen); },
                     ku, ku / std::sqrt(3.0), true);
  check_distribution([](auto& p, auto& gen) { kaiming_normal_(p, 0.0, FanMode::fan_out, Nonlinearity::relu, gen); }, 0,
                     std::sqrt(2.0) / std::sqrt(fan_out), false);
  check_distribution([](auto& p, auto& gen) { uniform_(p, -0.5, 0.5, gen); }, 0.5, 1 / std::sqrt(12.0), true);
  check_distribution([](auto& p, auto& gen) { normal_(p, 0.0, 0.02, gen); }, 0, 0.02, false);

  // the bounds on PyTorch's shapes: every value within PyTorch's bound, the largest close to it
  auto check_bound = [&](auto& p, const char* tag, int which, auto&& init) {
    INFO(tag << " bound #" << which);
    ctnn::Generator gen(3);
    init(p, gen);
    const double bound = ref.tensor(std::string("bounds.") + tag).at({which});
    CHECK(p.value.cwiseAbs().maxCoeff() <= bound);
    // the largest of n uniform |values| is below (1 - 3/n) bound with probability ~e^-3
    CHECK(p.value.cwiseAbs().maxCoeff() > (1.0 - 3.0 / double(p.size)) * bound);
  };
  ctnn::Parameter<double, 128, 8> w;
  check_bound(w, "128x8", 0, [](auto& p, auto& gen) { xavier_uniform_(p, calculate_gain(Nonlinearity::relu), gen); });
  check_bound(w, "128x8", 2, [](auto& p, auto& gen) { kaiming_uniform_(p, 0.0, FanMode::fan_in, Nonlinearity::leaky_relu, gen); });
  check_bound(w, "128x8", 4, [](auto& p, auto& gen) { kaiming_uniform_(p, 0.0, FanMode::fan_out, Nonlinearity::relu, gen); });
  check_bound(w, "128x8", 6, [](auto& p, auto& gen) { kaiming_uniform_(p, std::sqrt(5.0), FanMode::fan_in, Nonlinearity::leaky_relu, gen); });
  ctnn::Parameter<double, 3, 5> small;
  check_bound(small, "3x5", 0, [](auto& p, auto& gen) { xavier_uniform_(p, calculate_gain(Nonlinearity::relu), gen); });
  check_bound(small, "3x5", 6, [](auto& p, auto& gen) { kaiming_uniform_(p, std::sqrt(5.0), FanMode::fan_in, Nonlinearity::leaky_relu, gen); });
}

TEST_CASE("init on a model: constants everywhere, fan-based inits on the weights only, same seed same numbers",
          "[modules][init]") {
  using Net = ctnn::Sequential<ctnn::Linear<4, 6>, ctnn::ReLU, seeds::MyLayer<6, 2>>;
  Net net;
  ctnn::init::constant_(net, 0.25);
  ctnn::parameters(net, [](auto& p) { CHECK((p.value.array() == 0.25f).all()); });
  ctnn::init::zeros_(ctnn::layer<0>(net).bias);
  CHECK(ctnn::layer<0>(net).bias.value.isZero());
  ctnn::init::ones_(ctnn::layer<2>(net));
  CHECK((ctnn::layer<2>(net).weight.value.array() == 1.0f).all());

  ctnn::init::constant_(net, 0.25);
  ctnn::Generator gen(5);
  ctnn::init::xavier_uniform_(net, 1.0, gen);
  CHECK((ctnn::layer<0>(net).bias.value.array() == 0.25f).all());  // biases left alone
  CHECK((ctnn::layer<2>(net).bias.value.array() == 0.25f).all());
  CHECK_FALSE((ctnn::layer<0>(net).weight.value.array() == 0.25f).any());

  Net other;
  ctnn::Generator gen2(5);
  ctnn::init::constant_(other, 0.25);
  ctnn::init::xavier_uniform_(other, 1.0, gen2);
  CHECK(ctnn::layer<0>(other).weight.value == ctnn::layer<0>(net).weight.value);

  // reset_parameters(model, seed) reaches custom layers too
  ctnn::init::reset_parameters(net, 123);
  ctnn::init::reset_parameters(other, 123);
  CHECK(ctnn::layer<2>(other).weight.value == ctnn::layer<2>(net).weight.value);
  CHECK(ctnn::layer<2>(net).bias.value.isZero());  // MyLayer's own default: zero bias

  // PyTorch's element order: row-major, so a (2, 3) tensor's values are drawn in the order
  // p[0][0], p[0][1], p[0][2], p[1][0], ...
  ctnn::Parameter<double, 2, 3> p;
  ctnn::Generator g1(9), g2(9);
  ctnn::init::uniform_(p, 0.0, 1.0, g1);
  for (int r = 0; r < 2; ++r)
    for (int c = 0; c < 3; ++c) CHECK(p.value(r, c) == g2.uniform(0.0, 1.0));
  CHECK_THROWS_AS(ctnn::init::uniform_(p, 1.0, 0.0), ctnn::Error);
  CHECK_THROWS_AS(ctnn::init::normal_(p, 0.0, -1.0), ctnn::Error);
}

TEST_CASE("ctnn's MT19937-64 is std::mt19937_64, values and state text", "[modules][init]") {
  for (std::uint64_t seed : {std::uint64_t{5489}, std::uint64_t{0}, ctnn::Generator::default_seed, ~std::uint64_t{0}}) {
    ctnn::detail::Mt19937_64 ours(seed);
    std::mt19937_64 theirs(seed);
    bool same = true;
    for (int i = 0; i < 2000; ++i) same = same && ours() == theirs();  // crosses several twists
    CHECK(same);
    // the state text training checkpoints store: libstdc++'s (312 words, then the position)
    std::ostringstream a, b;
    a << ours;
    b << theirs;
#if defined(__GLIBCXX__)
    CHECK(a.str() == b.str());
#endif
    // a state read back continues the same sequence
    ctnn::detail::Mt19937_64 resumed;
    std::istringstream in(a.str());
    REQUIRE(static_cast<bool>(in >> resumed));
    CHECK(resumed() == theirs());
  }
  // a malformed state changes nothing
  ctnn::Generator g(7);
  const std::string before = g.state();
  CHECK_FALSE(g.set_state("1 2 3"));
  std::string words = before;  // the 312 words, then a position past the end
  for (int i = 0; i < 3; ++i) words = words.substr(0, words.rfind(' '));
  CHECK_FALSE(g.set_state(words + " 313 0 0"));
  CHECK(g.set_state(words + " 312 0 0"));
  CHECK(g.set_state(before));
  CHECK(g.state() == before);
  CHECK(g.set_state(before));
}

namespace modules_test {
/// A Conv2d-like weight, a 0-D temperature and a bias.
struct ConvLike {
  BOOST_HANA_DEFINE_STRUCT(ConvLike, (ctnn::TensorParameter<float, 8, 3, 3, 3>, weight),
                           (ctnn::ScalarParameter<float>, temperature), (ctnn::TensorParameter<float, 8>, bias));
};
}  // namespace modules_test

TEST_CASE("init on N-D weights uses PyTorch's fans; 0-D and 1-D parameters are left to the others",
          "[modules][init][torch]") {
  using namespace ctnn::init;
  const auto ref = load_reference("init_fans_nd");
  // torch.nn.init._calculate_fan_in_and_fan_out: fan_in = size(1) * receptive field
  constexpr auto conv2d = fans<ctnn::TensorParameter<float, 8, 3, 3, 3>>();
  CHECK(conv2d.fan_in == ref.tensor("fans.8x3x3x3").at({0}));
  CHECK(conv2d.fan_out == ref.tensor("fans.8x3x3x3").at({1}));
  constexpr auto conv1d = fans<ctnn::TensorParameter<float, 16, 1, 5>>();
  CHECK(conv1d.fan_in == ref.tensor("fans.16x1x5").at({0}));
  CHECK(conv1d.fan_out == ref.tensor("fans.16x1x5").at({1}));

  // every value within PyTorch's bound, the largest close to it (as for the 2-D shapes)
  auto check_bound = [&](auto& p, const char* tag, int which, auto&& init) {
    INFO(tag << " bound #" << which);
    ctnn::Generator gen(3);
    init(p, gen);
    const double bound = ref.tensor(std::string("bounds.") + tag).at({which});
    CHECK(p.value.cwiseAbs().maxCoeff() <= bound);
    CHECK(p.value.cwiseAbs().maxCoeff() > (1.0 - 3.0 / double(p.size)) * bound);
  };
  auto xavier = [](auto& p, auto& gen) { xavier_uniform_(p, calculate_gain(Nonlinearity::relu), gen); };
  auto kaiming_in = [](auto& p, auto& gen) { kaiming_uniform_(p, 0.0, FanMode::fan_in, Nonlinearity::leaky_relu, gen); };
  auto kaiming_out = [](auto& p, auto& gen) { kaiming_uniform_(p, 0.0, FanMode::fan_out, Nonlinearity::relu, gen); };
  auto conv_default = [](auto& p, auto& gen) { kaiming_uniform_(p, std::sqrt(5.0), FanMode::fan_in, Nonlinearity::leaky_relu, gen); };
  ctnn::TensorParameter<double, 8, 3, 3, 3> w2;
  check_bound(w2, "8x3x3x3", 0, xavier);
  check_bound(w2, "8x3x3x3", 2, kaiming_in);
  check_bound(w2, "8x3x3x3", 4, kaiming_out);
  check_bound(w2, "8x3x3x3", 6, conv_default);
  ctnn::TensorParameter<double, 16, 1, 5> w1;
  check_bound(w1, "16x1x5", 0, xavier);
  check_bound(w1, "16x1x5", 2, kaiming_in);
  check_bound(w1, "16x1x5", 4, kaiming_out);
  check_bound(w1, "16x1x5", 6, conv_default);

  // on a model: the N-D weights are drawn, the 0-D temperature keeps its value (p.dim() > 1)
  modules_test::ConvLike m;
  constant_(m, 0.5);
  CHECK(m.temperature.item() == 0.5f);
  ctnn::Generator gen(4);
  kaiming_uniform_(m, std::sqrt(5.0), FanMode::fan_in, Nonlinearity::leaky_relu, gen);
  CHECK(m.temperature.item() == 0.5f);
  CHECK((m.bias.value.array() == 0.5f).all());
  CHECK_FALSE((m.weight.value.array() == 0.5f).any());
  CHECK(m.weight.value.cwiseAbs().maxCoeff() <= ref.tensor("bounds.8x3x3x3").at({6}));
  // names, order and zero_grad as for any parameter
  std::vector<std::string> names;
  ctnn::named_parameters(m, [&](std::string_view n, auto& p) {
    names.emplace_back(n);
    p.grad.setOnes();
  });
  CHECK(names == std::vector<std::string>{"weight", "temperature", "bias"});
  ctnn::zero_grad(m);
  ctnn::parameters(m, [](auto& p) { CHECK(p.grad.isZero()); });
  STATIC_REQUIRE(ctnn::parameter_count<modules_test::ConvLike> == 216 + 1 + 8);
}
