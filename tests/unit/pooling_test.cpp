// The pooling layers and PReLU against PyTorch 1.13: values, the gradient of the input and of
// every parameter in float and double (tests/reference/generate.py, group "pool"), the
// element a max routes its gradient to (ties, NaN, -inf), finite-difference gradchecks in
// double, print(model) texts, state_dict names, summary FLOPs and a Sequential mixing pooling
// with Flatten and Linear.
#include <catch2/catch.hpp>
#include <ctnn/ctnn.hpp>

#include <cmath>
#include <fstream>
#include <limits>
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

namespace pooling_test {

/// Runs `layer` on the case's x and grad_out (a batch of 3) and compares y, dL/dx and every
/// parameter's gradient with PyTorch's.
template <class S, int F, class L>
void compare_with_torch(const std::string& case_name, L& layer) {
  constexpr int B = 3;
  INFO("reference case " << case_name << " in " << (sizeof(S) == 4 ? "float" : "double"));
  const Reference ref = load_reference(case_name);
  load_parameters(layer, ref);
  ctnn::zero_grad(layer);
  const auto x = batch_from<Eigen::Matrix<S, F, B>>(ref.tensor("x"));
  const auto y = layer.forward(x);
  using Y = std::remove_cvref_t<decltype(y)>;
  CHECK(relative_error(y, batch_from<Y>(ref.tensor("y"))) <= tolerance<S>);
  const auto g = batch_from<Y>(ref.tensor("grad_out"));
  Eigen::Matrix<S, F, B> dx;
  if constexpr (requires { layer.backward(g); }) {
    dx = layer.backward(g);
  } else {
    dx = layer.backward(x, y, g);
  }
  CHECK(relative_error(dx, batch_from<Eigen::Matrix<S, F, B>>(ref.tensor("grad_x"))) <= tolerance<S>);
  int params = 0;
  ctnn::named_parameters(layer, [&](std::string_view name, auto& p) {
    INFO("gradient of " << name);
    using M = std::remove_cvref_t<decltype(p.grad)>;
    const auto expected = parameter_from<M>(ref.tensor("grad." + std::string(name)), p.grad.rows(), p.grad.cols());
    CHECK(relative_error(p.grad, expected) <= tolerance<S>);
    ++params;
  });
  // x, grad_out, y, grad_x, and a value and a gradient per parameter: none left unchecked
  CHECK(static_cast<int>(ref.tensors.size()) == 4 + 2 * params);
}

/// A layer of family T bound to shape In, in float and in double (a parameter-free layer is
/// the same type for both: it computes in the input's scalar).
template <class L, ctnn::Shape In>
void compare_both(const std::string& case_name) {
  using Bound = ctnn::bound<L, In>;
  Bound f;
  compare_with_torch<float, In.size()>(case_name, f);
  ctnn::with_scalar<Bound, double> d;
  compare_with_torch<double, In.size()>(case_name, d);
}

/// Distinct values (no ties, far from each other: a max keeps its argmax under the
/// finite-difference steps) in a random order.
template <int F, int B>
Eigen::Matrix<double, F, B> distinct(std::uint64_t seed) {
  ctnn::Generator gen(seed);
  Eigen::Matrix<double, F, B> x;
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = 0.01 * static_cast<double>(i) - 0.3;
  for (Eigen::Index i = x.size() - 1; i > 0; --i) {
    const auto j = static_cast<Eigen::Index>(gen.uniform(0.0, static_cast<double>(i) + 1.0)) % (i + 1);
    std::swap(x.data()[i], x.data()[j]);
  }
  return x;
}

template <class L>
void check_gradients(L layer = L{}) {
  const auto result = ctnn::testing::gradcheck(layer, distinct<L::in_rows, 2>(11));
  INFO(result.message());
  CHECK(result.ok);
  CHECK(result.checked >= L::in_rows * 2);
}

using P = ctnn::PoolOptions;

}  // namespace pooling_test
using namespace pooling_test;

