// The product kernels behind Linear (include/ctnn/detail/affine.hpp) agree with a scalar
// reference for every path the compile-time choice can take: a dot product (one output), the
// register-blocked kernel (whole packets, several blocks of 16 packets, rows left over that
// fill no packet, few or many inputs), GEMV (weights in heap storage) and batches; with and
// without bias; with an activation fused as the epilogue; in float and double. The batch
// kernels (include/ctnn/detail/gemm.hpp) agree with it on the forward, the weight gradient
// and the input gradient for every batch size a tile can leave over, for batches of run-time
// size and for batches that are a block of a larger matrix (outer stride != rows).
//
// The reference is plain loops in double over run-time-sized copies (no SIMD kernel of ctnn or
// Eigen's products, and cheap to compile). This file is built once per SIMD width
// (tests/CMakeLists.txt: SSE2, AVX2 + FMA, AVX-512), since the packet-specific paths differ with
// the width; each build runs where the CPU has its instructions. So do the convolutions'
// forward kernels (include/ctnn/detail/conv_direct.hpp or im2col and GEMM, chosen by width),
// and the GRU/LSTM streaming step's recurrent product (layers/recurrent.hpp, add_columns), whose
// register blocks depend on the packet size and the number of SIMD registers.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <limits>
#include <ctnn/ctnn.hpp>
#include <random>
#include <type_traits>
#include <vector>

namespace {

template <class S, int R, int C>
ctnn::Matrix<S, R, C> random_matrix(std::mt19937& gen) {
  std::uniform_real_distribution<double> u(-1.0, 1.0);
  ctnn::Matrix<S, R, C> m(R, C);
  for (Eigen::Index i = 0; i < m.size(); ++i) m.data()[i] = static_cast<S>(u(gen));
  return m;
}

template <class S>
S tolerance() {
  return std::is_same_v<S, float> ? S(2e-5) : S(1e-12);
}

using Reference = Eigen::MatrixXd;

/// A copy in double, element by element.
template <class M>
Reference to_double(const M& m) {
  Reference d(m.rows(), m.cols());
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = 0; i < m.rows(); ++i) d(i, j) = static_cast<double>(m(i, j));
  return d;
}

/// a b by the textbook loops (transpose_a: a^T b).
inline Reference matmul(const Reference& a, const Reference& b, bool transpose_a = false) {
  const Eigen::Index rows = transpose_a ? a.cols() : a.rows(), inner = transpose_a ? a.rows() : a.cols();
  Reference c(rows, b.cols());
  for (Eigen::Index j = 0; j < b.cols(); ++j)
    for (Eigen::Index i = 0; i < rows; ++i) {
      double sum = 0;
      for (Eigen::Index k = 0; k < inner; ++k) sum += (transpose_a ? a(k, i) : a(i, k)) * b(k, j);
      c(i, j) = sum;
    }
  return c;
}

/// W x + b, b a column added to every column of W x.
inline Reference affine(const Reference& w, const Reference& x, const Reference* b) {
  Reference y = matmul(w, x);
  if (b)
    for (Eigen::Index j = 0; j < y.cols(); ++j)
      for (Eigen::Index i = 0; i < y.rows(); ++i) y(i, j) += (*b)(i, 0);
  return y;
}

/// dy x^T, the weight gradient of a batch.
inline Reference outer(const Reference& dy, const Reference& x) {
  Reference g(dy.rows(), x.rows());
  for (Eigen::Index i = 0; i < dy.rows(); ++i)
    for (Eigen::Index k = 0; k < x.rows(); ++k) {
      double sum = 0;
      for (Eigen::Index j = 0; j < dy.cols(); ++j) sum += dy(i, j) * x(k, j);
      g(i, k) = sum;
    }
  return g;
}

/// max |got - want| <= tol * max(1, max |want|).
inline bool close(const Reference& got, const Reference& want, double tol) {
  if (got.rows() != want.rows() || got.cols() != want.cols()) return false;
  double diff = 0, scale = 1;
  for (Eigen::Index j = 0; j < want.cols(); ++j)
    for (Eigen::Index i = 0; i < want.rows(); ++i) {
      diff = std::max(diff, std::abs(got(i, j) - want(i, j)));
      scale = std::max(scale, std::abs(want(i, j)));
    }
  return diff <= tol * scale;
}

