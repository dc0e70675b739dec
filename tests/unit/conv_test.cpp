// The convolutions (layers/conv.hpp) against PyTorch: outputs, input and parameter gradients
// in float and double on committed reference data (tests/reference/generate.py conv), every
// padding kind and mode, strides, dilations, groups, transposed layers; finite-difference
// gradients; printed texts; state_dict names and shapes; causal streaming against the
// sequence form; a small network with ctnn::with_input.
#include <catch2/catch.hpp>
#include <ctnn/core/sequential.hpp>
#include <ctnn/io/print.hpp>
#include <ctnn/layers/activations.hpp>
#include <ctnn/layers/conv.hpp>
#include <ctnn/layers/flatten.hpp>
#include <ctnn/layers/linear.hpp>
#include <ctnn/testing/gradcheck.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "source_dir.hpp"
#include "torch_compare.hpp"
#include "prints.hpp"

using ctnn_test::golden;
using ctnn_test::printed;

using namespace ctnn_test;

namespace {

using ctnn::ConvOptions;
using ctnn::ConvTransposeOptions;
using ctnn::PaddingMode;
using ctnn::shape_of;
using ctnn::size2;

constexpr int batch = 3;

/// Layer L (bound to its input shape, scalar S) on the case's x and grad_out: y, dL/dx and
/// every parameter's gradient against PyTorch's, the parameters' names and shapes against
/// the state_dict's, and backward(..., parameters_only) against the full backward.
template <class L>
void compare(const std::string& case_name) {
  using S = typename L::scalar_type;
  INFO("reference case " << case_name << " in " << (sizeof(S) == 4 ? "float" : "double"));
  const Reference ref = load_reference(case_name);
  L layer;
  int tensors = 0;
  ctnn::named_parameters(layer, [&](std::string_view name, auto& p) {
    INFO("parameter " << name);
    const auto& t = ref.tensor(std::string(name));
    const auto shape = p.shape();
    CHECK(std::vector<int>(shape.begin(), shape.end()) == t.shape);
    ++tensors;
  });
  CHECK(tensors == (ref.has("bias") ? 2 : 1));
  load_parameters(layer, ref);
  ctnn::zero_grad(layer);
  using X = Eigen::Matrix<S, L::in_features, batch>;
  using Y = Eigen::Matrix<S, L::out_features, batch>;
  const auto x = batch_from<X>(ref.tensor("x"));
  const Y y = layer.forward(x);
  CHECK(relative_error(y, batch_from<Y>(ref.tensor("y"))) <= tolerance<S>);
  const auto g = batch_from<Y>(ref.tensor("grad_out"));
  const X dx = layer.backward(x, y, g);
  CHECK(relative_error(dx, batch_from<X>(ref.tensor("grad_x"))) <= tolerance<S>);
  auto check_grads = [&] {
    ctnn::named_parameters(layer, [&](std::string_view name, auto& p) {
      INFO("gradient of " << name);
      using M = std::remove_cvref_t<decltype(p.grad)>;
      const auto expected = parameter_from<M>(ref.tensor("grad." + std::string(name)), p.grad.rows(), p.grad.cols());
      CHECK(relative_error(p.grad, expected) <= tolerance<S>);
    });
  };
  check_grads();
  ctnn::zero_grad(layer);
  layer.backward(x, y, g, ctnn::parameters_only);
  check_grads();
}

/// The case in float and double, and its printed text (PyTorch's print of the module).
template <class U, ctnn::Shape In>
void check_case(const std::string& case_name, bool print = true) {
  compare<ctnn::bound<typename U::template with_scalar<float>, In>>(case_name);
  compare<ctnn::bound<typename U::template with_scalar<double>, In>>(case_name);
  if (print) {
    CHECK(printed(ctnn::bound<U, In>{}) == golden(case_name));
    CHECK(printed(U{}) == golden(case_name));  // the unbound layer prints the same
  }
}

}  // namespace