TEST_CASE("output sizes follow PyTorch's formula at compile time", "[pool][shapes]") {
  // floor((L + 2p - d (k - 1) - 1) / s) + 1, ceil_mode's last window starting inside
  static_assert(ctnn::MaxPool1d<2>::output_shape(ctnn::shape_of<4, 9>) == ctnn::shape_of<4, 4>);
  static_assert(ctnn::MaxPool1d<3, P{.stride = 2, .padding = 1, .dilation = 2}>::output_shape(ctnn::shape_of<3, 11>) ==
                ctnn::shape_of<3, 5>);
  static_assert(ctnn::MaxPool1d<3, P{.stride = 2, .padding = 1, .ceil_mode = true}>::output_shape(
                    ctnn::shape_of<2, 10>) == ctnn::shape_of<2, 6>);
  // ceil_mode: (5 - 1 + 1) / 2 ceil = 3 windows, the third would start at 4 >= 4 + 0: dropped
  static_assert(ctnn::MaxPool1d<2, P{.ceil_mode = true}>::output_shape(ctnn::shape_of<1, 4>) == ctnn::shape_of<1, 2>);
  static_assert(ctnn::MaxPool1d<2, P{.ceil_mode = true}>::output_shape(ctnn::shape_of<1, 5>) == ctnn::shape_of<1, 3>);
  static_assert(ctnn::MaxPool2d<ctnn::size2{2, 3}, P{.stride = {1, 2}, .padding = {1, 1}, .dilation = {2, 1},
                                                     .ceil_mode = true}>::output_shape(ctnn::shape_of<2, 7, 8>) ==
                ctnn::shape_of<2, 7, 5>);
  static_assert(ctnn::AvgPool2d<2>::output_shape(ctnn::shape_of<2, 5, 7>) == ctnn::shape_of<2, 2, 3>);
  static_assert(ctnn::AdaptiveAvgPool1d<7>::output_shape(ctnn::shape_of<2, 5>) == ctnn::shape_of<2, 7>);
  static_assert(ctnn::AdaptiveMaxPool2d<ctnn::size2{2, 3}>::output_shape(ctnn::shape_of<4, 5, 7>) ==
                ctnn::shape_of<4, 2, 3>);
  // rank: (C, L) for 1-D, (C, H, W) for 2-D
  static_assert(!ctnn::MaxPool1d<2>::accepts(ctnn::shape_of<8>) && !ctnn::MaxPool2d<2>::accepts(ctnn::shape_of<2, 8>));
  static_assert(ctnn::bound<ctnn::MaxPool2d<2>, ctnn::shape_of<8, 28, 28>>::in_rows == 8 * 28 * 28);
  static_assert(ctnn::bound<ctnn::MaxPool2d<2>, ctnn::shape_of<8, 28, 28>>::out_rows == 8 * 14 * 14);
}

TEST_CASE("MaxPool1d and MaxPool2d agree with PyTorch", "[pool][torch]") {
  compare_both<ctnn::MaxPool1d<2>, ctnn::shape_of<2, 9>>("pool_max1d");
  compare_both<ctnn::MaxPool1d<3, P{.stride = 2, .padding = 1, .dilation = 2}>, ctnn::shape_of<3, 11>>(
      "pool_max1d_s2p1d2");
  compare_both<ctnn::MaxPool1d<3, P{.stride = 2, .padding = 1, .ceil_mode = true}>, ctnn::shape_of<2, 10>>(
      "pool_max1d_ceil");
  compare_both<ctnn::MaxPool2d<2>, ctnn::shape_of<2, 4, 5>>("pool_max2d");
  compare_both<ctnn::MaxPool2d<ctnn::size2{2, 3},
                               P{.stride = {1, 2}, .padding = {1, 1}, .dilation = {2, 1}, .ceil_mode = true}>,
               ctnn::shape_of<1, 7, 8>>("pool_max2d_tuple");
  compare_both<ctnn::MaxPool2d<3, P{.stride = 2, .ceil_mode = true}>, ctnn::shape_of<1, 6, 8>>("pool_max2d_ceil");
  // integers in [-2, 2], overlapping windows: the gradient goes to the first maximum
  compare_both<ctnn::MaxPool2d<3, P{.stride = 1, .padding = 1}>, ctnn::shape_of<1, 4, 5>>("pool_max2d_ties");
}

TEST_CASE("AvgPool1d and AvgPool2d agree with PyTorch", "[pool][torch]") {
  compare_both<ctnn::AvgPool1d<3, P{.stride = 2, .padding = 1}>, ctnn::shape_of<2, 10>>("pool_avg1d");
  compare_both<ctnn::AvgPool1d<4, P{.stride = 3, .padding = 2, .ceil_mode = true, .count_include_pad = false}>,
               ctnn::shape_of<2, 11>>("pool_avg1d_exclude_ceil");
  compare_both<ctnn::AvgPool1d<4, P{.stride = 3, .padding = 2, .ceil_mode = true}>, ctnn::shape_of<2, 11>>(
      "pool_avg1d_include_ceil");
  compare_both<ctnn::AvgPool2d<2>, ctnn::shape_of<1, 5, 7>>("pool_avg2d");
  compare_both<ctnn::AvgPool2d<ctnn::size2{3, 2},
                               P{.stride = {2, 1}, .padding = {1, 1}, .ceil_mode = true, .count_include_pad = false}>,
               ctnn::shape_of<1, 6, 5>>("pool_avg2d_tuple");
  compare_both<ctnn::AvgPool2d<3, P{.stride = 2, .padding = 1, .ceil_mode = true, .divisor_override = 5}>,
               ctnn::shape_of<1, 6, 6>>("pool_avg2d_divisor");
}

