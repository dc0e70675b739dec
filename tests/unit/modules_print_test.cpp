// print(model) against the text PyTorch prints (tests/reference/prints/, written by
// tests/reference/generate.py), ctnn::summary's compile-time numbers and table, the class-name
// fallback of repr, and ctnn::Dual / ctnn::Elementwise.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctnn/ctnn.hpp>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "../../examples/seed_layers.hpp"
#include "source_dir.hpp"
#include "prints.hpp"

using ctnn_test::golden;
using ctnn_test::printed;

namespace modules_print_test {

struct Mish {
  template <class T>
  T operator()(T x) const {
    using std::exp, std::log1p, std::tanh;
    return x * tanh(x > T(20) ? x : log1p(exp(x)));
  }
};

/// The custom model of the "classifier" golden text.
struct Classifier : ctnn::Module {
  static constexpr int in_features = 4, out_features = 2;
  BOOST_HANA_DEFINE_STRUCT(Classifier,
                           (ctnn::Sequential<ctnn::Linear<4, 8>, ctnn::ReLU, ctnn::Linear<8, 8>, ctnn::Tanh>, features),
                           (ctnn::Cached<ctnn::Dropout>, drop),
                           (ctnn::Cached<ctnn::Linear<8, 2>>, head));
  Classifier() : drop(0.1) {}
  template <class X>
  auto forward(const Eigen::MatrixBase<X>& x) {
    return head(drop(features(x)));
  }
  template <class G>
  auto backward(const Eigen::MatrixBase<G>& dy) {
    return features.backward(drop.backward(head.backward(dy)));
  }
};

/// A layer whose extra_repr has two lines and which has a child: the multi-line form.
struct Block : ctnn::Module {
  static constexpr int in_features = 3, out_features = 3;
  static constexpr std::string_view repr_name = "Block";
  BOOST_HANA_DEFINE_STRUCT(Block, (ctnn::Linear<3, 3>, inner));
  std::string extra_repr() const { return "mode=fast\nscale=2"; }
  template <class X>
  auto forward(const Eigen::MatrixBase<X>& x) {
    return inner.forward(x);
  }
  template <class X, class Y, class G>
  auto backward(const X& x, const Y& y, const G& g) {
    return inner.backward(x, y, g);
  }
};

}  // namespace modules_print_test
using namespace modules_print_test;

// ---- print(model) -------------------------------------------------------------------------------

TEST_CASE("print(model) matches PyTorch for the seeds' models", "[modules][print][torch]") {
  CHECK(printed(ctnn::Sequential<ctnn::Linear<8, 128>, seeds::CenteredLayer>{}) == golden("seq_linear_centered"));
  CHECK(printed(seeds::MyNet{}) == golden("mynet"));
  CHECK(printed(seeds::MyLayer<5, 3, false>{}) == golden("mylayer_nobias"));
  CHECK(printed(ctnn::Sequential<seeds::MyLinear<64, 8>, seeds::MyLinear<8, 1>>{}) == golden("seq_mylinear"));
}

TEST_CASE("print(model) matches PyTorch for built-in layers, nesting and a custom model", "[modules][print][torch]") {
  using Net = ctnn::Sequential<ctnn::Linear<6, 16>, ctnn::ReLU, ctnn::Dropout,
                               ctnn::Sequential<ctnn::Linear<16, 16, false>, ctnn::Tanh, ctnn::LeakyReLU>,
                               ctnn::GELUTanh, ctnn::ELU, ctnn::Softplus, ctnn::Elementwise<Mish>,
                               ctnn::Linear<16, 3>, ctnn::LogSoftmax>;
  Net net;
  ctnn::layer<2>(net) = ctnn::Dropout(0.25);
  ctnn::layer<2>(ctnn::layer<3>(net)) = ctnn::LeakyReLU(0.2);
  CHECK(printed(net) == golden("seq_builtin"));
  CHECK(printed(Classifier{}) == golden("classifier"));
  CHECK(printed(ctnn::Dropout{}) == golden("dropout_default"));
  CHECK(ctnn::repr(seeds::MyNet{}) + "\n" == golden("mynet"));
}