TEST_CASE("Conv1d matches PyTorch: strides, paddings, dilation, groups, bias, padding modes", "[conv][torch]") {
  check_case<ctnn::Conv1d<2, 3, 3>, shape_of<2, 9>>("conv1d_basic");
  check_case<ctnn::Conv1d<1, 4, 5, ConvOptions{.stride = 3}>, shape_of<1, 17>>("conv1d_stride");
  check_case<ctnn::Conv1d<2, 3, 3, ConvOptions{.padding = 2}>, shape_of<2, 7>>("conv1d_padding");
  check_case<ctnn::Conv1d<2, 3, 4, ConvOptions{.padding = ctnn::same}>, shape_of<2, 8>>("conv1d_same_even");
  check_case<ctnn::Conv1d<2, 2, 3, ConvOptions{.padding = ctnn::same, .dilation = 2}>, shape_of<2, 8>>(
      "conv1d_same_dilated");
  check_case<ctnn::Conv1d<2, 3, 3, ConvOptions{.padding = ctnn::valid}>, shape_of<2, 6>>("conv1d_valid");
  check_case<ctnn::Conv1d<2, 3, 3, ConvOptions{.stride = 2, .padding = 1, .dilation = 2}>, shape_of<2, 11>>(
      "conv1d_dilation");
  check_case<ctnn::Conv1d<4, 6, 3, ConvOptions{.groups = 2}>, shape_of<4, 7>>("conv1d_groups");
  check_case<ctnn::Conv1d<3, 3, 3, ConvOptions{.padding = 1, .groups = 3}>, shape_of<3, 6>>("conv1d_depthwise");
  check_case<ctnn::Conv1d<2, 3, 3, ConvOptions{.bias = false}>, shape_of<2, 6>>("conv1d_nobias");
  check_case<ctnn::Conv1d<2, 3, 3, ConvOptions{.padding = 2, .padding_mode = PaddingMode::reflect}>, shape_of<2, 6>>(
      "conv1d_reflect");
  check_case<ctnn::Conv1d<2, 3, 3, ConvOptions{.padding = 2, .padding_mode = PaddingMode::replicate}>,
             shape_of<2, 6>>("conv1d_replicate");
  check_case<ctnn::Conv1d<2, 3, 3, ConvOptions{.padding = 2, .padding_mode = PaddingMode::circular}>,
             shape_of<2, 6>>("conv1d_circular");
  check_case<ctnn::Conv1d<2, 3, 4, ConvOptions{.padding = ctnn::same, .padding_mode = PaddingMode::reflect}>,
             shape_of<2, 6>>("conv1d_same_reflect");
  // ctnn's causal padding: PyTorch's F.pad((K - 1) d, 0) then Conv1d (no PyTorch print)
  check_case<ctnn::Conv1d<2, 3, 3, ConvOptions{.padding = ctnn::causal, .dilation = 2}>, shape_of<2, 10>>(
      "conv1d_causal", false);
  // rows of a SIMD packet of outputs or more: the direct forward (also kernels_test, per SIMD width)
  check_case<ctnn::Conv1d<5, 7, 3, ConvOptions{.padding = 3, .dilation = 2}>, shape_of<5, 45>>("conv1d_wide");
  check_case<ctnn::Conv1d<6, 9, 4, ConvOptions{.padding = ctnn::same, .groups = 3, .padding_mode = PaddingMode::reflect}>,
             shape_of<6, 37>>("conv1d_wide_groups");
  check_case<ctnn::Conv1d<8, 20, 5>, shape_of<8, 40>>("conv1d_deep");
  CHECK(printed(ctnn::Conv1d<1, 12, 5, ConvOptions{.padding = ctnn::same}>{}) == golden("conv1d_same_print"));
  CHECK(printed(ctnn::Conv1d<1, 12, 5, ConvOptions{.padding = ctnn::valid}>{}) == golden("conv1d_valid_print"));
  CHECK(printed(ctnn::Conv1d<1, 12, 5, ConvOptions{.padding = ctnn::causal}>{}) ==
        "Conv1d(1, 12, kernel_size=(5,), stride=(1,), padding=causal)\n");
}