/// Linear<In, Out, Bias, S>::forward on one sample and on a batch of B, against W x + b.
template <int In, int Out, bool Bias, class S, int B = 5>
void check_linear() {
  std::mt19937 gen(In * 1000 + Out);
  auto layer = std::make_unique<ctnn::Linear<In, Out, Bias, S>>();
  layer->weight.value = random_matrix<S, Out, In>(gen);
  if constexpr (Bias) layer->bias.value = random_matrix<S, Out, 1>(gen);
  const Reference w = to_double(layer->weight.value);
  Reference b;
  if constexpr (Bias) b = to_double(layer->bias.value);
  auto reference = [&](const auto& x) { return affine(w, to_double(x), Bias ? &b : nullptr); };
  const double tol = tolerance<S>();
  const auto x1 = random_matrix<S, In, 1>(gen);
  const auto xb = random_matrix<S, In, B>(gen);
  INFO("Linear<" << In << ", " << Out << ", " << Bias << "> in " << (sizeof(S) == 4 ? "float" : "double"));
  CHECK(close(to_double(layer->forward(x1)), reference(x1), tol));
  CHECK(close(to_double(layer->forward(xb)), reference(xb), tol));
  // a sample given as an expression (not a plain vector) and as a column of a batch
  CHECK(close(to_double(layer->forward(x1 * S(2))), reference(x1 * S(2)), tol));
  CHECK(close(to_double(layer->forward(xb.col(2))), reference(xb.col(2)), tol));
}

template <class S>
void check_all_shapes() {
  check_linear<1, 1, true, S>();     // dot
  check_linear<128, 1, true, S>();   // dot, long
  check_linear<7, 1, false, S>();    // dot, no bias
  check_linear<1, 8, true, S>();     // one packet (float), one input
  check_linear<8, 8, true, S>();
  check_linear<64, 8, true, S>();    // one packet, the sum split over inputs
  check_linear<13, 8, false, S>();   // split with inputs left over
  check_linear<64, 4, true, S>();    // no whole packet in float: one narrower packet
  check_linear<784, 10, true, S>();  // CNN2's: a partly filled packet reading into the next
                                     // column, the last columns from a copy
  check_linear<3, 10, false, S>();   // few columns: most from the copy
  check_linear<1, 2, true, S>();     // W smaller than the packet: only the copy
  check_linear<5, 21, true, S>();    // whole packets, then 5 rows (1 in SSE2 floats) left over
  check_linear<16, 12, true, S>();   // a packet and rows left over
  check_linear<16, 64, true, S>();
  check_linear<64, 64, false, S>();
  check_linear<8, 128, true, S>();
  check_linear<128, 128, true, S>();  // 16 packets in one block
  check_linear<33, 200, true, S>();   // two blocks and rows left over
  check_linear<300, 200, true, S>();  // weights in heap storage: GEMV
}