TEST_CASE("print(model) matches PyTorch for Flatten, Unflatten and layers on several dimensions", "[modules][print][torch][shapes]") {
  using Net = ctnn::with_input<ctnn::Sequential<ctnn::Unflatten<3, 4>, ctnn::Tanh, ctnn::Linear<4, 2>, ctnn::Flatten,
                                                ctnn::Linear<ctnn::any, 3>, ctnn::Softmax>,
                               12>;
  CHECK(printed(Net{}) == golden("shapes_chain"));
  CHECK(printed(ctnn::Unflatten<5>{}) == golden("unflatten_one"));
  using Seq = ctnn::with_input<ctnn::Sequential<ctnn::Linear<4, 5>, ctnn::LogSoftmax, ctnn::Linear<5, 2>, ctnn::Softmax>, 2, 4>;
  CHECK(printed(Seq{}) == golden("softmax_last_dim"));
  // names and counts are those of the deduced Linear<6, 3>
  std::vector<std::string> names;
  Net net;
  ctnn::named_parameters(net, [&](std::string_view n, auto&) { names.emplace_back(n); });
  CHECK(names == std::vector<std::string>{"2.weight", "2.bias", "4.weight", "4.bias"});
  static_assert(ctnn::parameter_count<Net> == 4 * 2 + 2 + 6 * 3 + 3);
}

TEST_CASE("a shared layer prints, saves and loads under both names, as PyTorch's state_dict", "[modules][print][shared][torch]") {
  using Net = ctnn::Sequential<ctnn::Linear<4, 8>, ctnn::ReLU, ctnn::Linear<8, 8>, ctnn::ReLU, ctnn::Shared<2>,
                               ctnn::ReLU, ctnn::Linear<8, 1>>;
  Net net;
  CHECK(printed(net) == golden("shared_d2l"));
  static_assert(ctnn::architecture<Net> == "Sequential(Linear(4,8),ReLU,Linear(8,8),ReLU,Shared(2),ReLU,Linear(8,1))");
  static_assert(ctnn::embedded_tensor_count<Net> == 8);  // "4.weight" and "4.bias" too
  static_assert(ctnn::summary<Net>().total_params == 121 && ctnn::summary<Net>().param_bytes == 121 * 4);
  const std::string path = "shared_d2l_test.safetensors";
  ctnn::save_safetensors(net, path);
  const auto file = ctnn::SafetensorsFile::read(path);
  std::vector<std::string> keys;
  for (const auto& t : file.tensors()) keys.push_back(t.name);
  std::sort(keys.begin(), keys.end());
  CHECK(keys == std::vector<std::string>{"0.bias", "0.weight", "2.bias", "2.weight", "4.bias", "4.weight", "6.bias",
                                         "6.weight"});
  Net other;
  ctnn::load_safetensors(other, path);  // strict: every name present
  CHECK(ctnn::layer<4>(other).weight.value == ctnn::layer<2>(net).weight.value);
  std::remove(path.c_str());
}

TEST_CASE("summary follows shapes through Flatten and Linear on the last dimension", "[modules][summary][shapes]") {
  using Net = ctnn::with_input<ctnn::Sequential<ctnn::Unflatten<3, 4>, ctnn::Tanh, ctnn::Linear<4, 2>, ctnn::Flatten,
                                                ctnn::Linear<ctnn::any, 3>, ctnn::Softmax>,
                               12>;
  constexpr auto s = ctnn::summary<Net>();
  static_assert(s.in_features == 12 && s.out_features == 3);
  static_assert(s.rows[1].out_shape == ctnn::shape_of<3, 4> && s.rows[3].out_shape == ctnn::shape_of<3, 2>);
  static_assert(s.rows[4].out_shape == ctnn::shape_of<6> && s.rows[5].out_features == 3);
  // Linear(4, 2) on 3 vectors of 4: 3 x (2 x 4 x 2 + 2) FLOPs; Linear(6, 3): 2 x 6 x 3 + 3
  static_assert(s.rows[3].flops == 3 * (2 * 4 * 2 + 2) && s.rows[5].flops == 2 * 6 * 3 + 3);
  // a_0 .. a_6 of Sequential: 12, Unflatten's output shares a_0, 12, 6, Flatten's shares a_3, 3, 3
  static_assert(s.activation_values_per_sample == 12 + 12 + 6 + 3 + 3);
  std::ostringstream os;
  os << s;
  CHECK(os.str().find("(3, 4)") != std::string::npos);
}