TEST_CASE("Conv2d matches PyTorch", "[conv][torch]") {
  check_case<ctnn::Conv2d<2, 3, 3>, shape_of<2, 5, 4>>("conv2d_basic");
  check_case<ctnn::Conv2d<1, 4, size2{3, 2}, ConvOptions{.stride = size2{2, 1}, .padding = size2{1, 0}}>,
             shape_of<1, 7, 5>>("conv2d_rect");
  check_case<ctnn::Conv2d<2, 2, size2{4, 3}, ConvOptions{.padding = ctnn::same, .dilation = size2{1, 2}}>,
             shape_of<2, 5, 5>>("conv2d_same");
  check_case<ctnn::Conv2d<4, 4, 3, ConvOptions{.padding = 1, .groups = 2, .bias = false}>, shape_of<4, 4, 3>>(
      "conv2d_groups");
  check_case<ctnn::Conv2d<3, 3, 3, ConvOptions{.stride = 2, .groups = 3}>, shape_of<3, 5, 5>>("conv2d_depthwise");
  check_case<ctnn::Conv2d<2, 3, 3, ConvOptions{.padding = size2{1, 2}, .padding_mode = PaddingMode::reflect}>,
             shape_of<2, 3, 4>>("conv2d_reflect");
  check_case<ctnn::Conv2d<2, 3, 3, ConvOptions{.padding = size2{1, 2}, .padding_mode = PaddingMode::replicate}>,
             shape_of<2, 3, 4>>("conv2d_replicate");
  check_case<ctnn::Conv2d<2, 3, 3, ConvOptions{.padding = size2{1, 2}, .padding_mode = PaddingMode::circular}>,
             shape_of<2, 3, 4>>("conv2d_circular");
  check_case<ctnn::Conv2d<3, 5, size2{2, 3},
                          ConvOptions{.stride = size2{2, 1}, .padding = size2{1, 1}, .dilation = size2{1, 2}}>,
             shape_of<3, 5, 24>>("conv2d_wide");
  check_case<ctnn::Conv2d<2, 4, 3, ConvOptions{.padding = 1, .bias = false}>, shape_of<2, 3, 33>>("conv2d_wide_nobias");
}

TEST_CASE("ConvTranspose1d and ConvTranspose2d match PyTorch", "[conv][torch]") {
  check_case<ctnn::ConvTranspose1d<2, 3, 3>, shape_of<2, 5>>("convt1d_basic");
  check_case<ctnn::ConvTranspose1d<3, 2, 4, ConvTransposeOptions{.stride = 2, .padding = 1, .output_padding = 1}>,
             shape_of<3, 5>>("convt1d_stride");
  check_case<ctnn::ConvTranspose1d<4, 6, 3,
                                   ConvTransposeOptions{
                                       .stride = 3, .output_padding = 2, .groups = 2, .bias = false, .dilation = 2}>,
             shape_of<4, 4>>("convt1d_groups");
  check_case<ctnn::ConvTranspose2d<2, 3, size2{3, 2},
                                   ConvTransposeOptions{
                                       .stride = size2{2, 1}, .padding = size2{1, 0}, .output_padding = size2{1, 0}}>,
             shape_of<2, 4, 3>>("convt2d");
}

