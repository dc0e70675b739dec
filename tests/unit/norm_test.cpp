// The normalisation layers against PyTorch (tests/reference/generate.py norm): BatchNorm1d on
// (C) and (C, L), BatchNorm2d, their options, LayerNorm over one and two dimensions and
// GroupNorm, in training mode (values, every gradient, the running statistics after one and
// after several forwards) and then in eval mode; finite-difference gradchecks in both modes;
// print(model) texts, state_dict names, files with the int64 num_batches_tracked, the one
// run-time error, and feature maps above Eigen's stack limit.
#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <ctnn/ctnn.hpp>
#include <ctnn/layers/batchnorm.hpp>
#include <ctnn/layers/groupnorm.hpp>
#include <ctnn/layers/layernorm.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <unistd.h>
#include <vector>

#include "torch_compare.hpp"
#include "prints.hpp"

using ctnn_test::golden;
using ctnn_test::printed;

using namespace ctnn_test;

namespace {

/// Compares every buffer of `layer` with the reference tensors prefix + its name.
template <class L>
void check_buffers(L& layer, const Reference& ref, const std::string& prefix) {
  int n = 0;
  ctnn::named_buffers(layer, [&](std::string_view name, auto& b) {
    INFO("buffer " << prefix << name);
    const Tensor& t = ref.tensor(prefix + std::string(name));
    const Eigen::MatrixXd expected =
        parameter_from<Eigen::MatrixXd>(t, b.value.rows(), b.value.cols());
    CHECK(relative_error(b.value.template cast<double>(), expected) <= 1e-6);  // running stats: float or double
    ++n;
  });
  CHECK(n == (ref.has(prefix + "running_mean") ? 3 : 0));
}

/// One forward and backward on x0 compared with the reference tensors under `prefix`.
template <class S, int F, class L>
void check_step(L& layer, const Reference& ref, const std::string& prefix) {
  ctnn::zero_grad(layer);
  const auto x = batch_from<Eigen::Matrix<S, F, 4>>(ref.tensor("x0"));
  const Eigen::Matrix<S, F, 4> y = layer.forward(x);
  CHECK(relative_error(y, batch_from<Eigen::Matrix<S, F, 4>>(ref.tensor(prefix + "y"))) <= tolerance<S>);
  const auto g = batch_from<Eigen::Matrix<S, F, 4>>(ref.tensor(prefix + "grad_out"));
  const Eigen::Matrix<S, F, 4> dx = layer.backward(x, y, g);
  CHECK(relative_error(dx, batch_from<Eigen::Matrix<S, F, 4>>(ref.tensor(prefix + "grad_x"))) <= tolerance<S>);
  ctnn::named_parameters(layer, [&](std::string_view name, auto& p) {
    INFO("gradient of " << name);
    using M = std::remove_cvref_t<decltype(p.grad)>;
    CHECK(relative_error(p.grad, parameter_from<M>(ref.tensor(prefix + "grad." + std::string(name)), p.grad.rows(),
                                                   p.grad.cols())) <= tolerance<S>);
  });
}

/// The whole case: training forward/backward on x0, the running statistics after it, the
/// other training forwards and the statistics after them, then eval mode on x0.
template <class L, int F>
void compare_norm(const std::string& case_name, L proto = L{}) {
  using S = ctnn::scalar_of<L>;
  INFO("reference case " << case_name << " in " << (sizeof(S) == 4 ? "float" : "double"));
  const Reference ref = load_reference(case_name);
  auto layer = std::make_unique<L>(proto);
  load_parameters(*layer, ref);
  ctnn::train(*layer);
  check_step<S, F>(*layer, ref, "");
  check_buffers(*layer, ref, "after1.");
  int forwards = 1;
  while (ref.has("x" + std::to_string(forwards))) {
    (void)layer->forward(batch_from<Eigen::Matrix<S, F, 4>>(ref.tensor("x" + std::to_string(forwards))));
    ++forwards;
  }
  if (forwards > 1) check_buffers(*layer, ref, "after" + std::to_string(forwards) + ".");
  ctnn::eval(*layer);
  check_step<S, F>(*layer, ref, "eval.");
}

template <template <class> class Make, int F>
void compare_both(const std::string& case_name) {
  compare_norm<Make<float>, F>(case_name);
  compare_norm<Make<double>, F>(case_name);
}

template <class S> using BN1 = ctnn::BatchNorm1d<6, ctnn::BatchNormOptions{}, S>;
template <class S> using BN1Seq = ctnn::BatchNorm1d<3, ctnn::BatchNormOptions{}, S>;
template <class S> using BN2 = ctnn::BatchNorm2d<3, ctnn::BatchNormOptions{}, S>;
template <class S> using BN1NoAffine = ctnn::BatchNorm1d<3, ctnn::BatchNormOptions{.affine = false}, S>;
template <class S> using BN2NoStats = ctnn::BatchNorm2d<3, ctnn::BatchNormOptions{.track_running_stats = false}, S>;
template <class S> using LN = ctnn::LayerNorm<5, ctnn::LayerNormOptions{}, S>;
template <class S> using LN2 = ctnn::LayerNorm<ctnn::shape_of<2, 3>, ctnn::LayerNormOptions{}, S>;
template <class S> using LNNoAffine = ctnn::LayerNorm<5, ctnn::LayerNormOptions{.elementwise_affine = false}, S>;
template <class S> using GN = ctnn::GroupNorm<2, 4, ctnn::GroupNormOptions{}, S>;
template <class S> using GNNoAffine = ctnn::GroupNorm<3, 6, ctnn::GroupNormOptions{.affine = false}, S>;
template <class S> using GNFlat = ctnn::GroupNorm<3, 6, ctnn::GroupNormOptions{}, S>;

/// An input in [-2, 2].
template <int F, int B>
Eigen::Matrix<double, F, B> uniform_input(std::uint64_t seed) {
  ctnn::Generator gen(seed);
  Eigen::Matrix<double, F, B> x;
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = gen.uniform(-2.0, 2.0);
  return x;
}

/// Weights away from ones and biases away from zeros, so the gradcheck sees them act.
template <class L>
void perturb(L& layer, std::uint64_t seed) {
  ctnn::Generator gen(seed);
  ctnn::parameters(layer, [&](auto& p) {
    for (Eigen::Index i = 0; i < p.value.size(); ++i) p.value.data()[i] += gen.uniform(-0.5, 0.5);
  });
}

template <class L, int F>
void gradcheck_both_modes(L layer = L{}) {
  perturb(layer, 3);
  ctnn::train(layer);
  const auto x = uniform_input<F, 3>(5);
  const auto trained = ctnn::testing::gradcheck(layer, x);
  INFO("training mode: " << trained.message());
  CHECK(trained.ok);
  CHECK(trained.checked == F * 3 + ctnn::parameter_count<L>);
  ctnn::eval(layer);
  const auto evaluated = ctnn::testing::gradcheck(layer, x);
  INFO("eval mode: " << evaluated.message());
  CHECK(evaluated.ok);
}

}  // namespace