TEST_CASE("a model too large for a thread's stack: summary says so, make_model puts it on the heap", "[modules][summary]") {
  // --8<-- [start:make-model]
  using Big = ctnn::Sequential<ctnn::Linear<128, 128>, ctnn::ReLU, ctnn::Linear<128, 128>, ctnn::ReLU,
                               ctnn::Linear<128, 128>, ctnn::ReLU, ctnn::Linear<128, 128>>;
  static_assert(ctnn::summary<Big>().model_sizeof > ctnn::stack_advice_bytes);  // 4 x 128 KiB
  auto net = ctnn::make_model<Big>();  // std::unique_ptr<Big>, aligned for Eigen
  auto opt = ctnn::make_model<ctnn::optim::Adam<Big>>(*net, ctnn::optim::AdamOptions{});
  // --8<-- [end:make-model]
  std::ostringstream os;
  os << ctnn::summary<Big, ctnn::optim::Adam<Big>>();
  CHECK(os.str().find("allocate on the heap (ctnn::make_model<T>())") != std::string::npos);
  const auto y = net->forward(ctnn::Sample<float, 128>::Ones());
  net->backward(y);
  opt->step();
  CHECK(y.allFinite());
  std::ostringstream small;
  small << ctnn::summary<ctnn::Sequential<ctnn::Linear<8, 16>>>();
  CHECK(small.str().find("allocate on the heap") == std::string::npos);
}

TEST_CASE("print(model) follows nn.Module.__repr__ for multi-line extra_repr", "[modules][print]") {
  // PyTorch: extra lines first, then children, all indented by two
  CHECK(ctnn::repr(Block{}) ==
        "Block(\n  mode=fast\n  scale=2\n  (inner): Linear(in_features=3, out_features=3, bias=True)\n)");
  CHECK(ctnn::repr(ctnn::Sequential<Block>{}) ==
        "Sequential(\n  (0): Block(\n    mode=fast\n    scale=2\n"
        "    (inner): Linear(in_features=3, out_features=3, bias=True)\n  )\n)");
  // without repr_name, the class name without namespace or template arguments
  CHECK(ctnn::repr(seeds::MyLinear<3, 2>{}) == "MyLinear()");
  CHECK(ctnn::repr(seeds::StatefulLinear<3, 2>{}) == "MyLayer(in_features=3, out_features=2)");
  CHECK(ctnn::repr(ctnn::Cached<seeds::CenteredLayer>{}) == "CenteredLayer()");
  CHECK(ctnn::repr(ctnn::Elementwise<Mish>{}) == "Mish()");
}

// ---- summary ------------------------------------------------------------------------------------