TEST_CASE("shape rules: PyTorch's output sizes, rank and channels checked", "[conv][shapes]") {
  using C = ctnn::Conv1d<1, 12, 5, ConvOptions{.stride = 3}>;
  STATIC_REQUIRE(C::accepts(shape_of<1, 128>));
  STATIC_REQUIRE(!C::accepts(shape_of<2, 128>));
  STATIC_REQUIRE(!C::accepts(shape_of<128>));
  STATIC_REQUIRE(C::output_shape(shape_of<1, 128>) == shape_of<12, 42>);
  STATIC_REQUIRE(ctnn::Conv1d<1, 4, 4, ConvOptions{.padding = ctnn::same}>::output_shape(shape_of<1, 9>) ==
                 shape_of<4, 9>);
  STATIC_REQUIRE(ctnn::Conv1d<1, 4, 3, ConvOptions{.padding = ctnn::causal, .dilation = 4}>::output_shape(
                     shape_of<1, 9>) == shape_of<4, 9>);
  STATIC_REQUIRE(ctnn::Conv2d<1, 8, 3, ConvOptions{.padding = 1}>::output_shape(shape_of<1, 28, 28>) ==
                 shape_of<8, 28, 28>);
  STATIC_REQUIRE(ctnn::ConvTranspose1d<4, 2, 4, ConvTransposeOptions{.stride = 2, .padding = 1}>::output_shape(
                     shape_of<4, 10>) == shape_of<2, 20>);
  // FLOPs: 2 multiply-adds per weight use, plus the bias additions
  using B = ctnn::bound<C, shape_of<1, 128>>;
  STATIC_REQUIRE(B::flops() == 2LL * 12 * 42 * 5 + 12 * 42);
  STATIC_REQUIRE(ctnn::bound<ctnn::Conv2d<4, 6, 3, ConvOptions{.groups = 2, .bias = false}>, shape_of<4, 5, 5>>::flops() ==
                 2LL * 6 * 9 * 2 * 9);
}

TEST_CASE("initialisation: PyTorch's bound 1/sqrt(fan_in), fan_in = weight.size(1) * kernel", "[conv][init]") {
  auto check = [](const auto& layer, double fan_in) {
    const double bound = 1 / std::sqrt(fan_in);
    CHECK(layer.weight.value.cwiseAbs().maxCoeff() <= bound);
    CHECK(layer.weight.value.cwiseAbs().maxCoeff() > 0.8 * bound);
    CHECK(layer.bias.value.cwiseAbs().maxCoeff() <= bound);
  };
  ctnn::manual_seed(3);
  check(ctnn::bound<ctnn::Conv1d<4, 8, 5, ConvOptions{.groups = 2}>, shape_of<4, 20>>{}, 2 * 5);
  check(ctnn::bound<ctnn::Conv2d<3, 16, size2{3, 2}>, shape_of<3, 8, 8>>{}, 3 * 6);
  check(ctnn::bound<ctnn::ConvTranspose1d<8, 6, 3, ConvTransposeOptions{.groups = 2}>, shape_of<8, 20>>{}, 3 * 3);
  // the same draws as Linear: weight then bias, from the default generator
  ctnn::manual_seed(7);
  ctnn::bound<ctnn::Conv1d<2, 3, 1>, shape_of<2, 4>> conv;
  ctnn::manual_seed(7);
  ctnn::Linear<2, 3> linear;
  CHECK(conv.weight.value.reshaped() == linear.weight.value.reshaped());
  CHECK(conv.bias.value == linear.bias.value);
  ctnn::bound<ctnn::Conv1d<2, 3, 1>, shape_of<2, 4>> skipped(ctnn::skip_init_t{});
  CHECK(skipped.weight.value.isZero());
}