TEST_CASE("BatchNorm1d and BatchNorm2d agree with PyTorch in training and eval mode, running statistics included",
          "[norm][batchnorm][torch]") {
  compare_both<BN1, 6>("bn1d");
  compare_both<BN1Seq, 12>("bn1d_seq");
  compare_both<BN2, 12>("bn2d");
  compare_both<BN1NoAffine, 12>("bn1d_noaffine");
  compare_both<BN2NoStats, 12>("bn2d_nostats");

  // momentum None: the cumulative average over the four batches
  ctnn::BatchNorm1d<6, ctnn::BatchNormOptions{}, double> cma;
  cma.momentum = std::nullopt;
  compare_norm<decltype(cma), 6>("bn1d_cma", cma);
  ctnn::BatchNorm1d<6> cma_f;
  cma_f.momentum = std::nullopt;
  compare_norm<decltype(cma_f), 6>("bn1d_cma", cma_f);

  // eps and momentum set after construction, as PyTorch's attributes
  ctnn::BatchNorm2d<2, ctnn::BatchNormOptions{}, double> m;
  m.eps = 1e-3;
  m.momentum = 0.3;
  compare_norm<decltype(m), 8>("bn2d_momentum", m);
  ctnn::BatchNorm2d<2> mf;
  mf.eps = 1e-3;
  mf.momentum = 0.3;
  compare_norm<decltype(mf), 8>("bn2d_momentum", mf);
}