TEST_CASE("summary's numbers are compile-time constants", "[modules][summary]") {
  using Net = ctnn::Sequential<ctnn::Linear<8, 128>, ctnn::ReLU, ctnn::Dropout,
                               ctnn::Sequential<ctnn::Linear<128, 16, false>, ctnn::Tanh>, seeds::MyLayer<16, 1>>;
  constexpr auto s = ctnn::summary<Net>();
  STATIC_REQUIRE(s.size() == 8);  // the model, five children, two grandchildren
  STATIC_REQUIRE(s.total_params == 8 * 128 + 128 + 128 * 16 + 16 * 1 + 16);
  STATIC_REQUIRE(s.total_params == ctnn::parameter_count<Net>);
  STATIC_REQUIRE(s.param_bytes == 4 * s.total_params);
  STATIC_REQUIRE(s.buffer_bytes == 0);
  STATIC_REQUIRE(s.in_features == 8 && s.out_features == 1);
  // Linear 2*In*Out + Out; ReLU, Dropout one per element; Tanh likewise; MyLayer its own flops()
  constexpr long long linear0 = 2 * 8 * 128 + 128, linear1 = 2 * 128 * 16, mylayer = 2 * 16 * 1 + 2 * 16;
  STATIC_REQUIRE(s.rows[1].flops == linear0);
  STATIC_REQUIRE(s.rows[2].flops == 128 && s.rows[3].flops == 128);
  STATIC_REQUIRE(s.rows[5].flops == linear1 && s.rows[6].flops == 16);
  STATIC_REQUIRE(s.rows[4].flops == linear1 + 16);  // a container: its children
  STATIC_REQUIRE(s.rows[7].flops == mylayer);
  STATIC_REQUIRE(s.flops_per_sample == linear0 + 128 + 128 + linear1 + 16 + mylayer);
  STATIC_REQUIRE(s.rows[4].depth == 1 && s.rows[4].index == 4 && s.rows[5].depth == 2 && s.rows[5].index == 1);
  STATIC_REQUIRE(s.rows[5].out_features == 16 && s.rows[4].out_features == 16 && s.rows[2].out_features == 128);
  STATIC_REQUIRE(s.rows[7].type.view() == "MyLayer" && s.rows[4].name.view() == "3");
  STATIC_REQUIRE(s.model_bytes() < 20'000);  // a budget, checked by the compiler

  // a shape-polymorphic member of a custom model: its width is decided at run time
  constexpr auto c = ctnn::summary<Classifier>();
  STATIC_REQUIRE(c.size() == 8 && c.rows[6].name.view() == "drop" && c.rows[6].out_features == ctnn::any);
  STATIC_REQUIRE(c.rows[7].name.view() == "head" && c.rows[7].out_features == 2 && c.rows[7].params == 18);
  std::ostringstream table;
  table << c;
  CHECK(table.str().find("\u251c\u2500Dropout (drop): 1-2" + std::string(40 - 21, ' ') + "?" + std::string(19, ' ') + "--") !=
        std::string::npos);

  constexpr auto m = ctnn::summary<seeds::MyNet>();
  STATIC_REQUIRE(m.size() == 2 && m.rows[1].name.view() == "mylayer1" && m.rows[0].type.view() == "MyNet");
  STATIC_REQUIRE(m.total_params == 20 && m.rows[1].params == 20 && m.rows[1].out_features == 3);
}

TEST_CASE("summary prints a torchinfo-like table", "[modules][summary]") {
  using Net = ctnn::Sequential<ctnn::Linear<8, 128>, ctnn::ReLU, ctnn::Sequential<ctnn::Linear<128, 1>>>;
  std::ostringstream out;
  out << ctnn::summary<Net>();
  const std::string text = out.str();
  INFO(text);
  CHECK(text.find("Layer (type (var_name):depth-idx)") != std::string::npos);
  // columns of 40, 20 and 15 characters, as printed (the box characters are one wide)
  const std::string row1 = "\u251c\u2500Linear (0): 1-1" + std::string(40 - 17, ' ') + "128" + std::string(17, ' ') +
                           "1,152" + std::string(10, ' ') + "2,176\n";
  const std::string row2 = "\u2502    \u2514\u2500Linear (0): 2-1" + std::string(40 - 22, ' ') + "1" +
                           std::string(19, ' ') + "129" + std::string(12, ' ') + "257\n";
  CHECK(text.find(row1) != std::string::npos);
  CHECK(text.find(row2) != std::string::npos);
  CHECK(text.find("Total params: 1,281\n") != std::string::npos);
  CHECK(text.find("Params size (bytes): 5,124\n") != std::string::npos);
  // memory: the object (its sizeof depends on the platform's alignment), the activations kept
  // for backward: outer a_0..a_3 (8, 128, 128, 1), inner a_0..a_1 (128, 1)
  CHECK(text.find("Model object, sizeof(Sequential): " + ctnn::detail::readable_bytes(sizeof(Net)) + "\n") !=
        std::string::npos);
  CHECK(text.find("Forward/backward pass size per sample: 1,064 B (1.0 KiB), 266 activations kept for backward\n") !=
        std::string::npos);
  CHECK(text.find("Optimizer") == std::string::npos);  // none given
  CHECK(text.find("heap") == std::string::npos);       // every parameter fits Eigen's stack limit
}

TEST_CASE("summary with an optimizer prints its state and the heap of large parameters", "[modules][summary]") {
  using Big = ctnn::Sequential<ctnn::Linear<1024, 1024>, ctnn::ReLU>;
  constexpr auto s = ctnn::summary<Big, ctnn::optim::Adam<Big>>();
  STATIC_REQUIRE(s.optimizer_sizeof == sizeof(ctnn::optim::Adam<Big>));
  std::ostringstream out;
  out << s;
  const std::string text = out.str();
  INFO(text);
  // 1024 x 1024 floats past the 128 KiB stack limit: value and grad on the heap, Adam's three
  // matrices too
  CHECK(text.find("Model heap (parameters past Eigen's stack limit): 8,388,608 B (8.0 MiB)\n") != std::string::npos);
  CHECK(text.find("Optimizer state, sizeof(Adam): " + ctnn::detail::readable_bytes(sizeof(ctnn::optim::Adam<Big>)) +
                  "\n") != std::string::npos);
  CHECK(text.find("Optimizer state heap (parameters past Eigen's stack limit): 12,582,912 B (12.0 MiB)\n") !=
        std::string::npos);
  CHECK(text.find("Forward/backward pass size per sample: 8,192 B (8.0 KiB), 2,048 activations kept for backward\n") !=
        std::string::npos);
  // unknown widths print "?"; Dropout's masks are named: a_0..a_2 (4, 8, 8) and 8 bools
  std::ostringstream c;
  c << ctnn::summary<Classifier>() << ctnn::summary<ctnn::Sequential<ctnn::Linear<4, 8>, ctnn::Dropout>>();
  CHECK(c.str().find("Forward/backward pass size per sample: ? (a width is decided at run time)\n") != std::string::npos);
  CHECK(c.str().find("Forward/backward pass size per sample: 88 B, 20 activations and 8 dropout mask bytes kept for "
                     "backward\n") != std::string::npos);
  CHECK(ctnn::detail::readable_bytes(552) == "552 B");
  CHECK(ctnn::detail::readable_bytes(10560) == "10,560 B (10.3 KiB)");
  CHECK(ctnn::detail::readable_bytes(3ull << 30) == "3,221,225,472 B (3.0 GiB)");
}

TEST_CASE("summary's memory numbers make a budget the compiler checks", "[modules][summary]") {
  // --8<-- [start:summary-memory]
  using Net = ctnn::Sequential<ctnn::Linear<8, 16>, ctnn::ReLU, ctnn::Linear<16, 1>>;
  constexpr auto s = ctnn::summary<Net, ctnn::optim::Adam<Net>>();
  static_assert(s.activation_values_per_sample == 8 + 16 + 1);  // a_0..a_3 kept for backward, ReLU's in place
  static_assert(s.activation_bytes(/*batch=*/32) == 25 * 32 * 4);  // floats
  static_assert(s.model_sizeof == sizeof(Net) && s.optimizer_sizeof == sizeof(ctnn::optim::Adam<Net>));
  static_assert(s.model_sizeof + s.model_heap_bytes + s.optimizer_bytes() < 16 * 1024);  // a budget
  std::ostringstream table;
  table << s;  // the footer adds sizeof(Sequential), activations per sample, sizeof(Adam)
  // --8<-- [end:summary-memory]
  CHECK(table.str().find("Forward/backward pass size per sample: 100 B, 25 activations kept for backward\n") !=
        std::string::npos);
  CHECK(table.str().find("Optimizer state, sizeof(Adam): ") != std::string::npos);
}

/// Bytes the modules of `model` keep from its last forward, as they report them.
template <class M>
std::size_t kept_bytes(M& model) {
  std::size_t bytes = 0;
  ctnn::for_each_module(model, [&](auto& m) {
    if constexpr (requires { m.activation_bytes(); }) bytes += m.activation_bytes();                 // Sequential
    if constexpr (requires { m.mask(); }) bytes += static_cast<std::size_t>(m.mask().size()) * sizeof(bool);  // Dropout
  });
  return bytes;
}

template <class S>
void check_activation_count() {
  using Net = ctnn::with_scalar<ctnn::Sequential<ctnn::Linear<8, 16>, ctnn::ReLU, ctnn::Dropout,
                                                 ctnn::Sequential<ctnn::Linear<16, 4>, ctnn::Tanh>, ctnn::Linear<4, 1>>,
                                S>;
  constexpr auto s = ctnn::summary<Net>();
  // outer a_0..a_5: 8, 16, (ReLU's output in its input's buffer), 16, 4, 1; inner a_0..a_2:
  // 16, 4, 4 (Tanh's backward reads its output: not in place); Dropout's mask: 16 bools
  STATIC_REQUIRE(s.activation_values_per_sample == 45 + 24);
  STATIC_REQUIRE(s.activation_mask_bytes_per_sample == 16);
  STATIC_REQUIRE(s.activation_bytes(5) == (69 * static_cast<long long>(sizeof(S)) + 16) * 5);
  Net net;
  CHECK(kept_bytes(net) == 0);  // nothing before the first forward
  for (int batch : {5, 32, 2}) {
    INFO("batch " << batch);
    const Eigen::Matrix<S, 8, Eigen::Dynamic> x = Eigen::Matrix<S, 8, Eigen::Dynamic>::Random(8, batch);
    net.forward(x);
    CHECK(kept_bytes(net) == static_cast<std::size_t>(s.activation_bytes(batch)));
  }
}

TEST_CASE("summary's activation count is what the modules keep", "[modules][summary]") {
  check_activation_count<float>();
  check_activation_count<double>();

  // inside a Sequential, Cached<Linear> runs through Linear's forward_into: Sequential keeps
  // x and y (ReLU overwrites y), Cached's caches stay empty (and summary counts them once)
  using Net = ctnn::Sequential<ctnn::Cached<ctnn::Linear<2, 3>>, ctnn::ReLU>;
  STATIC_REQUIRE(ctnn::summary<Net>().activation_values_per_sample == 2 + 3);
  Net net;
  const Eigen::Matrix<float, 2, 4> x = Eigen::Matrix<float, 2, 4>::Ones();
  net.forward(x);
  CHECK(kept_bytes(net) == 5 * 4 * 4);
  CHECK_THROWS_WITH(ctnn::layer<0>(net).backward(Eigen::Matrix<float, 3, 4>::Ones().eval()),
                    Catch::Contains("nothing is cached"));
  // a custom model's Cached member is called through its forward: it keeps x and y
  STATIC_REQUIRE(ctnn::summary<seeds::MyNet>().activation_values_per_sample == 5 + 3);
}

namespace modules_print_test {
struct Stats : ctnn::Module {
  static constexpr int in_features = 4, out_features = 4;
  BOOST_HANA_DEFINE_STRUCT(Stats, (ctnn::Buffer<double, 4>, running_mean), (ctnn::Parameter<float, 4>, gain));
};
}  // namespace modules_print_test
using namespace modules_print_test;

TEST_CASE("summary counts buffers into the model's size", "[modules][summary]") {
  STATIC_REQUIRE(ctnn::detail::count_bytes<Stats, true>() == 4 * 8);
  STATIC_REQUIRE(ctnn::detail::count_bytes<Stats, false>() == 4 * 4);
}

// ---- Dual and Elementwise -----------------------------------------------------------------------

TEST_CASE("Dual numbers differentiate the elementary functions", "[modules][elementwise]") {
  using D = ctnn::Dual<double>;
  const double x = 0.7;
  auto d = [&](auto f) { return f(D(x, 1.0)).d; };
  using std::exp, std::log, std::tanh, std::sqrt, std::sin, std::cos, std::erf, std::atan, std::pow;
  CHECK(d([](D v) { return exp(v); }) == Approx(std::exp(x)));
  CHECK(d([](D v) { return log(v); }) == Approx(1 / x));
  CHECK(d([](D v) { return log1p(v); }) == Approx(1 / (1 + x)));
  CHECK(d([](D v) { return expm1(v); }) == Approx(std::exp(x)));
  CHECK(d([](D v) { return sqrt(v); }) == Approx(0.5 / std::sqrt(x)));
  CHECK(d([](D v) { return tanh(v); }) == Approx(1 - std::tanh(x) * std::tanh(x)));
  CHECK(d([](D v) { return sin(v) * cos(v); }) == Approx(std::cos(2 * x)));
  CHECK(d([](D v) { return sinh(v) - cosh(v); }) == Approx(std::cosh(x) - std::sinh(x)));
  CHECK(d([](D v) { return erf(v); }) == Approx(2 / std::sqrt(M_PI) * std::exp(-x * x)));
  CHECK(d([](D v) { return atan(v); }) == Approx(1 / (1 + x * x)));
  CHECK(d([](D v) { return pow(v, 3.0); }) == Approx(3 * x * x));
  CHECK(d([](D v) { return 1.0 / (1.0 + exp(-v)); }) == Approx(std::exp(-x) / std::pow(1 + std::exp(-x), 2)));
  CHECK(d([](D v) { return abs(-v); }) == 1.0);
  CHECK(d([](D v) { return fmax(v, D(0.0)); }) == 1.0);
  CHECK(d([](D v) { return fmin(v, D(0.0)); }) == 0.0);
  CHECK(d([](D v) { return v > 0.5 ? 2.0 * v : v; }) == 2.0);  // piecewise: the branch taken
  D acc(1.0, 0.0);
  acc += D(x, 1.0);
  acc *= D(x, 1.0);
  acc -= 1.0;
  acc /= 2.0;
  CHECK(acc.d == Approx((1 + 2 * x) / 2));  // d/dx ((1 + x) x - 1) / 2
}

TEST_CASE("Elementwise derives the backward of a user's function", "[modules][elementwise]") {
  // a lambda with captures works too: swish with beta = 1.5
  const double beta = 1.5;
  auto swish = [beta](auto x) {
    using std::exp;
    return x / (1.0 + exp(-beta * x));
  };
  ctnn::Elementwise<decltype(swish)> layer(swish);
  CHECK(ctnn::repr(layer) == "Elementwise()");
  Eigen::Matrix<double, 4, 3> x = Eigen::Matrix<double, 4, 3>::Random() * 3;
  const auto result = ctnn::testing::gradcheck(layer, x);
  INFO(result.message());
  CHECK(result.ok);
  STATIC_REQUIRE(ctnn::Layer<ctnn::Elementwise<Mish>>);
  STATIC_REQUIRE(ctnn::Elementwise<Mish>::in_features == ctnn::any);
  // inside a Sequential, in float, with an exact derivative check
  ctnn::Sequential<ctnn::Linear<3, 4>, ctnn::Elementwise<Mish>> net;
  const Eigen::Matrix<float, 3, 2> xs = Eigen::Matrix<float, 3, 2>::Random();
  const auto y = net(xs);
  const Eigen::Matrix<float, 4, 2> z = ctnn::layer<0>(net).forward(xs);
  const auto dz = net.backward(Eigen::Matrix<float, 4, 2>::Ones());
  const Eigen::Matrix<float, 3, 2> expected_dx =
      ctnn::layer<0>(net).weight.value.transpose() *
      z.unaryExpr([](float v) { return Mish{}(ctnn::Dual<float>(v, 1.0f)).d; });
  CHECK(y.isApprox(z.unaryExpr(Mish{})));
  CHECK(dz.isApprox(expected_dx));
}