TEST_CASE("finite-difference gradients in double", "[conv][gradcheck]") {
  auto check = [](auto layer, std::uint64_t seed) {
    using L = decltype(layer);
    ctnn::Generator gen(seed);
    Eigen::Matrix<double, L::in_features, 2> x;
    for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = gen.uniform(-2.0, 2.0);
    const auto r = ctnn::testing::gradcheck(layer, x);
    INFO(r.message());
    CHECK(r.ok);
  };
  using D = double;
  check(ctnn::bound<ctnn::Conv1d<2, 4, 3, ConvOptions{.stride = 2, .padding = 2, .dilation = 2, .groups = 2,
                                                         .padding_mode = PaddingMode::reflect},
                                 D>,
                    shape_of<2, 9>>{},
        1);
  check(ctnn::bound<ctnn::Conv1d<2, 2, 4, ConvOptions{.padding = ctnn::same, .padding_mode = PaddingMode::circular}, D>,
                    shape_of<2, 7>>{},
        2);
  check(ctnn::bound<ctnn::Conv2d<2, 2, size2{3, 2}, ConvOptions{.stride = size2{1, 2}, .padding = 1,
                                                                   .padding_mode = PaddingMode::replicate},
                                 D>,
                    shape_of<2, 4, 5>>{},
        3);
  check(ctnn::bound<ctnn::ConvTranspose1d<2, 4, 3, ConvTransposeOptions{.stride = 2, .padding = 1, .output_padding = 1,
                                                                         .groups = 2},
                                          D>,
                    shape_of<2, 5>>{},
        4);
  check(ctnn::bound<ctnn::ConvTranspose2d<2, 2, 2, ConvTransposeOptions{.stride = 2}, D>, shape_of<2, 3, 2>>{}, 5);
}

TEST_CASE("causal Conv1d streams: step by step and in blocks equals the sequence form", "[conv][streaming]") {
  constexpr int L = 1200;
  using Conv = ctnn::bound<ctnn::Conv1d<3, 4, 3, ConvOptions{.padding = ctnn::causal, .dilation = 3, .groups = 1}, double>,
                           shape_of<3, L>>;
  STATIC_REQUIRE(Conv::step_in_features == 3 && Conv::step_out_features == 4);
  STATIC_REQUIRE(Conv::state_bytes == 3 * 7 * 8);
  // a Conv1d that does not stream keeps no state between steps (summary prints none)
  STATIC_REQUIRE(ctnn::bound<ctnn::Conv1d<3, 4, 3, ConvOptions{.dilation = 3}, double>, shape_of<3, L>>::state_bytes == 0);
  STATIC_REQUIRE(ctnn::state_bytes<ctnn::with_input<
                     ctnn::Sequential<ctnn::Conv1d<1, 8, 5>, ctnn::ReLU, ctnn::Conv1d<8, 8, 3>>, 1, 64>> == 0);
  Conv conv;
  ctnn::Generator gen(11);
  ctnn::Matrix<double, 3 * L, 1> x(3 * L, 1);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = gen.uniform(-1.0, 1.0);
  const auto y = conv.forward(x);
  // a sample is (C, L) row-major: time step t is column t of the C x L view
  const Eigen::Map<const Eigen::Matrix<double, L, 3>> xs(x.data());
  const Eigen::Map<const Eigen::Matrix<double, L, 4>> ys(y.data());
  double worst = 0;
  for (int t = 0; t < L; ++t) {
    const Eigen::Matrix<double, 3, 1> xt = xs.row(t).transpose();
    const Eigen::Matrix<double, 4, 1> yt = conv.step(xt);
    worst = std::max(worst, (yt - ys.row(t).transpose()).cwiseAbs().maxCoeff());
  }
  CHECK(worst <= 1e-12);
  // blocks of 40 steps after reset_state
  conv.reset_state();
  worst = 0;
  for (int t0 = 0; t0 < L; t0 += 40) {
    const Eigen::Matrix<double, 3, 40> xb = xs.middleRows<40>(t0).transpose();
    const Eigen::Matrix<double, 4, 40> yb = conv.step(xb);
    worst = std::max(worst, (yb - ys.middleRows<40>(t0).transpose()).cwiseAbs().maxCoeff());
  }
  CHECK(worst <= 1e-12);
  // grouped, float
  using G = ctnn::bound<ctnn::Conv1d<4, 6, 5, ConvOptions{.padding = ctnn::causal, .groups = 2}>, shape_of<4, 300>>;
  G gconv;
  Eigen::Matrix<float, 4 * 300, 1> xf = Eigen::Matrix<float, 4 * 300, 1>::Random();
  const auto yf = gconv.forward(xf);
  const Eigen::Map<const Eigen::Matrix<float, 300, 4>> xfs(xf.data());
  const Eigen::Map<const Eigen::Matrix<float, 300, 6>> yfs(yf.data());
  float fworst = 0;
  for (int t = 0; t < 300; ++t)
    fworst = std::max(fworst, (gconv.step(Eigen::Matrix<float, 4, 1>(xfs.row(t).transpose())) - yfs.row(t).transpose())
                                  .cwiseAbs()
                                  .maxCoeff());
  CHECK(fworst <= 1e-5f);
}