TEST_CASE("LayerNorm and GroupNorm agree with PyTorch", "[norm][layernorm][groupnorm][torch]") {
  compare_both<LN, 5>("ln");
  compare_both<LN, 15>("ln_seq");  // (3, 5) samples: each time step normalised alone
  compare_both<LN2, 12>("ln_2d");  // LayerNorm((2, 3)) on (2, 2, 3) samples
  LNNoAffine<double> lnd;
  lnd.eps = 1e-3;
  compare_norm<decltype(lnd), 15>("ln_noaffine", lnd);
  LNNoAffine<float> lnf;
  lnf.eps = 1e-3;
  compare_norm<decltype(lnf), 15>("ln_noaffine", lnf);
  compare_both<GN, 12>("gn");
  compare_both<GNNoAffine, 12>("gn_noaffine");
  compare_both<GNFlat, 6>("gn_flat");
}

TEST_CASE("the normalisation layers pass the gradient check in double, in training and in eval mode",
          "[norm][gradcheck]") {
  gradcheck_both_modes<ctnn::BatchNorm1d<5, ctnn::BatchNormOptions{}, double>, 5>();
  gradcheck_both_modes<ctnn::BatchNorm1d<3, ctnn::BatchNormOptions{}, double>, 12>();
  gradcheck_both_modes<ctnn::BatchNorm2d<2, ctnn::BatchNormOptions{}, double>, 8>();
  gradcheck_both_modes<ctnn::BatchNorm2d<2, ctnn::BatchNormOptions{.affine = false}, double>, 8>();
  gradcheck_both_modes<ctnn::BatchNorm1d<3, ctnn::BatchNormOptions{.track_running_stats = false}, double>, 6>();
  gradcheck_both_modes<LN<double>, 10>();
  gradcheck_both_modes<LN2<double>, 12>();
  gradcheck_both_modes<LNNoAffine<double>, 15>();
  gradcheck_both_modes<GN<double>, 12>();
  gradcheck_both_modes<GNNoAffine<double>, 6>();

  // eval mode after training: the running statistics are not those of the batch
  ctnn::BatchNorm1d<3, ctnn::BatchNormOptions{}, double> bn;
  for (int i = 0; i < 3; ++i) (void)bn.forward(uniform_input<12, 4>(20 + i) * 2.0);
  bn.eval();
  const auto r = ctnn::testing::gradcheck(bn, uniform_input<12, 3>(9));
  INFO(r.message());
  CHECK(r.ok);

  // and in a network: Linear, BatchNorm1d, ReLU, Linear, LayerNorm, GroupNorm
  using Net = ctnn::with_scalar<ctnn::Sequential<ctnn::Linear<4, 6>, ctnn::BatchNorm1d<6>, ctnn::Tanh, ctnn::Linear<6, 4>,
                                                 ctnn::LayerNorm<4>, ctnn::GroupNorm<2, 4>>,
                                double>;
  Net net;
  perturb(net, 4);
  const auto rn = ctnn::testing::gradcheck(net, uniform_input<4, 5>(8));
  INFO(rn.message());
  CHECK(rn.ok);
  CHECK(rn.checked == 4 * 5 + ctnn::parameter_count<Net>);
  net.eval();
  const auto re = ctnn::testing::gradcheck(net, uniform_input<4, 5>(8));
  INFO(re.message());
  CHECK(re.ok);
}