/// Linear<In, Out>::forward and backward on batches of every remainder of the tiles, against the
/// reference: y = W x + b, dW += dy x^T (accumulated onto what is there), db, dx = W^T dy.
template <int In, int Out, class S>
void check_batch_kernels() {
  std::mt19937 gen(In * 7 + Out);
  auto layer = std::make_unique<ctnn::Linear<In, Out, true, S>>();
  layer->weight.value = random_matrix<S, Out, In>(gen);
  layer->bias.value = random_matrix<S, Out, 1>(gen);
  using Dyn = Eigen::Matrix<S, Eigen::Dynamic, Eigen::Dynamic>;
  const Reference W = to_double(layer->weight.value), bias = to_double(layer->bias.value);
  const double tol = tolerance<S>();
  auto check = [&](const auto& x, const auto& dy, const char* what) {
    INFO("Linear<" << In << ", " << Out << "> in " << (sizeof(S) == 4 ? "float" : "double") << ", batch "
                   << x.cols() << " (" << what << ")");
    const Reference xd = to_double(x), dyd = to_double(dy);
    const Reference y_ref = affine(W, xd, &bias);
    CHECK(close(to_double(layer->forward(x)), y_ref, tol));
    const Dyn g0 = Dyn::Random(Out, In);  // backward adds to what is there
    layer->weight.grad = g0;
    layer->bias.grad.setZero();
    const Dyn y = y_ref.cast<S>();
    const Dyn dx = layer->backward(x, y, dy);
    CHECK(close(to_double(layer->weight.grad), to_double(g0) + outer(dyd, xd), tol));
    CHECK(close(to_double(layer->bias.grad), dyd.rowwise().sum(), tol));
    CHECK(close(to_double(dx), matmul(W, dyd, /*transpose_a=*/true), tol));
  };
  // a compile-time batch, and every remainder of the column tiles at run time
  check(random_matrix<S, In, 32>(gen), random_matrix<S, Out, 32>(gen), "fixed");
  for (int b : {1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 13, 32}) {
    const Dyn x = Dyn::Random(In, b), dy = Dyn::Random(Out, b);
    check(x, dy, "run-time size");
    // blocks of larger matrices: the kernels must follow the outer stride
    Dyn xbig = Dyn::Random(In + 3, b), dybig = Dyn::Random(Out + 5, b);
    xbig.topRows(In) = x;
    dybig.topRows(Out) = dy;
    check(xbig.topRows(In), dybig.topRows(Out), "block");
  }
}

template <class S>
void check_all_batch_kernels() {
  check_batch_kernels<16, 40, S>();    // 5 float packets: blocks of 3 + 2; dx over 40
  check_batch_kernels<9, 12, S>();     // a packet and 4 rows left to Eigen
  check_batch_kernels<7, 19, S>();     // rows left to Eigen; dx with 19 % packet terms in scalars
}

}  // namespace

TEST_CASE("the batch kernels agree with the scalar reference: forward, weight gradient, input gradient", "[kernels]") {
  check_all_batch_kernels<float>();
  check_all_batch_kernels<double>();
  check_batch_kernels<8, 128, float>();    // 16 float packets: blocks of 3, 3, 3, 3, 2, 2
  check_batch_kernels<128, 128, float>();  // dx by dot products over 128
  check_batch_kernels<64, 64, float>();
  check_batch_kernels<5, 24, float>();     // 3 packets; 5 inputs (tiles of dot products left over)
  check_batch_kernels<8, 8, float>();      // dx through Eigen (one packet is too short to sum)
  check_batch_kernels<128, 1, float>();    // no whole packet: Eigen only
  check_batch_kernels<300, 200, float>();  // weights in heap storage: Eigen forward, dot-product dx
}

TEST_CASE("Linear's product kernels agree with the scalar reference in every path", "[kernels]") {
  check_all_shapes<float>();
  check_all_shapes<double>();
}

TEST_CASE("Sequential's inference (activation fused into Linear) equals its training forward", "[kernels]") {
  using Net = ctnn::Sequential<ctnn::Linear<16, 64>, ctnn::Tanh, ctnn::Linear<64, 12>, ctnn::ReLU, ctnn::Linear<12, 3>,
                               ctnn::Sigmoid, ctnn::Linear<3, 1>>;
  ctnn::manual_seed(7);
  Net net;
  std::mt19937 gen(3);
  const auto x1 = random_matrix<float, 16, 1>(gen);
  const auto xb = random_matrix<float, 16, 9>(gen);
  const auto i1 = std::as_const(net).infer(x1);
  const auto ib = std::as_const(net).infer(xb);
  const auto f1 = net.forward(x1);
  const auto fb = net.forward(xb);
  CHECK((i1 - f1).cwiseAbs().maxCoeff() <= 1e-6f);
  CHECK((ib - fb).cwiseAbs().maxCoeff() <= 1e-6f);
  // and both equal the layers applied one by one, with the scalar activations
  auto linear = [&](const auto& l, const Reference& x) {
    const Reference b = to_double(l.bias.value);
    return affine(to_double(l.weight.value), x, &b);
  };
  Reference h = linear(ctnn::layer<0>(net), to_double(xb));
  h = h.unaryExpr([](double v) { return std::tanh(v); });
  h = linear(ctnn::layer<2>(net), h).cwiseMax(0.0);
  h = linear(ctnn::layer<4>(net), h).unaryExpr([](double v) { return 1.0 / (1.0 + std::exp(-v)); });
  h = linear(ctnn::layer<6>(net), h);
  CHECK(close(to_double(ib), h, 1e-5));
}