TEST_CASE("the adaptive poolings agree with PyTorch, sizes that do not divide included", "[pool][torch]") {
  compare_both<ctnn::AdaptiveAvgPool1d<4>, ctnn::shape_of<2, 10>>("pool_adaptive_avg1d");
  compare_both<ctnn::AdaptiveAvgPool1d<7>, ctnn::shape_of<2, 5>>("pool_adaptive_avg1d_up");
  compare_both<ctnn::AdaptiveAvgPool2d<ctnn::size2{3, 2}>, ctnn::shape_of<1, 7, 5>>("pool_adaptive_avg2d");
  compare_both<ctnn::AdaptiveAvgPool2d<1>, ctnn::shape_of<4, 3, 4>>("pool_adaptive_avg2d_1");
  compare_both<ctnn::AdaptiveMaxPool1d<3>, ctnn::shape_of<2, 8>>("pool_adaptive_max1d");
  compare_both<ctnn::AdaptiveMaxPool2d<ctnn::size2{2, 3}>, ctnn::shape_of<2, 5, 7>>("pool_adaptive_max2d");
  compare_both<ctnn::AdaptiveMaxPool1d<4>, ctnn::shape_of<2, 9>>("pool_adaptive_max1d_ties");
}

TEST_CASE("PReLU agrees with PyTorch: one slope, one per channel on (F), (C, L), (C, H, W)", "[prelu][torch]") {
  ctnn::PReLU<> one;
  compare_with_torch<float, 5>("prelu_one", one);
  ctnn::PReLU<1, double> one_d;
  compare_with_torch<double, 5>("prelu_one", one_d);
  ctnn::PReLU<1, double> chw_one;
  compare_with_torch<double, 24>("prelu_one_chw", chw_one);
  ctnn::PReLU<> chw_one_f;
  compare_with_torch<float, 24>("prelu_one_chw", chw_one_f);
  ctnn::PReLU<4> f;
  compare_with_torch<float, 4>("prelu_f", f);
  ctnn::PReLU<4, double> fd;
  compare_with_torch<double, 4>("prelu_f", fd);
  ctnn::PReLU<4> cl;
  compare_with_torch<float, 24>("prelu_cl", cl);
  ctnn::PReLU<4, double> cld;
  compare_with_torch<double, 24>("prelu_cl", cld);
  ctnn::PReLU<3> chw;
  compare_with_torch<float, 24>("prelu_chw", chw);
  ctnn::PReLU<3, double> chwd;
  compare_with_torch<double, 24>("prelu_chw", chwd);
  // zeros in x: PyTorch takes the negative side (dx = a dy, da += 0)
  ctnn::PReLU<2, double> zero;
  compare_with_torch<double, 8>("prelu_zero", zero);
}

TEST_CASE("PReLU: init, parameters, shape rule", "[prelu]") {
  ctnn::PReLU<> p;
  CHECK(p.weight.value(0) == 0.25f);
  ctnn::PReLU<4> q(0.1);
  CHECK(q.weight.value.isApproxToConstant(0.1f));
  q.weight.value.setZero();
  ctnn::init::reset_parameters(q, 1);
  CHECK(q.weight.value.isApproxToConstant(0.1f));  // init is PyTorch's `init`, not random
  std::vector<std::string> names;
  ctnn::named_parameters(q, [&](std::string_view n, auto& t) {
    names.emplace_back(n);
    CHECK(t.shape() == std::array<int, 1>{4});
  });
  CHECK(names == std::vector<std::string>{"weight"});
  static_assert(ctnn::parameter_count<ctnn::PReLU<4>> == 4);
  static_assert(ctnn::accepts<ctnn::PReLU<4>>(ctnn::shape_of<4, 10>) && !ctnn::accepts<ctnn::PReLU<4>>(ctnn::shape_of<3, 10>));
  static_assert(ctnn::accepts<ctnn::PReLU<>>(ctnn::shape_of<3, 10>));
  // frozen: no gradient
  ctnn::PReLU<2, double> frozen;
  frozen.weight.requires_grad = false;
  const Eigen::Matrix<double, 4, 1> x(-1.0, 2.0, -3.0, 4.0);
  const Eigen::Matrix<double, 4, 1> dx = frozen.backward(x, frozen.forward(x), Eigen::Matrix<double, 4, 1>::Ones());
  CHECK(frozen.weight.grad.isZero());
  CHECK(dx == Eigen::Matrix<double, 4, 1>(0.25, 1.0, 0.25, 1.0));
}