TEST_CASE("frozen parameters keep their gradient and gradients accumulate", "[norm][batchnorm]") {
  ctnn::BatchNorm2d<2, ctnn::BatchNormOptions{}, double> bn;
  const auto x = uniform_input<8, 3>(1);
  const auto g = uniform_input<8, 3>(2);
  auto y = bn.forward(x);
  (void)bn.backward(x, y, g);
  const Eigen::Vector2d once_w = bn.weight.grad, once_b = bn.bias.grad;
  y = bn.forward(x);
  (void)bn.backward(x, y, g);
  CHECK(relative_error(bn.weight.grad, 2 * once_w) <= 1e-12);
  CHECK(relative_error(bn.bias.grad, 2 * once_b) <= 1e-12);
  bn.weight.requires_grad = false;
  ctnn::zero_grad(bn);
  (void)bn.backward(x, bn.forward(x), g);
  CHECK(bn.weight.grad.isZero());
  CHECK(relative_error(bn.bias.grad, once_b) <= 1e-12);
}

TEST_CASE("print(model) is PyTorch's text", "[norm][print]") {
  CHECK(printed(ctnn::BatchNorm2d<8>{}) == golden("norm_bn2d"));
  ctnn::BatchNorm1d<16, ctnn::BatchNormOptions{.affine = false, .track_running_stats = false}> bn;
  bn.eps = 1e-3;
  bn.momentum = std::nullopt;
  CHECK(printed(bn) == golden("norm_bn1d_options"));
  CHECK(printed(ctnn::LayerNorm<8>{}) == golden("norm_ln"));
  ctnn::LayerNorm<ctnn::shape_of<4, 8>, ctnn::LayerNormOptions{.elementwise_affine = false}> ln;
  ln.eps = 1e-6;
  CHECK(printed(ln) == golden("norm_ln_2d"));
  CHECK(printed(ctnn::GroupNorm<2, 8>{}) == golden("norm_gn"));
  ctnn::Sequential<ctnn::Linear<6, 8>, ctnn::BatchNorm1d<8>, ctnn::ReLU, ctnn::Linear<8, 4>, ctnn::LayerNorm<4>,
                   ctnn::GroupNorm<2, 4, ctnn::GroupNormOptions{.affine = false}>>
      net;
  net.get<1>().momentum = 0.01;
  CHECK(printed(net) == golden("norm_seq"));
}

TEST_CASE("state_dict names, shapes and order are PyTorch's; absent ones are None", "[norm][state_dict]") {
  ctnn::BatchNorm2d<8> bn;
  std::vector<std::string> names;
  ctnn::named_parameters(bn, [&](std::string_view n, auto& p) {
    names.emplace_back(n);
    CHECK(p.shape() == std::array<int, 1>{8});
  });
  ctnn::named_buffers(bn, [&](std::string_view n, auto&) { names.emplace_back(n); });
  CHECK(names == std::vector<std::string>{"weight", "bias", "running_mean", "running_var", "num_batches_tracked"});
  STATIC_REQUIRE(decltype(bn.num_batches_tracked)::ndim == 0);
  STATIC_REQUIRE(std::is_same_v<decltype(bn.num_batches_tracked)::scalar_type, std::int64_t>);
  CHECK(bn.weight.value.isOnes());
  CHECK(bn.bias.value.isZero());
  CHECK(bn.running_mean.value.isZero());
  CHECK(bn.running_var.value.isOnes());
  CHECK(bn.num_batches_tracked.item() == 0);
  STATIC_REQUIRE(ctnn::parameter_count<decltype(bn)> == 16);

  ctnn::BatchNorm1d<4, ctnn::BatchNormOptions{.affine = false, .track_running_stats = false}> bare;
  int count = 0;
  ctnn::named_parameters(bare, [&](std::string_view, auto&) { ++count; });
  ctnn::named_buffers(bare, [&](std::string_view, auto&) { ++count; });
  CHECK(count == 0);

  ctnn::LayerNorm<ctnn::shape_of<4, 8>> ln;
  names.clear();
  ctnn::named_parameters(ln, [&](std::string_view n, auto& p) {
    names.emplace_back(n);
    CHECK(p.shape() == std::array<int, 2>{4, 8});
  });
  CHECK(names == std::vector<std::string>{"weight", "bias"});

  // in a Sequential, under the child's index
  ctnn::Sequential<ctnn::Linear<3, 4>, ctnn::BatchNorm1d<4>> net;
  names.clear();
  ctnn::named_buffers(net, [&](std::string_view n, auto&) { names.emplace_back(n); });
  CHECK(names == std::vector<std::string>{"1.running_mean", "1.running_var", "1.num_batches_tracked"});
}