TEST_CASE("vectorised ReLU and Tanh agree with their scalar forms, forward and backward", "[kernels]") {
  std::mt19937 gen(5);
  Eigen::Matrix<float, 37, 3> x = random_matrix<float, 37, 3>(gen) * 6.0f;
  x(0, 0) = 0.0f;  // relu'(0) = 0, as PyTorch
  x(1, 0) = 20.0f;
  x(2, 0) = -20.0f;
  const Eigen::Matrix<float, 37, 3> dy = random_matrix<float, 37, 3>(gen);
  ctnn::ReLU relu;
  ctnn::Tanh tanh_;
  const auto yr = relu.forward(x);
  const auto yt = tanh_.forward(x);
  const auto dr = relu.backward(x, yr, dy);
  const auto dt = tanh_.backward(x, yt, dy);
  for (int j = 0; j < 3; ++j)
    for (int i = 0; i < 37; ++i) {
      CHECK(yr(i, j) == relu.f(x(i, j)));
      CHECK(dr(i, j) == dy(i, j) * relu.df(x(i, j), yr(i, j)));
      // Eigen's tanh is a rational approximation: over 1e5 inputs in [-6, 6], at most 5.5 ulp
      // from tanh with SSE2 and 4.3 with NEON (3.3e-7 and 2.5e-7 near 1)
      CHECK(std::abs(yt(i, j) - std::tanh(x(i, j))) <= 4e-7f);
      CHECK(std::abs(dt(i, j) - dy(i, j) * tanh_.df(x(i, j), yt(i, j))) <= 1e-6f);
    }
}