namespace {

/// MaxPool2d<(KH, KW), stride (SH, SW)> on (2, H, W) whose windows all lie inside the map (the
/// vectorised forward and backward), NaNs and ties sprinkled in: the values and the element
/// each window routes its gradient to, by the textbook scan (the first maximum, the last NaN),
/// and the general path (a block of x, not contiguous) gives the same. The backward takes
/// rows of 5 windows or more a row at a time and shorter ones in blocks of 256 windows: maps
/// with more test a block that ends inside a row. dx starts with stale values, as a Sequential's
/// workspace does: backward_into must write every element.
template <int KH, int KW, int SH, int SW, int H, int W, class S = float>
void check_full_windows() {
  using Pool = ctnn::MaxPool2d<ctnn::size2{KH, KW}, P{.stride = ctnn::size2{SH, SW}}, ctnn::shape_of<2, H, W>>;
  constexpr int OH = (H - KH) / SH + 1, OW = (W - KW) / SW + 1, in = 2 * H * W, out = 2 * OH * OW;
  INFO((sizeof(S) == 4 ? "float" : "double") << " kernel " << KH << "x" << KW << " stride " << SH << "x" << SW << " on " << H
                                             << "x" << W);
  Pool pool;
  Eigen::Matrix<S, in, 3> x = Eigen::Matrix<S, in, 3>::Random();
  // the third sample at most zero, with zeros of both signs: a window's value must be its
  // first maximum in scan order, -0 where -0 comes before +0
  x.col(2) = -x.col(2).cwiseAbs();
  for (int i = 0; i < in; i += 3) x(i, 2) = S(-0.0);
  for (int i = 1; i < in; i += 4) x(i, 2) = S(0.0);
  for (int i = 0; i < x.size(); i += 11) x.data()[i] = std::numeric_limits<S>::quiet_NaN();
  for (int i = 5; i < x.size(); i += 7) x.data()[i] = S(0.5);
  const Eigen::Matrix<S, out, 3> y = pool.forward(x);
  const Eigen::Matrix<S, out, 3> dy = Eigen::Matrix<S, out, 3>::Random();
  Eigen::Matrix<S, in, 3> dx = Eigen::Matrix<S, in, 3>::Constant(S(7));  // stale values
  pool.backward_into(x, y, dy, dx);
  Eigen::Matrix<S, in, 3> expected_dx = Eigen::Matrix<S, in, 3>::Zero();
  for (int b = 0; b < 3; ++b)
    for (int c = 0; c < 2; ++c)
      for (int oh = 0; oh < OH; ++oh)
        for (int ow = 0; ow < OW; ++ow) {
          S m = -std::numeric_limits<S>::infinity();
          int at = (c * H + SH * oh) * W + SW * ow;
          for (int ky = 0; ky < KH; ++ky)
            for (int kx = 0; kx < KW; ++kx) {
              const int i = (c * H + SH * oh + ky) * W + SW * ow + kx;
              if (x(i, b) > m || std::isnan(x(i, b))) {
                m = x(i, b);
                at = i;
              }
            }
          const S got = y((c * OH + oh) * OW + ow, b);
          CHECK((got == m || (std::isnan(got) && std::isnan(m))));
          CHECK((got != S(0) || std::signbit(got) == std::signbit(m)));
          expected_dx(at, b) += dy((c * OH + oh) * OW + ow, b);
        }
  CHECK(dx == expected_dx);
  Eigen::Matrix<S, in, 5> wide = Eigen::Matrix<S, in, 5>::Random();
  wide.middleCols(1, 3) = x;
  const Eigen::Matrix<S, out, 3> y_general = pool.forward(wide.middleCols(1, 3));
  CHECK(((y_general.array() == y.array()) || (y_general.array().isNaN() && y.array().isNaN())).all());
  CHECK((y_general.array() != S(0) || y_general.array().unaryExpr([](S v) { return S(std::signbit(v)); }) ==
                                          y.array().unaryExpr([](S v) { return S(std::signbit(v)); }))
            .all());
  const Eigen::Matrix<S, in, 3> dx_general = pool.backward(wide.middleCols(1, 3), y, dy);
  CHECK(dx_general == expected_dx);
}

}  // namespace