TEST_CASE("safetensors and checkpoints keep the running statistics, num_batches_tracked as a 0-D int64",
          "[norm][io]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("ctnn_norm_test_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  using Net = ctnn::with_input<ctnn::Sequential<ctnn::BatchNorm2d<2>, ctnn::ReLU, ctnn::Flatten, ctnn::Linear<8, 3>,
                                                ctnn::LayerNorm<3>>,
                               2, 2, 2>;
  Net net;
  for (int i = 0; i < 5; ++i) (void)net.forward(uniform_input<8, 4>(30 + i).cast<float>());
  auto& bn = net.get<0>();
  CHECK(bn.num_batches_tracked.item() == 5);
  bn.num_batches_tracked.item() = (std::int64_t{1} << 40) + 5;  // past 32 bits
  ctnn::save_safetensors(net, dir / "net.safetensors");
  const auto file = ctnn::SafetensorsFile::read(dir / "net.safetensors");
  REQUIRE(file.find("0.num_batches_tracked") != nullptr);
  CHECK(file.find("0.num_batches_tracked")->shape.empty());
  CHECK(file.find("0.num_batches_tracked")->dtype_name == "I64");
  CHECK(file.find("0.running_var")->shape == std::vector<std::int64_t>{2});
  CHECK(file.find("4.weight")->shape == std::vector<std::int64_t>{3});

  Net loaded;
  ctnn::load_safetensors(loaded, dir / "net.safetensors");
  CHECK(loaded.get<0>().num_batches_tracked.item() == (std::int64_t{1} << 40) + 5);
  CHECK(loaded.get<0>().running_mean.value == bn.running_mean.value);
  CHECK(loaded.get<0>().running_var.value == bn.running_var.value);
  net.eval();
  loaded.eval();
  const Eigen::Matrix<float, 8, 3> x = uniform_input<8, 3>(40).cast<float>();
  CHECK(loaded.infer(x) == net.infer(x));

  // a checkpoint with an optimizer: the buffers come back with the parameters
  ctnn::optim::SGD<Net> opt(net, {.lr = 0.1, .momentum = 0.9});
  net.train();
  const auto y = net.forward(x);
  (void)net.backward(Eigen::Matrix<float, 3, 3>(y));
  opt.step();
  ctnn::save_checkpoint(dir / "ckpt.safetensors", net, opt);
  Net resumed;
  ctnn::optim::SGD<Net> resumed_opt(resumed, {.lr = 0.1, .momentum = 0.9});
  ctnn::load_checkpoint(dir / "ckpt.safetensors", resumed, resumed_opt);
  CHECK(resumed.get<0>().num_batches_tracked.item() == (std::int64_t{1} << 40) + 6);
  CHECK(resumed.get<0>().running_mean.value == net.get<0>().running_mean.value);
  CHECK(resumed.get<0>().weight.value == net.get<0>().weight.value);
  fs::remove_all(dir);
}