namespace {

/// Calls f(o, out, tap, in) for every product term of the convolution of geometry G: output
/// channel o at output index `out` ((o, oy, ox) row-major) takes weight column `tap` ((c, ky,
/// kx) within the group) times the padded input at index `in`.
template <ctnn::detail::conv_geometry G, class F>
void for_each_conv_term(F f) {
  const int hp = G.hp(), wp = G.wp(), ho = G.ho(), wo = G.wo(), ig = G.in_g(), og = G.out_g();
  for (int o = 0; o < G.out; ++o)
    for (int oy = 0; oy < ho; ++oy)
      for (int ox = 0; ox < wo; ++ox)
        for (int c = 0; c < ig; ++c)
          for (int ky = 0; ky < G.kh; ++ky)
            for (int kx = 0; kx < G.kw; ++kx)
              f(o, (o * ho + oy) * wo + ox, (c * G.kh + ky) * G.kw + kx,
                ((o / og * ig + c) * hp + oy * G.sh + ky * G.dh) * wp + ox * G.sw + kx * G.dw);
}

/// Layer L's forward, input gradient and weight gradient on random samples against the
/// textbook loops in double over its padded input: y(o, oy, ox) = b(o) + sum over the group's
/// channels c and the taps (ky, kx) of w(o, c, ky, kx) xp(c, oy sh + ky dh, ox sw + kx dw).
/// `direct`, `direct_grad` and `direct_wgrad` say whether this build's packet width sends each
/// of the three to its direct kernel (detail/conv_direct.hpp) rather than im2col + GEMM.
template <class L>
void check_conv_forward(bool direct, bool direct_grad, bool direct_wgrad) {
  using S = typename L::scalar_type;
  constexpr auto G = L::geometry;
  using K = ctnn::detail::conv_kernel<G, S>;
  INFO("Conv" << (G.h == 1 ? "1d" : "2d") << " in " << G.in << " out " << G.out << " kernel " << G.kh << "x" << G.kw
              << " on " << G.h << "x" << G.w << " groups " << G.groups << " in " << (sizeof(S) == 4 ? "float" : "double"));
  CHECK(K::direct == direct);
  std::mt19937 gen(G.in * 131 + G.out * 17 + G.w);
  L layer;
  const auto x = random_matrix<S, L::in_features, 2>(gen);
  const Eigen::Matrix<S, L::out_features, 2> y = layer.forward(x);
  typename K::Scratch s;
  for (int j = 0; j < 2; ++j) {
    const S* xp = K::pad(x.col(j).data(), s);
    Reference expected = Reference::Zero(L::out_features, 1);
    if constexpr (G.bias)
      for (int i = 0; i < L::out_features; ++i) expected(i, 0) = static_cast<double>(layer.bias.value(i / (G.ho() * G.wo())));
    for_each_conv_term<G>([&](int o, int out, int tap, int in) {
      expected(out, 0) += static_cast<double>(layer.weight.value(o, tap)) * static_cast<double>(xp[in]);
    });
    CHECK((to_double(y.col(j)) - expected).cwiseAbs().maxCoeff() <= 10 * tolerance<S>());
  }
  // the input gradient, direct (stride 1) or through GEMM and col2im: each output gradient
  // back onto the padded positions it read, folded through the padding by the layer's unpad
  CHECK(K::direct_grad == (direct_grad && G.sh == 1));
  const auto dy = random_matrix<S, L::out_features, 2>(gen);
  const Eigen::Matrix<S, L::in_features, 2> dx = layer.backward(x, y, dy);
  for (int j = 0; j < 2; ++j) {
    Eigen::Matrix<S, Eigen::Dynamic, 1> dxp = Eigen::Matrix<S, Eigen::Dynamic, 1>::Zero(G.in * G.hp() * G.wp());
    for_each_conv_term<G>([&](int o, int out, int tap, int in) { dxp(in) += layer.weight.value(o, tap) * dy(out, j); });
    Eigen::Matrix<S, L::in_features, 1> expected_dx;
    if constexpr (G.padded()) {
      s.padded = dxp;
      K::unpad(s, expected_dx.data());
    } else {
      expected_dx = dxp;
    }
    CHECK((to_double(dx.col(j)) - to_double(expected_dx)).cwiseAbs().maxCoeff() <= 10 * tolerance<S>());
  }
  // the weight gradient, direct (whole packets of a group's output channels) or through im2col
  // and GEMM, summed over both samples: dW(o, c, ky, kx) = sum of dy(o, oy, ox) xp(c, ...)
  CHECK(K::direct_wgrad == direct_wgrad);
  Reference expected_dw = Reference::Zero(G.out, G.in_g() * G.kh * G.kw);
  for (int j = 0; j < 2; ++j) {
    const S* xp = K::pad(x.col(j).data(), s);
    for_each_conv_term<G>([&](int o, int out, int tap, int in) {
      expected_dw(o, tap) += static_cast<double>(dy(out, j)) * static_cast<double>(xp[in]);
    });
  }
  CHECK((to_double(layer.weight.grad) - expected_dw).cwiseAbs().maxCoeff() <= 10 * tolerance<S>());
}

#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"  // packets as template arguments
#endif
/// The lanes of the first of Eigen's packets P, P's half, its half's half... whose lanes divide
/// n (divide) or are at most n; 1 if none.
template <class P>
constexpr int packet_lanes(int n, bool divide) {
  using H = typename Eigen::internal::unpacket_traits<P>::half;
  constexpr int lanes = Eigen::internal::unpacket_traits<P>::size;
  if (divide ? n % lanes == 0 : lanes <= n) return lanes;
  if constexpr (std::is_same_v<H, P>) {
    return 1;
  } else {
    return packet_lanes<H>(n, divide);
  }
}

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/// Both scalar types; `width` is the layer's output positions per row (the direct kernel
/// needs stride 1 along it and at least a packet or half packet of them).
template <class U, ctnn::Shape In>
void check_conv_forward_both(int width, bool stride_one = true) {
  constexpr int padded_width = ctnn::bound<U, In>::geometry.wp();
  // the forward and the input gradient: a packet or one of Eigen's half packets of a row's positions
  const auto direct = [&]<class S>(std::type_identity<S>, int w) {
    return stride_one && packet_lanes<ctnn::detail::packet_t<S>>(w, false) > 1;
  };
  constexpr int out_per_group = ctnn::bound<U, In>::geometry.out_g();
  // the weight gradient: whole packets of a group's channels, or of one of Eigen's half packets
  const auto whole = []<class S>(std::type_identity<S>) {
    return packet_lanes<ctnn::detail::packet_t<S>>(out_per_group, true) > 1;
  };
  constexpr std::type_identity<float> f;
  constexpr std::type_identity<double> d;
  check_conv_forward<ctnn::bound<typename U::template with_scalar<float>, In>>(direct(f, width), direct(f, padded_width),
                                                                               whole(f));
  check_conv_forward<ctnn::bound<typename U::template with_scalar<double>, In>>(direct(d, width), direct(d, padded_width),
                                                                                whole(d));
}

}  // namespace