TEST_CASE("large feature maps above Eigen's stack limit", "[conv][large]") {
  // (16, 96, 96) -> (16, 96, 96): 147456 floats per map, cols 9216 x 144
  using Big = ctnn::bound<ctnn::Conv2d<16, 16, 3, ConvOptions{.padding = 1}>, shape_of<16, 96, 96>>;
  auto conv = std::make_unique<Big>();
  ctnn::Matrix<float, Big::in_features, 1> x(Big::in_features, 1);
  x.setRandom();
  const auto y = conv->forward(x);
  // one output by hand: channel 5 at (40, 0) (left edge: padding)
  double expected = conv->bias.value(5);
  for (int c = 0; c < 16; ++c)
    for (int ky = 0; ky < 3; ++ky)
      for (int kx = 0; kx < 3; ++kx) {
        const int iy = 40 + ky - 1, ix = kx - 1;
        if (ix < 0) continue;
        expected += double(conv->weight.value(5, c * 9 + ky * 3 + kx)) * x((c * 96 + iy) * 96 + ix);
      }
  CHECK(std::abs(y((5 * 96 + 40) * 96 + 0) - expected) <= 1e-4);
  const auto dx = conv->backward(x, y, y);
  CHECK(dx.allFinite());
}

TEST_CASE("a small network with with_input: forward and backward match PyTorch", "[conv][sequential]") {
  using Net = ctnn::with_input<ctnn::Sequential<ctnn::Conv1d<1, 4, 3>, ctnn::ReLU,
                                                ctnn::Conv1d<4, 2, 3, ConvOptions{.stride = 2}>, ctnn::Flatten,
                                                ctnn::Linear<ctnn::any, 3>>,
                               1, 16>;
  STATIC_REQUIRE(Net::out_shape == shape_of<3>);
  CHECK(printed(Net{}) == golden("conv_net"));
  auto run = [&]<class S>(S) {
    using N = ctnn::with_scalar<Net, S>;
    INFO((sizeof(S) == 4 ? "float" : "double"));
    const Reference ref = load_reference("conv_net");
    N net;
    load_parameters(net, ref);
    ctnn::zero_grad(net);
    const auto x = batch_from<Eigen::Matrix<S, 16, batch>>(ref.tensor("x"));
    const Eigen::Matrix<S, 3, batch> y = net.forward(x);
    CHECK(relative_error(y, batch_from<Eigen::Matrix<S, 3, batch>>(ref.tensor("y"))) <= tolerance<S>);
    const Eigen::Matrix<S, 16, batch> dx = net.backward(batch_from<Eigen::Matrix<S, 3, batch>>(ref.tensor("grad_out")));
    CHECK(relative_error(dx, batch_from<Eigen::Matrix<S, 16, batch>>(ref.tensor("grad_x"))) <= tolerance<S>);
    ctnn::named_parameters(net, [&](std::string_view name, auto& p) {
      INFO("gradient of " << name);
      using M = std::remove_cvref_t<decltype(p.grad)>;
      CHECK(relative_error(p.grad, parameter_from<M>(ref.tensor("grad." + std::string(name)), p.grad.rows(),
                                                    p.grad.cols())) <= tolerance<S>);
    });
  };
  run(float{});
  run(double{});
}