TEST_CASE("modes: train()/eval() reach the layer, infer is eval mode and changes nothing", "[norm][batchnorm]") {
  using Net = ctnn::Sequential<ctnn::Linear<3, 4>, ctnn::BatchNorm1d<4>>;
  Net net;
  const Eigen::Matrix<float, 3, 5> x = uniform_input<3, 5>(1).cast<float>();
  CHECK(net.get<1>().is_training());
  const auto y_train = net.forward(x);
  CHECK(net.get<1>().num_batches_tracked.item() == 1);
  // infer in training mode: the running statistics, as in eval mode, and no update
  const Eigen::Matrix<float, 4, 5> inferred = net.infer(x);
  CHECK(net.get<1>().num_batches_tracked.item() == 1);
  net.eval();
  CHECK_FALSE(net.get<1>().is_training());
  const auto y_eval = net.forward(x);
  CHECK(net.get<1>().num_batches_tracked.item() == 1);
  CHECK(relative_error(inferred, y_eval) <= 1e-6);
  CHECK(relative_error(y_train, y_eval) > 1e-3);
  // a training batch has zero mean and unit (biased) variance per channel
  const Eigen::Matrix<float, 4, 5> yt = y_train;
  CHECK(yt.rowwise().mean().norm() <= 1e-5);
  CHECK(((yt.array().square().rowwise().mean() - 1.0f).abs() <= 1e-3f).all());
}

TEST_CASE("infer runs BatchNorm and activations over the chain's own activations, never the caller's input",
          "[norm][batchnorm][infer]") {
  using NoStats = ctnn::BatchNorm1d<4, ctnn::BatchNormOptions{.track_running_stats = false}>;
  using Net = ctnn::with_input<
      ctnn::Sequential<ctnn::BatchNorm1d<4>, ctnn::ReLU, ctnn::Linear<4, 4>, NoStats, ctnn::Tanh, ctnn::Sigmoid>, 4>;
  static_assert(ctnn::detail::InfersInPlace<ctnn::ReLU, Eigen::Matrix<float, 4, 5>>);
  static_assert(ctnn::detail::InfersInPlace<ctnn::BatchNorm1d<4>, Eigen::MatrixXf>);
  static_assert(!ctnn::detail::InfersInPlace<ctnn::ReLU, Eigen::Map<Eigen::Matrix<float, 4, 5>>>);
  static_assert(!ctnn::detail::InfersInPlace<ctnn::Linear<4, 4>, Eigen::Matrix<float, 4, 5>>);
  // BatchNorm then an activation that offers itself as an epilogue: one pass (as here, twice)
  static_assert(ctnn::detail::InfersInPlaceFused<ctnn::BatchNorm1d<4>, ctnn::ReLU, Eigen::Matrix<float, 4, 5>>);
  static_assert(ctnn::detail::InfersInPlaceFused<NoStats, ctnn::Tanh, Eigen::MatrixXf>);
  static_assert(!ctnn::detail::InfersInPlaceFused<ctnn::BatchNorm1d<4>, ctnn::Softmax, Eigen::Matrix<float, 4, 5>>);
  static_assert(!ctnn::detail::InfersInPlaceFused<ctnn::Linear<4, 4>, ctnn::ReLU, Eigen::Matrix<float, 4, 5>>);
  static_assert(!ctnn::detail::InfersInPlaceFused<ctnn::BatchNorm1d<4>, ctnn::ReLU, Eigen::Map<Eigen::Matrix<float, 4, 5>>>);
  Net net;
  const Eigen::Matrix<float, 4, 5> warm = (uniform_input<4, 5>(2) * 3.0 + Eigen::Matrix<double, 4, 5>::Ones()).cast<float>();
  (void)net.forward(warm);  // running statistics away from 0 and 1
  net.eval();
  const Eigen::Matrix<float, 4, 5> x = uniform_input<4, 5>(1).cast<float>();
  const Eigen::Matrix<float, 4, 5> before = x;
  const Eigen::Matrix<float, 4, 5> inferred = std::as_const(net).infer(x);
  CHECK(x == before);  // the first layer, in place where it can be, reads the caller's x
  const Eigen::Matrix<float, 4, 5> y = net.forward(x);
  CHECK(relative_error(inferred, y) <= 1e-6);
  const Eigen::MatrixXf dynamic = x;  // heap activations
  const Eigen::MatrixXf inferred_dynamic = std::as_const(net).infer(dynamic);
  CHECK(relative_error(Eigen::Matrix<float, 4, 5>(inferred_dynamic), y) <= 1e-6);
  CHECK(dynamic == before);
}