TEST_CASE("convolution forward, direct or through GEMM: row tails, channel remainders, groups, padding", "[kernels][conv]") {
  using ctnn::ConvOptions;
  using ctnn::PaddingMode;
  using ctnn::shape_of;
  using ctnn::size2;
  // rows of every remainder by 4, 8 and 16 lanes, and output channel counts that leave every
  // remainder of the tiles (4-8 channels); CNN1's and CNN2's layers
  check_conv_forward_both<ctnn::Conv1d<16, 32, 5>, shape_of<16, 62>>(58);
  check_conv_forward_both<ctnn::Conv1d<1, 16, 5>, shape_of<1, 128>>(124);
  check_conv_forward_both<ctnn::Conv1d<3, 5, 3>, shape_of<3, 18>>(16);
  check_conv_forward_both<ctnn::Conv1d<3, 7, 3>, shape_of<3, 19>>(17);
  check_conv_forward_both<ctnn::Conv1d<2, 11, 2>, shape_of<2, 32>>(31);
  check_conv_forward_both<ctnn::Conv1d<2, 5, 3>, shape_of<2, 7>>(5);  // rows of a half or quarter packet
  check_conv_forward_both<ctnn::Conv1d<4, 13, 3, ConvOptions{.padding = 4, .dilation = 3}>, shape_of<4, 70>>(72);
  check_conv_forward_both<ctnn::Conv1d<6, 9, 5, ConvOptions{.padding = ctnn::same, .groups = 3}>, shape_of<6, 41>>(41);
  check_conv_forward_both<ctnn::Conv1d<5, 5, 3, ConvOptions{.padding = 1, .groups = 5}>, shape_of<5, 100>>(100);
  check_conv_forward_both<ctnn::Conv1d<3, 17, 7, ConvOptions{.padding = 3, .padding_mode = PaddingMode::circular}>,
                          shape_of<3, 9>>(9);
  check_conv_forward_both<ctnn::Conv1d<2, 3, 3, ConvOptions{.bias = false}>, shape_of<2, 51>>(49);
  check_conv_forward_both<ctnn::Conv1d<2, 4, 3, ConvOptions{.stride = 2}>, shape_of<2, 67>>(33, false);
  check_conv_forward_both<ctnn::Conv2d<1, 8, 3, ConvOptions{.padding = 1}>, shape_of<1, 28, 28>>(28);
  check_conv_forward_both<ctnn::Conv2d<8, 16, 3, ConvOptions{.padding = 1}>, shape_of<8, 14, 14>>(14);
  check_conv_forward_both<ctnn::Conv2d<3, 6, size2{3, 2}, ConvOptions{.stride = size2{2, 1}, .dilation = size2{2, 3},
                                                                       .groups = 3}>,
                          shape_of<3, 9, 40>>(37);
  // weight gradients of whole packets of channels per group (16 per group: every width) with
  // stride, dilation, padding and groups, and remainders of the tap tiles; half packets above:
  // Conv2d(1, 8) and Conv1d(2, 4) with AVX-512, Conv2d(3, 6, groups 3) in double with AVX
  check_conv_forward_both<ctnn::Conv1d<4, 32, 3, ConvOptions{.stride = 2, .padding = 2, .groups = 2}>,
                          shape_of<4, 45>>(24, false);
  check_conv_forward_both<ctnn::Conv1d<7, 16, 5, ConvOptions{.padding = 4, .dilation = 2}>, shape_of<7, 30>>(30);
  check_conv_forward_both<ctnn::Conv2d<2, 48, size2{3, 2}, ConvOptions{.stride = size2{2, 1}, .dilation = size2{2, 3}}>,
                          shape_of<2, 9, 40>>(37);
  check_conv_forward_both<ctnn::Conv1d<13, 16, 3, ConvOptions{.padding = 1, .padding_mode = PaddingMode::reflect}>,
                          shape_of<13, 20>>(20);
}