TEST_CASE("MaxPool whose windows are all full (its vectorised forward and backward) takes PyTorch's values",
          "[pool]") {
  check_full_windows<3, 3, 2, 2, 7, 9>();  // overlapping windows
  check_full_windows<2, 2, 2, 2, 7, 9>();  // the common MaxPool2d(2): a last row and column under no window
  check_full_windows<2, 3, 3, 4, 8, 11>();  // gaps between windows
  check_full_windows<1, 3, 1, 1, 1, 6>();   // a 1-D pool, stride 1
  check_full_windows<2, 2, 2, 2, 70, 9>();  // rows of 4, 280 windows: blocks of 256 end inside rows
  check_full_windows<2, 2, 2, 2, 14, 14>();  // rows of 5 or more a row at a time: CNN2's 7 and 14, 17
  check_full_windows<2, 2, 2, 2, 28, 28>();
  check_full_windows<2, 2, 2, 2, 30, 34>();
  check_full_windows<2, 2, 2, 2, 9, 11>();   // rows of 5, the shortest taken a row at a time
  // forward: rows of 9 to 16 windows a window at a time (28 x 28 above), the others by taps
  check_full_windows<2, 2, 2, 2, 4, 18>();   // 9
  check_full_windows<3, 3, 2, 2, 7, 21>();   // 10, overlapping
  check_full_windows<1, 3, 1, 1, 1, 18>();   // 16, stride 1
  check_full_windows<2, 2, 2, 2, 6, 16>();   // 8
  // backward: disjoint windows in rows of 16 or more stored with their zeros
  check_full_windows<1, 2, 1, 2, 1, 124>();  // CNN1's MaxPool1d(2): 62, tiling the input (nothing zeroed)
  check_full_windows<2, 2, 2, 2, 7, 33>();   // 16, a last row and column under no window
  check_full_windows<2, 3, 3, 4, 8, 66>();   // 16, gaps between windows
  // forward: windows that tile the map, stride = kernel, in two passes (rows of any length)
  check_full_windows<3, 3, 3, 3, 9, 12>();   // 3 x 3 tiles, rows of 4
  check_full_windows<2, 2, 2, 2, 70, 8>();   // 70 output rows: two blocks, the second partial
  check_full_windows<3, 3, 3, 3, 9, 12, double>();
  check_full_windows<2, 2, 2, 2, 70, 8, double>();
  check_full_windows<2, 2, 2, 2, 28, 28, double>();
  check_full_windows<1, 2, 1, 2, 1, 124, double>();
  check_full_windows<2, 3, 3, 4, 8, 66, double>();
  check_full_windows<3, 3, 2, 2, 7, 9, double>();
  check_full_windows<2, 2, 2, 2, 70, 9, double>();
  check_full_windows<2, 2, 2, 2, 14, 14, double>();
  check_full_windows<3, 3, 2, 2, 7, 21, double>();
  // all -inf: each window's first element
  using Full = ctnn::MaxPool1d<2, P{.stride = 1}, ctnn::shape_of<1, 4>>;
  const Eigen::Matrix<float, 4, 1> minus_inf = Eigen::Matrix<float, 4, 1>::Constant(-std::numeric_limits<float>::infinity());
  CHECK(Full{}.backward(minus_inf, Full{}.forward(minus_inf), Eigen::Matrix<float, 3, 1>(1, 2, 4)) ==
        Eigen::Matrix<float, 4, 1>(1, 2, 4, 0));
  using Split = ctnn::MaxPool1d<2, P{}, ctnn::shape_of<1, 4>>;
  CHECK(Split{}.backward(minus_inf, Split{}.forward(minus_inf), Eigen::Matrix<float, 2, 1>(3, 5)) ==
        Eigen::Matrix<float, 4, 1>(3, 0, 5, 0));
}