TEST_CASE("one value per channel in training mode is PyTorch's error, through the error hook", "[norm][batchnorm]") {
  ctnn::BatchNorm1d<4> bn;
  const Eigen::Vector4f x(1.0f, 2.0f, 3.0f, 4.0f);
  CHECK_THROWS_WITH(bn.forward(x), Catch::Contains("BatchNorm1d: Expected more than 1 value per channel when training"));
  CHECK(bn.num_batches_tracked.item() == 0);  // nothing changed
  bn.eval();
  CHECK(bn.forward(x).isApprox(x / std::sqrt(1.0f + 1e-5f)));
  // a (C, L) sample of L > 1 has several values per channel
  ctnn::BatchNorm1d<2> seq;
  CHECK_NOTHROW(seq.forward(Eigen::Vector4f(1.0f, 2.0f, 3.0f, 5.0f)));
  // without running statistics eval mode normalises with the batch too, and so fails alike
  ctnn::BatchNorm2d<4, ctnn::BatchNormOptions{.track_running_stats = false}> nostats;
  nostats.eval();
  CHECK_THROWS_WITH(nostats.forward(x), Catch::Contains("BatchNorm2d: Expected more than 1 value per channel"));
  CHECK_THROWS_WITH(nostats.infer(x), Catch::Contains("Expected more than 1 value per channel"));
}

TEST_CASE("feature maps above Eigen's stack limit stay correct", "[norm][large]") {
  constexpr int C = 4, H = 96, W = 96, L = H * W;  // 36864 floats per sample: 147 KB
  using Big = ctnn::with_input<ctnn::Sequential<ctnn::BatchNorm2d<C>, ctnn::GroupNorm<2, C>>, C, H, W>;
  auto net = std::make_unique<Big>();
  ctnn::Batch<float, C * L, 2> x(C * L, 2);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = float(std::sin(0.01 * double(i)) * 3 + double(i % 7));
  const auto y = net->forward(x);
  const auto& bn = net->get<0>();
  // BatchNorm alone, in double, by the formula
  for (int c = 0; c < C; ++c) {
    const Eigen::MatrixXd xc = x.middleRows(c * L, L).cast<double>();
    const double mean = xc.mean(), var = (xc.array() - mean).square().mean();
    CHECK(std::abs(bn.running_mean.value(c) - 0.1 * mean) <= 1e-5 * std::max(1.0, std::abs(mean)));
    CHECK(std::abs(bn.running_var.value(c) - (0.9 + 0.1 * var * (2.0 * L) / (2.0 * L - 1))) <= 1e-4);
  }
  const auto z = net->get<0>().infer(x);  // eval statistics now differ from the batch's; shape check only
  CHECK(z.rows() == C * L);
  CHECK(y.rows() == C * L);
  CHECK(y.allFinite());
  // GroupNorm over the batch-normalised map: each group of a sample has zero mean
  for (int j = 0; j < 2; ++j)
    for (int g = 0; g < 2; ++g) CHECK(std::abs(y.col(j).segment(g * 2 * L, 2 * L).mean()) <= 1e-4);
}

TEST_CASE("LayerNorm on (T, F) samples in a Sequential, and the streaming view of eval-mode BatchNorm1d",
          "[norm][layernorm]") {
  // a (T, F) sample through Linear and LayerNorm<F>: each time step normalised alone
  using Net = ctnn::with_input<ctnn::Sequential<ctnn::Linear<3, 4>, ctnn::LayerNorm<4>>, 5, 3>;
  Net net;
  const Eigen::Matrix<float, 15, 2> x = uniform_input<15, 2>(3).cast<float>();
  const auto y = net.forward(x);
  for (int j = 0; j < 2; ++j)
    for (int t = 0; t < 5; ++t) CHECK(std::abs(y.col(j).segment(t * 4, 4).mean()) <= 1e-5);
  // BatchNorm1d on (C) in eval mode maps each column alone: a block of steps is a batch
  ctnn::BatchNorm1d<3> bn;
  bn.running_mean.value << 1.0f, -1.0f, 0.5f;
  bn.running_var.value << 4.0f, 0.25f, 1.0f;
  bn.eval();
  const Eigen::Matrix<float, 3, 6> block = uniform_input<3, 6>(4).cast<float>();
  const auto all = bn.forward(block);
  for (int t = 0; t < 6; ++t) CHECK(bn.forward(block.col(t)).isApprox(all.col(t)));
}