namespace {

/// detail::transpose of an R x C row-major matrix: squares of packets or half packets and the
/// rows and columns left over, every element in its place.
template <int R, int C, class S>
void check_transpose() {
  INFO(R << " x " << C << " in " << (sizeof(S) == 4 ? "float" : "double"));
  std::vector<S> src(R * C), dst(R * C, S(-1));
  for (int i = 0; i < R * C; ++i) src[static_cast<std::size_t>(i)] = static_cast<S>(i);
  ctnn::detail::transpose<R, C>(src.data(), dst.data());
  int wrong = 0;
  for (int r = 0; r < R; ++r)
    for (int c = 0; c < C; ++c) wrong += dst[static_cast<std::size_t>(c * R + r)] != src[static_cast<std::size_t>(r * C + c)];
  CHECK(wrong == 0);
}

template <class S>
void check_transposes() {
  constexpr int p = ctnn::detail::packet_size<S>;
  check_transpose<p, 3 * p + 3, S>();   // the weight gradient's case: channels are whole packets
  check_transpose<2 * p + 1, p + 2, S>();  // a row and columns left over
  check_transpose<3, 5, S>();              // smaller than a packet both ways
  check_transpose<16, 784, S>();           // CNN2's second convolution's output gradient
  check_transpose<8, 784, S>();            // CNN2's first: squares of a half packet with AVX-512
  // rows in squares of a packet, of its half and of its half's half, and one row alone
  check_transpose<p + p / 2 + p / 4 + 1, 2 * p + 3, S>();
  check_transpose<2 * p, p / 2 + 1, S>();  // fewer columns than a packet: squares of a narrower one
}

}  // namespace

TEST_CASE("the output gradient's transpose (direct weight gradient) puts every element in its place", "[kernels][conv]") {
  check_transposes<float>();
  check_transposes<double>();
}

TEST_CASE("streaming equals sequence mode where the step's recurrent product goes in register blocks",
          "[kernels][recurrent]") {
  // LSTM(1, 72) and GRU(1, 96) have 288 gate rows: more packets than the step keeps in
  // registers at every SIMD width and in both scalars (add_columns' blocks), and a W_hh above
  // 24 KiB, read in alternating directions. Sequence mode, which has its own products, is
  // checked against PyTorch by recurrent_torch_*_test.
  auto run = []<class Cell>(std::type_identity<Cell>) {
    using S = typename Cell::scalar_type;
    constexpr int T = 100, H = Cell::step_out_features;
    INFO(ctnn::repr(Cell{}) << " in " << (sizeof(S) == 4 ? "float" : "double"));
    Cell rnn;
    Eigen::Matrix<S, T, 1> x;
    for (int t = 0; t < T; ++t) x(t) = static_cast<S>(0.9 * std::sin(0.07 * t) + 0.2 * std::cos(0.53 * t));
    const Eigen::Matrix<S, T * H, 1> want = rnn.forward(x);
    Eigen::Matrix<S, T * H, 1> got;
    for (int t = 0; t < T; ++t) {
      Eigen::Matrix<S, 1, 1> xt;
      xt(0) = x(t);
      got.template segment<H>(t * H) = rnn.step(xt);
    }
    CHECK(close(to_double(got), to_double(want), std::is_same_v<S, float> ? 1e-5 : 1e-10));
  };
  run(std::type_identity<ctnn::LSTM<1, 72>>{});
  run(std::type_identity<ctnn::LSTM<1, 72, ctnn::RNNOptions{}, double>>{});
  run(std::type_identity<ctnn::GRU<1, 96>>{});
  run(std::type_identity<ctnn::GRU<1, 96, ctnn::RNNOptions{}, double>>{});
}