TEST_CASE("MaxPool routes the gradient where PyTorch does: first maximum, last NaN, -inf", "[pool]") {
  constexpr double nan = std::numeric_limits<double>::quiet_NaN();
  constexpr double inf = std::numeric_limits<double>::infinity();
  using Pool = ctnn::MaxPool1d<3, P{.stride = 1}, ctnn::shape_of<1, 6>>;
  Pool pool;
  const Eigen::Matrix<double, 6, 1> with_nan(1, nan, 3, nan, 2, 5);
  const Eigen::Matrix<double, 4, 1> g(1, 2, 3, 4);
  const auto y = pool.forward(with_nan);
  CHECK(y.array().isNaN().all());
  // torch: x.grad = [0, 1, 0, 9, 0, 0] (a NaN wins, the later NaN over the earlier one)
  CHECK(pool.backward(with_nan, y, g) == Eigen::Matrix<double, 6, 1>(0, 1, 0, 9, 0, 0));
  const Eigen::Matrix<double, 6, 1> ties(1, 3, 3, 2, 3, 0);
  CHECK(pool.forward(ties) == Eigen::Matrix<double, 4, 1>(3, 3, 3, 3));
  CHECK(pool.backward(ties, pool.forward(ties), g) == Eigen::Matrix<double, 6, 1>(0, 3, 3, 0, 4, 0));
  // all -inf, padded: each window's first element in the input
  using Padded = ctnn::MaxPool1d<2, P{.padding = 1}, ctnn::shape_of<1, 4>>;
  Padded padded;
  const Eigen::Matrix<double, 4, 1> minus_inf = Eigen::Matrix<double, 4, 1>::Constant(-inf);
  CHECK(padded.forward(minus_inf) == Eigen::Matrix<double, 3, 1>::Constant(-inf));
  CHECK(padded.backward(minus_inf, padded.forward(minus_inf), Eigen::Matrix<double, 3, 1>::Ones()) ==
        Eigen::Matrix<double, 4, 1>(1, 1, 0, 1));
  // AdaptiveMaxPool1d(2) on the NaN input: x.grad = [0, 1, 0, 1, 0, 0]
  ctnn::AdaptiveMaxPool1d<2, ctnn::shape_of<1, 6>> adaptive;
  CHECK(adaptive.backward(with_nan, adaptive.forward(with_nan), Eigen::Matrix<double, 2, 1>::Ones()) ==
        Eigen::Matrix<double, 6, 1>(0, 1, 0, 1, 0, 0));
}

TEST_CASE("every pooling layer and PReLU pass a finite-difference gradient check in double", "[pool][gradcheck]") {
  check_gradients<ctnn::MaxPool1d<3, P{.stride = 2, .padding = 1, .dilation = 2}, ctnn::shape_of<2, 9>>>();
  check_gradients<ctnn::MaxPool1d<2, P{.ceil_mode = true}, ctnn::shape_of<2, 7>>>();
  check_gradients<ctnn::MaxPool2d<ctnn::size2{2, 3}, P{.stride = {1, 2}, .padding = {1, 1}, .dilation = {2, 1},
                                                       .ceil_mode = true},
                                  ctnn::shape_of<2, 5, 6>>>();
  check_gradients<ctnn::AvgPool1d<3, P{.stride = 2, .padding = 1, .count_include_pad = false}, ctnn::shape_of<2, 8>>>();
  check_gradients<ctnn::AvgPool2d<3, P{.stride = 2, .padding = 1, .ceil_mode = true, .divisor_override = 5},
                                  ctnn::shape_of<2, 5, 6>>>();
  check_gradients<ctnn::AdaptiveAvgPool1d<3, ctnn::shape_of<2, 7>>>();
  check_gradients<ctnn::AdaptiveAvgPool2d<ctnn::size2{2, 3}, ctnn::shape_of<2, 5, 4>>>();
  check_gradients<ctnn::AdaptiveMaxPool1d<4, ctnn::shape_of<2, 7>>>();
  check_gradients<ctnn::AdaptiveMaxPool2d<2, ctnn::shape_of<2, 5, 3>>>();
  for (double slope : {0.25, -0.4}) {
    ctnn::PReLU<3, double> p(slope);
    p.weight.value(1) = 0.7;
    const auto result = ctnn::testing::gradcheck(p, distinct<12, 2>(5));
    INFO(result.message());
    CHECK(result.ok);
    CHECK(result.checked >= 24 + 3);
  }
}

TEST_CASE("print(model) is PyTorch's text for every pooling variant and PReLU", "[pool][print]") {
  CHECK(printed(ctnn::MaxPool1d<2>{}) == golden("pool_max1d"));
  CHECK(printed(ctnn::MaxPool1d<3, P{.stride = 2, .padding = 1, .dilation = 2, .ceil_mode = true}>{}) ==
        golden("pool_max1d_options"));
  CHECK(printed(ctnn::MaxPool2d<2>{}) == golden("pool_max2d"));
  CHECK(printed(ctnn::MaxPool2d<ctnn::size2{2, 3},
                                P{.stride = {1, 2}, .padding = {1, 0}, .dilation = {2, 1}, .ceil_mode = true}>{}) ==
        golden("pool_max2d_tuple"));
  CHECK(printed(ctnn::AvgPool1d<3, P{.stride = 2}>{}) == golden("pool_avg1d"));
  CHECK(printed(ctnn::AvgPool1d<4, P{.stride = 3, .padding = 2, .ceil_mode = true, .count_include_pad = false}>{}) ==
        golden("pool_avg1d_options"));
  CHECK(printed(ctnn::AvgPool2d<2>{}) == golden("pool_avg2d"));
  CHECK(printed(ctnn::AvgPool2d<ctnn::size2{3, 2}, P{.stride = {2, 1}, .padding = {1, 1}, .ceil_mode = true,
                                                     .count_include_pad = false, .divisor_override = 5}>{}) ==
        golden("pool_avg2d_tuple"));
  CHECK(printed(ctnn::AdaptiveAvgPool1d<4>{}) == golden("pool_adaptive_avg1d"));
  CHECK(printed(ctnn::AdaptiveAvgPool2d<1>{}) == golden("pool_adaptive_avg2d"));
  CHECK(printed(ctnn::AdaptiveAvgPool2d<ctnn::size2{3, 2}>{}) == golden("pool_adaptive_avg2d_tuple"));
  CHECK(printed(ctnn::AdaptiveMaxPool1d<3>{}) == golden("pool_adaptive_max1d"));
  CHECK(printed(ctnn::AdaptiveMaxPool2d<2>{}) == golden("pool_adaptive_max2d"));
  CHECK(printed(ctnn::AdaptiveMaxPool2d<ctnn::size2{2, 3}>{}) == golden("pool_adaptive_max2d_tuple"));
  CHECK(printed(ctnn::PReLU<>{}) == golden("prelu_one"));
  CHECK(printed(ctnn::PReLU<4>{0.1}) == golden("prelu_four"));
}