TEST_CASE("the docs' normalisation example trains and evaluates", "[norm][docs]") {
  const Eigen::Matrix<float, 48, 4> x = uniform_input<48, 4>(6).cast<float>();
  // --8<-- [start:norm-layers]
  using Net = ctnn::with_input<ctnn::Sequential<     // nn.Sequential(
      ctnn::BatchNorm2d<3>,                          //   nn.BatchNorm2d(3),
      ctnn::ReLU, ctnn::Flatten,                     //   nn.ReLU(), nn.Flatten(),
      ctnn::Linear<48, 16>,                          //   nn.Linear(48, 16),
      ctnn::BatchNorm1d<16, ctnn::BatchNormOptions{  //   nn.BatchNorm1d(16,
          .affine = false}>,                         //     affine=False),
      ctnn::Unflatten<4, 4>,                         //   nn.Unflatten(1, (4, 4)),
      ctnn::LayerNorm<4>,                            //   nn.LayerNorm(4),
      ctnn::GroupNorm<2, 4>>,                        //   nn.GroupNorm(2, 4))
                              3, 4, 4>;              // samples (3, 4, 4)
  Net net;
  net.get<0>().momentum = std::nullopt;  // bn.momentum = None: the cumulative average
  net.get<4>().eps = 1e-3;               // bn.eps = 1e-3
  const auto y = net.forward(x);         // training mode: batch statistics, running ones updated
  net.eval();                            // net.eval(): the running statistics
  const auto z = net.infer(x);           // always eval mode, changes nothing
  // --8<-- [end:norm-layers]
  CHECK(net.get<0>().num_batches_tracked.item() == 1);
  CHECK(y.allFinite());
  CHECK(z.allFinite());
  CHECK(printed(net).find("BatchNorm2d(3, eps=1e-05, momentum=None, affine=True, track_running_stats=True)") !=
        std::string::npos);
}

TEST_CASE("summary counts the normalisation layers' parameters, buffers and FLOPs", "[norm][summary]") {
  STATIC_REQUIRE(ctnn::BatchNorm2d<8>::flops(ctnn::shape_of<8, 4, 4>) == 8 * 16 * 4);
  STATIC_REQUIRE(ctnn::LayerNorm<8>::flops(ctnn::shape_of<3, 8>) == 24 * 7);
  STATIC_REQUIRE(ctnn::GroupNorm<2, 8, ctnn::GroupNormOptions{.affine = false}>::flops(ctnn::shape_of<8, 2>) == 16 * 5);
  STATIC_REQUIRE(ctnn::BatchNorm2d<8>::accepts(ctnn::shape_of<8, 4, 4>));
  STATIC_REQUIRE(!ctnn::BatchNorm2d<8>::accepts(ctnn::shape_of<4, 4, 4>));
  STATIC_REQUIRE(!ctnn::BatchNorm2d<8>::accepts(ctnn::shape_of<8, 16>));
  STATIC_REQUIRE(ctnn::BatchNorm1d<8>::accepts(ctnn::shape_of<8, 16>));
  STATIC_REQUIRE(ctnn::BatchNorm1d<8>::accepts(ctnn::shape_of<8>));
  STATIC_REQUIRE(ctnn::LayerNorm<ctnn::shape_of<4, 8>>::accepts(ctnn::shape_of<2, 4, 8>));
  STATIC_REQUIRE(!ctnn::LayerNorm<ctnn::shape_of<4, 8>>::accepts(ctnn::shape_of<8, 4>));
}