TEST_CASE("square roots are correctly rounded, and the gates' rational tanh and logistic are accurate, per SIMD width",
          "[kernels][math]") {
  // Eigen's psqrt is an estimate with Newton steps for float on SSE, AVX and AVX-512 (double
  // on AVX-512); Adam, RMSprop, Adagrad and BatchNorm's eval mode use detail::sqrt_exact
  // instead, to give PyTorch's numbers. Values over 80 decades, subnormals, zeros, inf, NaN.
  auto check_sqrt = []<class S>(std::type_identity<S>) {
    INFO((sizeof(S) == 4 ? "float" : "double"));
    std::mt19937 gen(17);
    std::uniform_real_distribution<double> decade(-45.0, 35.0);
    Eigen::Array<S, Eigen::Dynamic, 1> x(4099);
    for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = static_cast<S>(std::pow(10.0, decade(gen)));
    x(0) = S(0);
    x(1) = -S(0);
    x(2) = std::numeric_limits<S>::infinity();
    x(3) = std::numeric_limits<S>::denorm_min();
    x(4) = std::numeric_limits<S>::min() / S(3);
    x(5) = S(-1);
    const Eigen::Array<S, Eigen::Dynamic, 1> got = x.unaryExpr(ctnn::detail::sqrt_exact_op<S>{});
    long wrong = 0;
    for (Eigen::Index i = 0; i < x.size(); ++i) {
      const S want = std::sqrt(x(i));
      const bool same = std::isnan(want) ? std::isnan(got(i)) : got(i) == want && std::signbit(got(i)) == std::signbit(want);
      if (!same) ++wrong;
    }
    CHECK(wrong == 0);
  };
  check_sqrt(std::type_identity<float>{});
  check_sqrt(std::type_identity<double>{});

  // detail/rational.hpp: Eigen's rational tanh and logistic in float, evaluated by Estrin's
  // scheme for the streaming step; within 5e-7 of the functions in double, every packet lane
  // and the scalar tail alike, and the special values Eigen's forms have.
  Eigen::ArrayXf x(40003);
  for (Eigen::Index i = 0; i < x.size(); ++i) x(i) = -20.0f + 40.0f * static_cast<float>(i) / 40000.0f;
  const Eigen::ArrayXf th = ctnn::detail::rational_tanh(x), lg = ctnn::detail::rational_logistic(x);
  double worst_tanh = 0, worst_logistic = 0;
  for (Eigen::Index i = 0; i < x.size(); ++i) {
    worst_tanh = std::max(worst_tanh, std::abs(th(i) - std::tanh(static_cast<double>(x(i)))));
    worst_logistic = std::max(worst_logistic, std::abs(lg(i) - 1 / (1 + std::exp(-static_cast<double>(x(i))))));
  }
  CHECK(worst_tanh < 5e-7);
  CHECK(worst_logistic < 5e-7);
  Eigen::ArrayXf special(8);
  special << 0.0f, -0.0f, 1e-30f, std::numeric_limits<float>::infinity(), -std::numeric_limits<float>::infinity(),
      100.0f, -100.0f, std::numeric_limits<float>::quiet_NaN();
  const Eigen::ArrayXf ts = ctnn::detail::rational_tanh(special), ls = ctnn::detail::rational_logistic(special);
  CHECK((ts(0) == 0.0f && !std::signbit(ts(0)) && ts(1) == 0.0f && std::signbit(ts(1))));
  CHECK(ts(2) == 1e-30f);
  CHECK((ts(3) == 1.0f && ts(4) == -1.0f && ts(5) == 1.0f && ts(6) == -1.0f));
  CHECK((ls(0) == 0.5f && ls(3) == 1.0f && ls(5) == 1.0f && ls(4) < 1e-30f && ls(6) < 1e-30f));
  CHECK((std::isnan(ts(7)) && std::isnan(ls(7))));
}