namespace pooling_test {
// nn.Sequential(PReLU(2), MaxPool2d(2, padding=1), AdaptiveAvgPool2d(2), Flatten(), Linear(8, 5))
// on (2, 6, 7) samples
using Net2d = ctnn::with_input<ctnn::Sequential<ctnn::PReLU<2>, ctnn::MaxPool2d<2, P{.padding = 1}>,
                                                ctnn::AdaptiveAvgPool2d<2>, ctnn::Flatten, ctnn::Linear<ctnn::any, 5>>,
                               2, 6, 7>;
// nn.Sequential(AvgPool1d(3, stride=2, padding=1, count_include_pad=False), MaxPool1d(2),
// AdaptiveMaxPool1d(3), Flatten(), Linear(9, 4)) on (3, 12) samples
using Net1d = ctnn::with_input<
    ctnn::Sequential<ctnn::AvgPool1d<3, P{.stride = 2, .padding = 1, .count_include_pad = false}>, ctnn::MaxPool1d<2>,
                     ctnn::AdaptiveMaxPool1d<3>, ctnn::Flatten, ctnn::Linear<ctnn::any, 4>>,
    3, 12>;
}  // namespace pooling_test

TEST_CASE("a Sequential mixing pooling, PReLU, Flatten and Linear<any, N> agrees with PyTorch", "[pool][torch][sequential]") {
  static_assert(Net2d::in_shape == ctnn::shape_of<2, 6, 7>);
  static_assert(std::is_same_v<std::tuple_element_t<1, Net2d::child_types>,
                               ctnn::MaxPool2d<2, P{.padding = 1}, ctnn::shape_of<2, 6, 7>>>);
  static_assert(std::is_same_v<std::tuple_element_t<4, Net2d::child_types>, ctnn::Linear<8, 5>>);
  static_assert(Net2d::out_shape == ctnn::shape_of<5>);
  auto f = std::make_unique<Net2d>();
  compare_with_torch<float, 84>("pool_seq2d", *f);
  auto d = std::make_unique<ctnn::with_scalar<Net2d, double>>();
  compare_with_torch<double, 84>("pool_seq2d", *d);
  // infer gives forward's values
  const Reference ref = load_reference("pool_seq2d");
  const auto x = batch_from<Eigen::Matrix<double, 84, 3>>(ref.tensor("x"));
  CHECK(relative_error(d->infer(x), batch_from<Eigen::Matrix<double, 5, 3>>(ref.tensor("y"))) <= 1e-10);

  static_assert(std::is_same_v<std::tuple_element_t<4, Net1d::child_types>, ctnn::Linear<9, 4>>);
  auto f1 = std::make_unique<Net1d>();
  compare_with_torch<float, 36>("pool_seq1d", *f1);
  auto d1 = std::make_unique<ctnn::with_scalar<Net1d, double>>();
  compare_with_torch<double, 36>("pool_seq1d", *d1);

  // print, state_dict names, summary
  CHECK(printed(Net2d{}) == golden("pool_seq2d"));
  CHECK(printed(Net1d{}) == golden("pool_seq1d"));
  std::vector<std::string> names;
  Net2d net;
  ctnn::named_parameters(net, [&](std::string_view n, auto&) { names.emplace_back(n); });
  CHECK(names == std::vector<std::string>{"0.weight", "4.weight", "4.bias"});
  static_assert(ctnn::parameter_count<Net2d> == 2 + 8 * 5 + 5);
  // FLOPs: PReLU 2 per element; MaxPool2d(2, padding=1) on (2, 6, 7): (2, 4, 4) windows of 4;
  // AdaptiveAvgPool2d(2) on (2, 4, 4): windows of 2 x 2; Flatten one per element (summary's
  // default); Linear 2 * 8 * 5 + 5
  constexpr auto s = ctnn::summary<Net2d>();
  CHECK(s.flops_per_sample == 2 * 84 + 2 * 4 * 4 * 4 + 2 * 4 * 4 + 8 + (2 * 8 * 5 + 5));
}

TEST_CASE("a pooling layer above Eigen's stack limit stays correct", "[pool][large]") {
  // (16, 64, 64) floats: 256 KiB a sample, stored with heap columns (ctnn::Matrix)
  using Pool = ctnn::MaxPool2d<2, P{}, ctnn::shape_of<16, 64, 64>>;
  using Avg = ctnn::AdaptiveAvgPool2d<1, ctnn::shape_of<16, 64, 64>>;
  static_assert(!ctnn::detail::fits_on_stack<float, Pool::in_rows, 1>);
  Pool pool;
  Avg avg;
  ctnn::Matrix<float, Pool::in_rows, 2> x(Pool::in_rows, 2);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<float>((i * 7919) % 1000) / 100.0f;
  const auto y = pool.forward(x);
  const auto a = avg.forward(x);
  // a few elements by hand
  for (int b = 0; b < 2; ++b) {
    for (int c : {0, 7, 15}) {
      const int oh = 31, ow = 17;
      float m = -INFINITY;
      double sum = 0;
      for (int h = 0; h < 2; ++h)
        for (int w = 0; w < 2; ++w) m = std::max(m, x((c * 64 + 2 * oh + h) * 64 + 2 * ow + w, b));
      for (int i = 0; i < 64 * 64; ++i) sum += x(c * 64 * 64 + i, b);
      CHECK(y((c * 32 + oh) * 32 + ow, b) == m);
      CHECK(a(c, b) == Approx(sum / 4096).epsilon(1e-5));
    }
  }
  const auto dx = pool.backward(x, y, y);
  CHECK(dx.sum() == Approx(y.sum()).epsilon(1e-5));
}

TEST_CASE("a Sequential of pooling layers on feature maps above Eigen's stack limit", "[pool][large][sequential]") {
  // (16, 64, 64) samples: the Sequential's buffers and the layers' results use heap columns
  using Net = ctnn::with_input<ctnn::Sequential<ctnn::MaxPool2d<2>, ctnn::PReLU<16, double>, ctnn::AdaptiveAvgPool2d<1>,
                                                ctnn::Flatten, ctnn::Linear<ctnn::any, 3, true, double>>,
                               16, 64, 64>;
  auto net = std::make_unique<Net>();
  ctnn::Matrix<double, 16 * 64 * 64, 2> x(16 * 64 * 64, 2);
  for (Eigen::Index i = 0; i < x.size(); ++i) x.data()[i] = static_cast<double>((i * 7919) % 1000) / 100.0 - 5.0;
  // the same computation layer by layer
  ctnn::MaxPool2d<2, P{}, ctnn::shape_of<16, 64, 64>> pool;
  ctnn::AdaptiveAvgPool2d<1, ctnn::shape_of<16, 32, 32>> gap;
  auto& prelu = ctnn::layer<1>(*net);
  auto& linear = ctnn::layer<4>(*net);
  prelu.weight.value.setLinSpaced(-0.5, 0.5);
  const auto a1 = pool.forward(x);
  const auto a2 = prelu.forward(a1);
  const auto a3 = gap.forward(a2);
  const Eigen::Matrix<double, 3, 2> expected = linear.forward(a3);
  const auto y = net->forward(x);
  CHECK(relative_error(y, expected) <= 1e-12);
  const Eigen::Matrix<double, 3, 2> g = Eigen::Matrix<double, 3, 2>::Ones();
  ctnn::zero_grad(*net);
  const auto dx = net->backward(g);
  ctnn::Linear<16, 3, true, double> lin_copy = linear;
  ctnn::PReLU<16, double> prelu_copy = prelu;
  ctnn::zero_grad(prelu_copy);
  const auto d3 = lin_copy.backward(a3, expected, g);
  const auto d2 = gap.backward(a2, a3, d3);
  const auto d1 = prelu_copy.backward(a1, a2, d2);
  const auto d0 = pool.backward(x, a1, d1);
  CHECK(relative_error(dx, d0) <= 1e-12);
  CHECK(relative_error(prelu.weight.grad, prelu_copy.weight.grad) <= 1e-12);
}
