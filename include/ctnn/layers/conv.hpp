/// @file Defines the convolutions: ctnn::Conv1d, ctnn::Conv2d (torch.nn.Conv1d / Conv2d) and
/// ctnn::ConvTranspose1d, ctnn::ConvTranspose2d (torch.nn.ConvTranspose1d / 2d), with
/// PyTorch's semantics: stride, padding (numbers, ctnn::same, ctnn::valid; ctnn::causal for
/// Conv1d), dilation, groups, bias, padding_mode; weight (Out, In / groups, K...) (transposed:
/// (In, Out / groups, K...)), PyTorch's default initialisation and printed form.
///
/// The length (H, W) of a sample is not a template argument: `ctnn::Conv1d<1, 12, 5>` takes
/// (1, L) for any L that fits, and a Sequential binds it to the L that reaches it
/// (`bind<Shape>`: Conv1d<1, 12, 5, O, float, L>), so every size, buffer and product below is
/// fixed at compile time. The network's input shape comes from ctnn::with_input.
///
/// Every layer is one geometry (detail::conv_geometry: a 1-D layer is a 2-D one of height 1)
/// computed by one kernel (detail::conv_kernel): im2col of the padded sample, then one matrix
/// product per group; backward dW += dY cols^T, db += sum dY, dX = col2im(W^T dY). The forward
/// of a layer with stride 1 along its rows and rows of at least a SIMD packet skips the
/// columns: register tiles straight from the padded input (detail/conv_direct.hpp); so does
/// the input gradient of a layer with stride 1 both ways (a convolution of the zero-padded
/// output gradient with the flipped, transposed weight), and the weight gradient of a layer
/// whose output channels per group are whole SIMD packets (outer products per position,
/// vectorised over output channels). A transposed
/// convolution is the adjoint of the convolution with its output's geometry: its forward is
/// that convolution's input gradient, its input gradient that convolution's forward.
#pragma once

#include "ctnn/core/reflect.hpp"
#include <algorithm>
#include <array>
#include <cmath>
#include <string>
#include <string_view>

#include "ctnn/core/layer.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/detail/conv_direct.hpp"
#include "ctnn/detail/reshape.hpp"
#include "ctnn/detail/stack_product.hpp"
#include "ctnn/init/generator.hpp"
#include "ctnn/layers/options.hpp"

namespace ctnn {

namespace detail {

/// Everything a convolution's arithmetic depends on, for one sample (In, h, w) -> (Out, ho, wo).
/// Paddings are per side (top, bottom, left, right): 'same' and 'causal' pad asymmetrically.
struct conv_geometry {
  int in = 1, out = 1, groups = 1;
  int kh = 1, kw = 1, sh = 1, sw = 1, dh = 1, dw = 1;
  int pt = 0, pb = 0, pl = 0, pr = 0;
  PaddingMode mode = PaddingMode::zeros;
  bool bias = true;
  int h = 1, w = 1;

  constexpr int hp() const { return h + pt + pb; }
  constexpr int wp() const { return w + pl + pr; }
  constexpr int ekh() const { return dh * (kh - 1) + 1; }  // dilated kernel extent
  constexpr int ekw() const { return dw * (kw - 1) + 1; }
  constexpr int ho() const { return sh > 0 && hp() >= ekh() ? (hp() - ekh()) / sh + 1 : 0; }
  constexpr int wo() const { return sw > 0 && wp() >= ekw() ? (wp() - ekw()) / sw + 1 : 0; }
  constexpr int in_g() const { return groups > 0 && in % groups == 0 ? in / groups : 1; }
  constexpr int out_g() const { return groups > 0 && out % groups == 0 ? out / groups : 1; }
  constexpr int ngroups() const { return groups > 0 && in % groups == 0 && out % groups == 0 ? groups : 1; }
  constexpr bool padded() const { return pt != 0 || pb != 0 || pl != 0 || pr != 0; }
  constexpr bool valid() const { return ho() > 0 && wo() > 0; }
  /// Multiply-adds of one sample.
  constexpr long long macs() const {
    return static_cast<long long>(out) * ho() * wo() * in_g() * kh * kw;
  }
  friend constexpr bool operator==(const conv_geometry&, const conv_geometry&) = default;
};

/// Padding of one dimension, per side, as PyTorch computes it: numbers both sides; 'same'
/// total d (k - 1), the odd one on the right (torch's _conv_forward / at::_convolution_mode);
/// 'valid' none; 'causal' all of it on the left.
struct side_padding {
  int before = 0, after = 0;
};
constexpr side_padding pad_of(PaddingKind kind, int number, int k, int d) {
  const int total = d * (k - 1);
  switch (kind) {
    case PaddingKind::same: return {total / 2, total - total / 2};
    case PaddingKind::valid: return {0, 0};
    case PaddingKind::causal: return {total, 0};
    default: return {number, number};
  }
}

constexpr int positive(int v) { return v > 0 ? v : 1; }

constexpr conv_geometry conv_geometry_of(int in, int out, size2 k, const ConvOptions& o, int h, int w) {
  conv_geometry g{};
  g.in = in;
  g.out = out;
  g.groups = o.groups;
  g.kh = positive(k.h);
  g.kw = positive(k.w);
  g.sh = o.stride.h;
  g.sw = o.stride.w;
  g.dh = positive(o.dilation.h);
  g.dw = positive(o.dilation.w);
  const side_padding ph = pad_of(o.padding.kind, o.padding.h, g.kh, g.dh);
  const side_padding pw = pad_of(o.padding.kind, o.padding.w, g.kw, g.dw);
  g.pt = ph.before;
  g.pb = ph.after;
  g.pl = pw.before;
  g.pr = pw.after;
  g.mode = o.padding_mode;
  g.bias = o.bias;
  g.h = h;
  g.w = w;
  return g;
}
/// A 1-D layer: height 1, every option's second number (size2{3} holds 3 twice).
constexpr conv_geometry conv1d_geometry(int in, int out, int k, ConvOptions o, int l) {
  o.stride.h = 1;
  o.dilation.h = 1;
  o.padding.h = 0;
  conv_geometry g = conv_geometry_of(in, out, size2(1, k), o, 1, l);
  g.pt = g.pb = 0;
  return g;
}

/// The length of a transposed convolution's output: (L - 1) s - 2 p + d (k - 1) + op + 1.
constexpr int transposed_length(int l, int k, int s, int p, int op, int d) {
  return (l - 1) * s - 2 * p + d * (k - 1) + op + 1;
}
/// The convolution whose adjoint ConvTranspose(In, Out, ...) is: Conv(Out, In, ...) on the
/// transposed convolution's output (oh, ow), zero padding.
constexpr conv_geometry transposed_geometry(int in, int out, size2 k, const ConvTransposeOptions& o, int h, int w) {
  conv_geometry g{};
  g.in = out;
  g.out = in;
  g.groups = o.groups;
  g.kh = positive(k.h);
  g.kw = positive(k.w);
  g.sh = o.stride.h;
  g.sw = o.stride.w;
  g.dh = positive(o.dilation.h);
  g.dw = positive(o.dilation.w);
  g.pt = g.pb = o.padding.h;
  g.pl = g.pr = o.padding.w;
  g.bias = o.bias;
  // an empty output is reported by the layer; the geometry stays computable meanwhile
  g.h = positive(transposed_length(h, g.kh, g.sh, o.padding.h, o.output_padding.h, g.dh));
  g.w = positive(transposed_length(w, g.kw, g.sw, o.padding.w, o.output_padding.w, g.dw));
  return g;
}

/// Where padded coordinate i (0 <= i < n + before + after) reads the input from: an index in
/// [0, n), or -1 for a zero. PyTorch's reflect (no edge repeat), replicate and circular.
template <int N, int Before, int After>
constexpr std::array<int, N + Before + After> padding_sources(PaddingMode mode) {
  std::array<int, N + Before + After> src{};
  for (int p = 0; p < N + Before + After; ++p) {
    int i = p - Before;
    if (i < 0 || i >= N) {
      switch (mode) {
        case PaddingMode::reflect: i = i < 0 ? -i : 2 * (N - 1) - i; break;
        case PaddingMode::replicate: i = i < 0 ? 0 : N - 1; break;
        case PaddingMode::circular: i = ((i % N) + N) % N; break;
        default: i = -1; break;
      }
      if (i >= N || i < -1) i = -1;  // only for a configuration the layer rejects
    }
    src[static_cast<std::size_t>(p)] = i;
  }
  return src;
}

/// The arithmetic of geometry G in scalar S, one sample at a time; a sample is contiguous.
template <conv_geometry G, class S>
struct conv_kernel {
  static constexpr int Hp = G.hp(), Wp = G.wp(), Ho = positive(G.ho()), Wo = positive(G.wo());
  static constexpr int P = Ho * Wo;                   // output positions
  static constexpr int KK = G.kh * G.kw;
  static constexpr int IGK = G.in_g() * KK;           // columns of one group
  static constexpr int CK = G.in * KK;                // columns of cols
  static constexpr int NG = G.ngroups(), OG = G.out_g();
  static constexpr int in_size = G.in * G.h * G.w;
  static constexpr int out_size = G.out * P;
  static constexpr int padded_size = G.padded() ? G.in * Hp * Wp : 1;

  // The products run through Eigen's GEMM with run-time sizes: one instantiation per scalar
  // type for every convolution (fixed sizes would instantiate one per layer shape, and above
  // Eigen's stack limit fixed-size blocking would not fit the stack), split by stack_product
  // so that Eigen's packing workspace stays on the stack for large maps too.
  static constexpr bool small = false;
  template <int R, int C>
  using map = Eigen::Map<Eigen::Matrix<S, small ? R : Eigen::Dynamic, small ? C : Eigen::Dynamic>>;
  template <int R, int C>
  using cmap = Eigen::Map<const Eigen::Matrix<S, small ? R : Eigen::Dynamic, small ? C : Eigen::Dynamic>>;

  /// The buffers of one sample, allocated with the layer: the columns (P x CK: column
  /// (c, ky, kx) holds the input under that tap at every output position, so the sample's
  /// (Out, P) row-major output is cols times W^T) and the padded input.
  /// The input gradient runs as a direct convolution too (stride 1 both ways): the padded
  /// input's gradient is the output gradient, zero-padded by (k - 1) d on every side, convolved
  /// with the weight flipped and transposed (In x OG k_h k_w per group); its rows (Wp
  /// positions) must hold a packet or a half packet. gHp x gWp: the zero-padded output
  /// gradient of a channel.
  static constexpr int gHp = Ho + 2 * (G.kh - 1) * G.dh, gWp = Wo + 2 * (G.kw - 1) * G.dw;
  static constexpr bool direct_grad = packet_within_size<S, Wp> > 1 && G.sh == 1 && G.sw == 1 &&
                                      static_cast<long long>(OG) * G.ekh() * gWp * sizeof(S) <= 64 * 1024;
  static constexpr int grad_padded_size = direct_grad ? G.out * gHp * gWp : 1;
  static constexpr int flipped_rows = direct_grad ? G.in : 1, flipped_cols = direct_grad ? OG * KK : 1;
  /// The weight gradient runs directly (detail::direct_weight_grad) when a group's output channels
  /// are whole SIMD packets or half packets (AVX-512: 16, 8 or 4 floats): from the padded input
  /// and the output gradient transposed to (P, Out), any stride; otherwise im2col and Eigen's
  /// GEMM (which AVX-512 took for CNN2's Conv2d(1, 8) before half packets).
  static constexpr bool direct_wgrad = packet_dividing_size<S, OG> > 1;
  static constexpr int dyt_size = direct_wgrad ? P * G.out : 1;

  struct Scratch {
    Matrix<S, P, CK> cols = zero_matrix<Matrix<S, P, CK>, P, CK>();
    Matrix<S, padded_size, 1> padded = zero_matrix<Matrix<S, padded_size, 1>, padded_size, 1>();
    // direct_grad: the zero-padded output gradient (its borders stay zero) and the flipped weight
    Matrix<S, grad_padded_size, 1> grad_padded = zero_matrix<Matrix<S, grad_padded_size, 1>, grad_padded_size, 1>();
    Matrix<S, flipped_rows, flipped_cols> flipped = zero_matrix<Matrix<S, flipped_rows, flipped_cols>, flipped_rows, flipped_cols>();
    // direct_wgrad: the sample's output gradient, (P, Out) row-major
    Matrix<S, dyt_size, 1> dyt = zero_matrix<Matrix<S, dyt_size, 1>, dyt_size, 1>();
  };

  static constexpr auto src_h = padding_sources<G.h, G.pt, G.pb>(G.mode);
  static constexpr auto src_w = padding_sources<G.w, G.pl, G.pr>(G.mode);

  /// The padded sample x (in_size elements): x itself, or its copy with the padding in s.
  /// Every element is written (the direct input gradient leaves its own values in s.padded);
  /// a row's border through the padding's sources, the input row between copied whole (a
  /// lookup per element cost about a fifth of CNN2's second convolution's forward).
  static const S* pad(const S* x, Scratch& s) {
    if constexpr (G.padded()) {
      S* p = s.padded.data();
      for (int c = 0; c < G.in; ++c)
        for (int y = 0; y < Hp; ++y, p += Wp) {
          const int sy = src_h[static_cast<std::size_t>(y)];
          if (sy < 0) {
            std::fill(p, p + Wp, S(0));
            continue;
          }
          const S* row = x + (c * G.h + sy) * G.w;
          const auto border = [&](int xx) {
            const int sx = src_w[static_cast<std::size_t>(xx)];
            p[xx] = sx < 0 ? S(0) : row[sx];
          };
          for (int xx = 0; xx < G.pl; ++xx) border(xx);
          std::copy(row, row + G.w, p + G.pl);
          for (int xx = G.pl + G.w; xx < Wp; ++xx) border(xx);
        }
      return s.padded.data();
    } else {
      return x;
    }
  }

  /// The forward runs straight from the padded input (detail/conv_direct.hpp) when the
  /// positions of a row are consecutive inputs (stride 1 along it), a row holds a SIMD packet
  /// of positions (or a half packet: AVX-512's 8 floats for rows of 8 to 15), and the input
  /// rows one output row reads fit in 64 KiB (L1/L2); otherwise through im2col and Eigen's
  /// GEMM, which blocks for the caches.
  static constexpr bool direct = packet_within_size<S, Wo> > 1 && G.sw == 1 &&
                                 static_cast<long long>(G.in_g()) * G.ekh() * Wp * sizeof(S) <= 64 * 1024;
  static constexpr direct_plan plan{.channels = G.in_g(), .kh = G.kh, .kw = G.kw, .plane = Hp * Wp,
                                    .tap_row = G.dh * Wp, .tap_col = G.dw, .width = Wo, .weights = G.out};
  /// y (Out, P) = W x + b (b may be null), directly; w is the (Out, IGK) column-major weight.
  static void forward_direct(const S* w, const S* b, const S* x, Scratch& s, S* y) {
    const S* src = pad(x, s);
    for (int g = 0; g < NG; ++g)
      for (int oy = 0; oy < Ho; ++oy)
        direct_conv_row<plan, OG>(src + (g * G.in_g() * Hp + oy * G.sh) * Wp, w + g * OG,
                                  b != nullptr ? b + g * OG : nullptr, y + g * OG * P + oy * Wo, P);
  }

  /// cols of sample x (in_size elements).
  static void im2col(const S* x, Scratch& s) {
    const S* src = pad(x, s);
    S* col = s.cols.data();
    for (int c = 0; c < G.in; ++c)
      for (int ky = 0; ky < G.kh; ++ky)
        for (int kx = 0; kx < G.kw; ++kx) {
          for (int oy = 0; oy < Ho; ++oy) {
            const S* row = src + (c * Hp + oy * G.sh + ky * G.dh) * Wp + kx * G.dw;
            if constexpr (G.sw == 1) {
              for (int ox = 0; ox < Wo; ++ox) col[ox] = row[ox];
            } else {
              for (int ox = 0; ox < Wo; ++ox) col[ox] = row[ox * G.sw];
            }
            col += Wo;
          }
        }
  }

  /// dx (in_size elements) = the gradient of the padded input (s.padded) folded back through
  /// the padding: each padded position onto the input it copied, zeros nowhere.
  static void unpad(const Scratch& s, S* dx) {
    std::fill(dx, dx + in_size, S(0));
    const S* p = s.padded.data();
    for (int c = 0; c < G.in; ++c)
      for (int y = 0; y < Hp; ++y) {
        const int sy = src_h[static_cast<std::size_t>(y)];
        for (int xx = 0; xx < Wp; ++xx, ++p) {
          const int sx = src_w[static_cast<std::size_t>(xx)];
          if (sy >= 0 && sx >= 0) dx[(c * G.h + sy) * G.w + sx] += *p;
        }
      }
  }

  static constexpr direct_plan grad_plan{.channels = OG, .kh = G.kh, .kw = G.kw, .plane = gHp * gWp,
                                         .tap_row = G.dh * gWp, .tap_col = G.dw, .width = Wp, .weights = G.in};
  /// s.flipped(c, (o, ky, kx)) = W(o, (c, k_h - 1 - ky, k_w - 1 - kx)) within each group: once
  /// per backward call, before input_grad_direct.
  template <class W>
  static void flip_weight(const W& w, Scratch& s) {
    if constexpr (direct_grad) {
      constexpr int IG = G.in_g();
      for (int g = 0; g < NG; ++g)
        for (int cl = 0; cl < IG; ++cl)
          for (int ol = 0; ol < OG; ++ol)
            for (int ky = 0; ky < G.kh; ++ky)
              for (int kx = 0; kx < G.kw; ++kx)
                s.flipped(g * IG + cl, (ol * G.kh + ky) * G.kw + kx) =
                    w(g * OG + ol, (cl * G.kh + G.kh - 1 - ky) * G.kw + G.kw - 1 - kx);
    }
  }
  /// dx = the input gradient of the sample's output gradient dy ((Out, P) row-major), directly.
  static void input_grad_direct(const S* dy, Scratch& s, S* dx) {
    constexpr int IG = G.in_g(), top = (G.kh - 1) * G.dh, left = (G.kw - 1) * G.dw;
    S* gp = s.grad_padded.data();
    for (int o = 0; o < G.out; ++o)
      for (int oy = 0; oy < Ho; ++oy)
        std::copy(dy + (o * Ho + oy) * Wo, dy + (o * Ho + oy + 1) * Wo, gp + (o * gHp + oy + top) * gWp + left);
    S* dxp = G.padded() ? s.padded.data() : dx;
    for (int g = 0; g < NG; ++g)
      for (int y = 0; y < Hp; ++y)
        direct_conv_row<grad_plan, IG, S, true>(gp + (g * OG * gHp + y) * gWp, s.flipped.data() + g * IG, nullptr,
                                             dxp + (g * IG * Hp + y) * Wp, Hp * Wp);
    if constexpr (G.padded()) unpad(s, dx);
  }

  static constexpr wgrad_plan wplan{.taps = plan, .rows = Ho, .row_step = G.sh * Wp, .col_step = G.sw};
  /// dW += the weight gradient of sample x with output gradient dy ((Out, P) row-major),
  /// directly; uses s.padded and s.dyt.
  template <class W>
  static void weight_grad_direct(const S* x, const S* dy, Scratch& s, W& dw) {
    const S* src = pad(x, s);
    S* dyt = s.dyt.data();
    transpose<G.out, P>(dy, dyt);
    for (int g = 0; g < NG; ++g)
      direct_weight_grad<wplan, OG>(src + g * G.in_g() * Hp * Wp, dyt + g * OG, dw.data() + g * OG);
  }

  /// Adds the columns' gradient (in s.cols) back onto the input gradient dx (in_size elements,
  /// overwritten): each tap to the position it read, through the padding.
  static void col2im(Scratch& s, S* dx) {
    S* dst = dx;
    if constexpr (G.padded()) dst = s.padded.data();
    std::fill(dst, dst + G.in * Hp * Wp, S(0));
    const S* col = s.cols.data();
    for (int c = 0; c < G.in; ++c)
      for (int ky = 0; ky < G.kh; ++ky)
        for (int kx = 0; kx < G.kw; ++kx)
          for (int oy = 0; oy < Ho; ++oy) {
            S* row = dst + (c * Hp + oy * G.sh + ky * G.dh) * Wp + kx * G.dw;
            for (int ox = 0; ox < Wo; ++ox) row[ox * G.sw] += col[ox];
            col += Wo;
          }
    if constexpr (G.padded()) unpad(s, dx);
  }

  /// y (Out, P) = W cols^T per group, bias not added.
  template <class W>
  static void product(const W& w, const Scratch& s, S* y) {
    map<P, G.out> yt(y, P, G.out);  // the sample's (Out, P) row-major bytes, transposed
    cmap<G.out, IGK> wm(w.data(), G.out, IGK);
    cmap<P, CK> cols(s.cols.data(), P, CK);
    if constexpr (NG == 1) {
      stack_product<false>(yt, cols, wm.transpose());
    } else {
      for (int g = 0; g < NG; ++g)
        stack_product<false>(yt.middleCols(g * OG, OG), cols.middleCols(g * IGK, IGK),
                             wm.middleRows(g * OG, OG).transpose());
    }
  }
  /// y += b per output channel.
  /// dW += dy cols per group (dy: the sample's (Out, P) gradient).
  template <class W>
  static void weight_grad(const Scratch& s, const S* dy, W& dw) {
    cmap<P, G.out> gt(dy, P, G.out);
    map<G.out, IGK> dwm(dw.data(), G.out, IGK);
    cmap<P, CK> cols(s.cols.data(), P, CK);
    if constexpr (NG == 1) {
      stack_product<true>(dwm, gt.transpose(), cols);
    } else {
      for (int g = 0; g < NG; ++g)
        stack_product<true>(dwm.middleRows(g * OG, OG), gt.middleCols(g * OG, OG).transpose(),
                            cols.middleCols(g * IGK, IGK));
    }
  }
  /// dx = col2im(dy W) (overwrites s.cols).
  template <class W>
  static void input_grad(const W& w, const S* dy, Scratch& s, S* dx) {
    cmap<P, G.out> gt(dy, P, G.out);
    cmap<G.out, IGK> wm(w.data(), G.out, IGK);
    map<P, CK> cols(s.cols.data(), P, CK);
    if constexpr (NG == 1) {
      stack_product<false>(cols, gt, wm);
    } else {
      for (int g = 0; g < NG; ++g)
        stack_product<false>(cols.middleCols(g * IGK, IGK), gt.middleCols(g * OG, OG), wm.middleRows(g * OG, OG));
    }
    col2im(s, dx);
  }
};

/// The notes of the convolutions' compile-time checks: each reads as a sentence with the
/// numbers (GCC 12 cannot put them into the static_assert's message).
template <class Layer>
struct conv_layer {
  template <int Kernel>
  struct kernel_size {
    template <int Dilated>
    struct dilated {
      template <int Padded>
      static constexpr bool fits_in_the_padded_input_length = Dilated <= Padded;
    };
  };
  template <int Groups>
  struct groups {
    template <int In>
    static constexpr bool divide_the_in_channels = Groups > 0 && In % Groups == 0;
    template <int Out>
    static constexpr bool divide_the_out_channels = Groups > 0 && Out % Groups == 0;
  };
  template <int H, int W>
  struct stride {
    static constexpr bool is_positive = H > 0 && W > 0;
  };
  template <int H, int W>
  struct padding_same_with_stride {
    static constexpr bool needs_stride_one = H == 1 && W == 1;
  };
  template <int H, int W>
  struct output_length {
    static constexpr bool is_positive = H > 0 && W > 0;
  };
  template <bool Causal>
  static constexpr bool is_two_dimensional_but_has_causal_padding = !Causal;
  template <int H, int W>
  struct one_dimensional_option_has_two_numbers {
    static constexpr bool that_agree = H == W;
  };
  template <int OutputPadding, int Stride, int Dilation>
  struct output_padding {
    static constexpr bool is_smaller_than_stride_or_dilation = OutputPadding < Stride || OutputPadding < Dilation;
  };
  template <int Padding>
  struct padding {
    template <int Length>
    static constexpr bool is_smaller_than_the_input_length_for_reflect = Padding < Length;
    template <int Length>
    static constexpr bool is_at_most_the_input_length_for_circular = Padding <= Length;
  };
};

/// The checks of a configuration that hold for every input size (1 = passed).
template <class Layer, conv_geometry G, ConvOptions O, bool OneD>
constexpr bool check_conv_options() {
  using N = conv_layer<Layer>;
  // Fix: stride 1 or more in every dimension.
  static_assert(N::template stride<O.stride.h, O.stride.w>::is_positive,
                "ctnn: a convolution's stride must be positive (the note names the layer and the stride)");
  // Fix: In and Out multiples of groups (depthwise: groups = In).
  static_assert(N::template groups<O.groups>::template divide_the_in_channels<G.in>,
                "ctnn: a convolution's groups must divide its in channels (the note names the layer and both numbers)");
  static_assert(N::template groups<O.groups>::template divide_the_out_channels<G.out>,
                "ctnn: a convolution's groups must divide its out channels (the note names the layer and both numbers)");
  // Fix: 'same' needs stride 1 (as PyTorch's ValueError says); give numbers instead.
  static_assert(O.padding.kind != PaddingKind::same ||
                    N::template padding_same_with_stride<O.stride.h, O.stride.w>::needs_stride_one,
                "ctnn: padding ctnn::same needs stride 1 (the note names the layer and the stride)");
  if constexpr (OneD) {
    // Fix: a 1-D layer takes one number per option (size2{3} or 3).
    static_assert(N::template one_dimensional_option_has_two_numbers<O.stride.h, O.stride.w>::that_agree,
                  "ctnn: a 1-D convolution's stride is one number, not two different ones (the note names them)");
    static_assert(N::template one_dimensional_option_has_two_numbers<O.dilation.h, O.dilation.w>::that_agree,
                  "ctnn: a 1-D convolution's dilation is one number, not two different ones (the note names them)");
    static_assert(N::template one_dimensional_option_has_two_numbers<O.padding.h, O.padding.w>::that_agree,
                  "ctnn: a 1-D convolution's padding is one number, not two different ones (the note names them)");
  } else {
    // Fix: causal padding is Conv1d's (left of a signal); a 2-D layer takes numbers or same.
    static_assert(N::template is_two_dimensional_but_has_causal_padding<O.padding.kind == PaddingKind::causal>,
                  "ctnn: padding ctnn::causal is for Conv1d only (the note names the layer)");
  }
  return true;
}

/// The checks of a configuration on an input of G.h x G.w.
template <class Layer, conv_geometry G>
constexpr bool check_conv_input() {
  using N = conv_layer<Layer>;
  // Fix: a longer input, more padding, or a smaller kernel or dilation.
  static_assert(N::template kernel_size<G.kh>::template dilated<G.ekh()>::template fits_in_the_padded_input_length<G.hp()>,
                "ctnn: a convolution's kernel (dilated) is larger than its padded input height (the note names the "
                "layer and the numbers)");
  static_assert(N::template kernel_size<G.kw>::template dilated<G.ekw()>::template fits_in_the_padded_input_length<G.wp()>,
                "ctnn: a convolution's kernel (dilated) is larger than its padded input length (the note names the "
                "layer and the numbers)");
  if constexpr (G.mode == PaddingMode::reflect) {
    // Fix: PyTorch's reflect padding needs padding < the input length.
    static_assert(N::template padding<std::max({G.pl, G.pr})>::template is_smaller_than_the_input_length_for_reflect<G.w> &&
                      N::template padding<std::max({G.pt, G.pb})>::template is_smaller_than_the_input_length_for_reflect<G.h>,
                  "ctnn: reflect padding must be smaller than the input length (the note names the numbers)");
  }
  if constexpr (G.mode == PaddingMode::circular) {
    static_assert(N::template padding<std::max({G.pl, G.pr})>::template is_at_most_the_input_length_for_circular<G.w> &&
                      N::template padding<std::max({G.pt, G.pb})>::template is_at_most_the_input_length_for_circular<G.h>,
                  "ctnn: circular padding must be at most the input length (the note names the numbers)");
  }
  return true;
}

/// PyTorch's tuple printing: (5,) or (3, 3).
inline std::string conv_tuple(bool one_d, int h, int w) {
  return one_d ? "(" + std::to_string(w) + ",)" : "(" + std::to_string(h) + ", " + std::to_string(w) + ")";
}
constexpr std::string_view padding_mode_name(PaddingMode m) {
  switch (m) {
    case PaddingMode::reflect: return "reflect";
    case PaddingMode::replicate: return "replicate";
    case PaddingMode::circular: return "circular";
    default: return "zeros";
  }
}

/// torch.nn.modules.conv._ConvNd.extra_repr.
inline std::string conv_extra_repr(bool one_d, int in, int out, size2 k, size2 stride, padding pad, size2 dilation,
                                   size2 output_padding, int groups, bool bias, PaddingMode mode) {
  std::string s = std::to_string(in) + ", " + std::to_string(out) + ", kernel_size=" + conv_tuple(one_d, k.h, k.w) +
                  ", stride=" + conv_tuple(one_d, stride.h, stride.w);
  switch (pad.kind) {
    case PaddingKind::same: s += ", padding=same"; break;
    case PaddingKind::valid: s += ", padding=valid"; break;
    case PaddingKind::causal: s += ", padding=causal"; break;
    default:
      if (pad.h != 0 || pad.w != 0) s += ", padding=" + conv_tuple(one_d, pad.h, pad.w);
  }
  if (dilation.h != 1 || dilation.w != 1) s += ", dilation=" + conv_tuple(one_d, dilation.h, dilation.w);
  if (output_padding.h != 0 || output_padding.w != 0)
    s += ", output_padding=" + conv_tuple(one_d, output_padding.h, output_padding.w);
  if (groups != 1) s += ", groups=" + std::to_string(groups);
  if (!bias) s += ", bias=False";
  if (mode != PaddingMode::zeros) s += ", padding_mode=" + std::string(padding_mode_name(mode));
  return s;
}

/// conv_extra_repr's arguments for the fingerprint's describe hook: In, Out, kernel_size,
/// and each option that is not PyTorch's default; 2-D sizes as (h,w).
template <class A>
constexpr void conv_describe(A& a, bool one_d, int in, int out, size2 k, size2 stride, padding pad, size2 dilation,
                             size2 output_padding, int groups, bool bias, PaddingMode mode) {
  const auto sizes = [&](std::string_view key, int h, int w) {
    if (one_d) {
      a.arg(key, w);
    } else {
      a.arg(key, h, w);
    }
  };
  a.arg(in);
  a.arg(out);
  sizes("kernel_size", k.h, k.w);
  if (stride != size2(1)) sizes("stride", stride.h, stride.w);
  switch (pad.kind) {
    case PaddingKind::same: a.arg("padding", "same"); break;
    case PaddingKind::valid: a.arg("padding", "valid"); break;
    case PaddingKind::causal: a.arg("padding", "causal"); break;
    default:
      if (pad.h != 0 || pad.w != 0) sizes("padding", pad.h, pad.w);
  }
  if (dilation != size2(1)) sizes("dilation", dilation.h, dilation.w);
  if (output_padding != size2(0)) sizes("output_padding", output_padding.h, output_padding.w);
  if (groups != 1) a.arg("groups", groups);
  if (!bias) a.arg("bias", "False");
  if (mode != PaddingMode::zeros) a.arg("padding_mode", padding_mode_name(mode));
}

/// PyTorch's reset_parameters of _ConvNd: kaiming_uniform(a=sqrt(5)) on the weight, which is
/// U(-1/sqrt(fan_in), 1/sqrt(fan_in)) with fan_in = weight.size(1) * prod(kernel), and the
/// same bound for the bias; drawn in Linear's order (weight, then bias).
template <class W, class B>
void conv_reset(Generator& gen, int fan_in, W& weight, B* bias) {
  const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
  using S = typename W::Scalar;
  for (Eigen::Index i = 0; i < weight.size(); ++i) weight.data()[i] = static_cast<S>(gen.uniform(-bound, bound));
  if (bias != nullptr)
    for (Eigen::Index i = 0; i < bias->size(); ++i) bias->data()[i] = static_cast<S>(gen.uniform(-bound, bound));
}

/// Forward and backward of a convolution (or, Transposed, of its adjoint) over the columns
/// of a batch; w is the weight's storage, b, dw, db, dx may be null (no bias, frozen, not
/// asked for).
template <conv_geometry G, class S, bool Transposed>
struct conv_ops {
  using K = conv_kernel<G, S>;
  using Scratch = typename K::Scratch;
  static constexpr int x_size = Transposed ? K::out_size : K::in_size;
  static constexpr int y_size = Transposed ? K::in_size : K::out_size;
  // a transposed convolution's bias is per channel of the convolution's input
  static constexpr int bias_positions = Transposed ? G.h * G.w : K::P;
  static constexpr int bias_channels = Transposed ? G.in : G.out;
  using bias_map = Eigen::Map<Eigen::Matrix<S, bias_positions, bias_channels>>;
  using const_bias_map = Eigen::Map<const Eigen::Matrix<S, bias_positions, bias_channels>>;

  template <class W, class B>
  static void forward_sample(const W& w, const B* b, Scratch& s, const S* x, S* y) {
    if constexpr (!Transposed && K::direct) {
      K::forward_direct(w.data(), b != nullptr ? b->data() : nullptr, x, s, y);
      return;
    } else if constexpr (!Transposed) {
      K::im2col(x, s);
      K::product(w, s, y);
    } else {
      K::input_grad(w, x, s, y);
    }
    if (b != nullptr) bias_map(y).rowwise() += b->transpose();
  }

  template <class W, class B, class X, class Y>
  static void forward(const W& w, const B* b, Scratch& s, const X& x, Y& y) {
    const auto& xc = contiguous(x);
    for (Eigen::Index j = 0; j < xc.cols(); ++j) forward_sample(w, b, s, xc.data() + j * x_size, &y.coeffRef(0, j));
  }

  template <class W, class DW, class DB, class X, class G_, class DX>
  static void backward(const W& w, Scratch& s, const X& x, const G_& dy, DW* dw, DB* db, DX* dx) {
    const auto& xc = contiguous(x);
    const auto& gc = contiguous(dy);
    if constexpr (!Transposed && K::direct_grad)
      if (dx != nullptr) K::flip_weight(w, s);
    for (Eigen::Index j = 0; j < xc.cols(); ++j) {
      const S* xj = xc.data() + j * x_size;
      const S* gj = gc.data() + j * y_size;
      if (db != nullptr) *db += const_bias_map(gj).colwise().sum().transpose();
      if constexpr (!Transposed) {
        // the weight gradient first: the direct input gradient reuses the padded input's buffer
        if (dw != nullptr) {
          if constexpr (K::direct_wgrad) {
            K::weight_grad_direct(xj, gj, s, *dw);
          } else {
            K::im2col(xj, s);
            K::weight_grad(s, gj, *dw);
          }
        }
        if constexpr (K::direct_grad) {
          if (dx != nullptr) K::input_grad_direct(gj, s, &dx->coeffRef(0, j));
        } else {
          if (dx != nullptr) K::input_grad(w, gj, s, &dx->coeffRef(0, j));
        }
      } else {  // the convolution's input is this layer's output gradient, its output gradient x
        K::im2col(gj, s);
        if (dw != nullptr) K::weight_grad(s, xj, *dw);
        if (dx != nullptr) K::product(w, s, &dx->coeffRef(0, j));
      }
    }
  }
};

/// What every convolution layer of geometry G holds and computes: weight, bias (reflected:
/// state_dict names "weight", "bias"), the buffers of one sample, PyTorch's initialisation,
/// forward, backward and FLOPs. The public layers derive from it and add their shape rule,
/// checks and printed form.
template <conv_geometry G, class S, bool Transposed, bool OneD>
struct conv_base {
  using ops = conv_ops<G, S, Transposed>;
  using weight_type = std::conditional_t<OneD, TensorParameter<S, G.out, G.in_g(), G.kw>,
                                         TensorParameter<S, G.out, G.in_g(), G.kh, G.kw>>;
  static constexpr int bias_size = Transposed ? G.in : G.out;
  static constexpr int in_features = ops::x_size;
  static constexpr int out_features = ops::y_size;
  static constexpr bool backward_reads_output = false;  // detail/fuse.hpp
  using scalar_type = S;

  BOOST_HANA_DEFINE_STRUCT(conv_base, (weight_type, weight), (OptionalParameter<G.bias, S, bias_size>, bias));

  conv_base() { reset_parameters(default_generator()); }
  explicit conv_base(skip_init_t) {}

  /// PyTorch's reset_parameters (fan_in = weight.size(1) * prod(kernel), for the transposed
  /// layers too, as torch.nn.init._calculate_fan_in_and_fan_out computes it).
  void reset_parameters(Generator& gen) {
    if constexpr (G.bias) {
      conv_reset(gen, G.in_g() * G.kh * G.kw, weight.value, &bias.value);
    } else {
      conv_reset(gen, G.in_g() * G.kh * G.kw, weight.value, static_cast<typename weight_type::matrix_type*>(nullptr));
    }
  }

  // forward: y = conv(x) + b, sample by sample (transposed: its adjoint)
  template <class X>
  batch_like<X, out_features> forward(const Eigen::MatrixBase<X>& x) const {
    batch_like<X, out_features> y(out_features, x.cols());
    forward_into(x, y);
    return y;
  }
  template <class X, class Y>
  void forward_into(const Eigen::MatrixBase<X>& x, Y&& y) const {
    static_assert(X::RowsAtCompileTime == Eigen::Dynamic || X::RowsAtCompileTime == in_features,
                  "ctnn: a convolution's forward was given an input with the wrong number of elements");
    ops::forward(weight.value, bias_value(), scratch_, x.derived(), y);
  }

  // backward: dW += dy cols^T, db += sum dy, dx = col2im(W^T dy)
  template <class X, class Y, class Gr>
  batch_like<Gr, in_features> backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>& y,
                                       const Eigen::MatrixBase<Gr>& dy) {
    batch_like<Gr, in_features> dx(in_features, dy.cols());
    backward_into(x, y, dy, dx);
    return dx;
  }
  template <class X, class Y, class Gr, class DX>
  void backward_into(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>&, const Eigen::MatrixBase<Gr>& dy,
                     DX&& dx) {
    ops::backward(weight.value, scratch_, x.derived(), dy.derived(), weight_grad(), bias_grad(), &dx);
  }
  /// dW and db only (the first layer of a network: nobody reads dx).
  template <class X, class Y, class Gr>
  void backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>&, const Eigen::MatrixBase<Gr>& dy,
                parameters_only_t) {
    ops::backward(weight.value, scratch_, x.derived(), dy.derived(), weight_grad(), bias_grad(),
                  static_cast<Matrix<S, in_features, 1>*>(nullptr));
  }

  /// FLOPs of one sample: a multiply-add per weight use, and the bias's additions.
  static constexpr long long flops(Shape = {}) {
    return 2 * G.macs() + (G.bias ? static_cast<long long>(bias_size) * (Transposed ? G.h * G.w : G.ho() * G.wo()) : 0);
  }

 protected:
  using bias_matrix = Matrix<S, bias_size, 1>;
  const bias_matrix* bias_value() const {
    if constexpr (G.bias) {
      return &bias.value;
    } else {
      return nullptr;
    }
  }
  typename weight_type::matrix_type* weight_grad() { return weight.requires_grad ? &weight.grad : nullptr; }
  bias_matrix* bias_grad() {
    if constexpr (G.bias) {
      return bias.requires_grad ? &bias.grad : nullptr;
    } else {
      return nullptr;
    }
  }
  // the buffers of one sample (columns, padded input): allocated with the layer, so that a
  // call allocates nothing; a forward or backward uses them and leaves nothing in them
  mutable typename ops::Scratch scratch_;
};

/// The smallest input length a probe of the layer's concept may use (any that fits would do).
constexpr int probe_length(int extent, int before, int after) { return extent + before + after + 1; }

}  // namespace detail

/// torch.nn.Conv1d(In, Out, Kernel, stride, padding, dilation, groups, bias, padding_mode) in
/// scalar type Scalar, on (In, L) samples: `ctnn::Conv1d<1, 12, 5, ctnn::ConvOptions{.stride
/// = 3}>`. L comes from the shape that reaches the layer (a Sequential binds it: the last
/// template argument); `padding = ctnn::causal` pads (K - 1) dilation zeros on the left only,
/// and then the layer also streams (step, reset_state).
template <int In, int Out, int Kernel, ConvOptions O = ConvOptions{}, class Scalar = float, int L = any>
struct Conv1d : detail::conv_base<detail::conv1d_geometry(In, Out, Kernel, O, L), Scalar, false, true> {
  using unbound = Conv1d<In, Out, Kernel, O, Scalar>;
  static constexpr detail::conv_geometry geometry = detail::conv1d_geometry(In, Out, Kernel, O, L);
  using base = detail::conv_base<geometry, Scalar, false, true>;
  static_assert(detail::check_conv_options<unbound, geometry, O, true>());
  static_assert(detail::check_conv_input<unbound, geometry>());

  // shape rule: (In, L) -> (Out, (L + padding - dilation (K - 1) - 1) / stride + 1)
  static constexpr Shape in_shape = Shape(In, L);
  static constexpr Shape out_shape = Shape(Out, detail::positive(geometry.wo()));
  static constexpr bool accepts(Shape s) { return s == in_shape; }
  static constexpr Shape output_shape(Shape) { return out_shape; }
  static constexpr Shape expected_input(Shape) { return in_shape; }
  template <class S>
  using with_scalar = Conv1d<In, Out, Kernel, O, S, L>;

  Conv1d() = default;
  explicit Conv1d(skip_init_t t) : base(t) {}

  static constexpr std::string_view repr_name = "Conv1d";
  std::string extra_repr() const {
    return detail::conv_extra_repr(true, In, Out, Kernel, O.stride, O.padding, O.dilation, 0, O.groups, O.bias,
                                   O.padding_mode);
  }
  /// The fingerprint's arguments: the same, compact (ctnn/io/fingerprint.hpp).
  template <class A>
  static constexpr void describe(A& args) {
    detail::conv_describe(args, true, In, Out, Kernel, O.stride, O.padding, O.dilation, 0, O.groups, O.bias,
                                   O.padding_mode);
  }

  // streaming (causal padding, stride 1): a ring buffer of the last (K - 1) dilation + 1
  // inputs; output t reads the taps t - (K - 1 - k) dilation, as the sequence form does
  static constexpr bool streams = O.padding.kind == PaddingKind::causal && O.stride.w == 1;
  static constexpr int step_in_features = In;
  static constexpr int step_out_features = Out;
  static constexpr int ring_length = geometry.ekw();
  // only a streaming Conv1d keeps its ring (ring_ below is one column otherwise)
  static constexpr long long state_bytes = streams ? static_cast<long long>(sizeof(Scalar)) * In * ring_length : 0;

  template <class X>
    requires streams
  Matrix<Scalar, Out, X::ColsAtCompileTime> step(const Eigen::MatrixBase<X>& x) {
    static_assert(X::RowsAtCompileTime == In, "ctnn::Conv1d::step: x has In rows (one column per time step)");
    Matrix<Scalar, Out, X::ColsAtCompileTime> y(Out, x.cols());
    if constexpr (X::ColsAtCompileTime == 1 || geometry.ngroups() != 1) {
      step_columns(x.derived(), y);
    } else {
      step_block(x.derived(), y);
    }
    return y;
  }
  void reset_state() {
    ring_.setZero();
    pos_ = 0;
  }

 private:
  /// One step at a time: the taps of each step gathered from the ring, one product.
  template <class X, class Y>
  void step_columns(const X& x, Y& y) {
    constexpr int IG = geometry.in_g(), OG = geometry.out_g(), NG = geometry.ngroups(), IGK = IG * Kernel;
    for (Eigen::Index t = 0; t < x.cols(); ++t) {
      ring_.col(pos_) = x.col(t);
      for (int c = 0; c < In; ++c)
        for (int k = 0; k < Kernel; ++k)
          taps_(c * Kernel + k) = ring_(c, (pos_ + ring_length - (Kernel - 1 - k) * geometry.dw) % ring_length);
      if constexpr (NG == 1) {
        y.col(t).noalias() = this->weight.value * taps_;
      } else {
        for (int g = 0; g < NG; ++g)
          y.col(t).template segment<OG>(g * OG).noalias() =
              this->weight.value.template middleRows<OG>(g * OG) * taps_.template segment<IGK>(g * IGK);
      }
      if constexpr (O.bias) y.col(t) += this->bias.value;
      pos_ = (pos_ + 1) % ring_length;
    }
  }
  /// A block of n steps (one group): tap k of step t reads the input s_k = (K - 1 - k)
  /// dilation steps earlier, from the ring for t < s_k and from the block itself after; so a
  /// tap is one product over the block plus one or two (when the ring wraps) over history.
  template <class X, class Y>
  void step_block(const X& x, Y& y) {
    constexpr int R = ring_length;
    const Eigen::Index n = x.cols();
    y.setZero();
    for (int k = 0; k < Kernel; ++k) {
      // W_k: the weight's (Out, In) slice of tap k; the weight is (Out, In * K), k fastest
      const Eigen::Map<const Eigen::Matrix<Scalar, Out, In>, 0, Eigen::OuterStride<>> wk(
          this->weight.value.data() + static_cast<Eigen::Index>(k) * Out, Out, In, Eigen::OuterStride<>(Out * Kernel));
      const int shift = (Kernel - 1 - k) * geometry.dw;
      const Eigen::Index h = std::min<Eigen::Index>(shift, n);
      if (n > h) y.rightCols(n - h).noalias() += wk * x.leftCols(n - h);
      // input t - shift < 0 is (shift - t) steps before the block: ring column pos_ - shift + t
      Eigen::Index at = ((pos_ - shift) % R + R) % R;
      for (Eigen::Index done = 0; done < h;) {
        const Eigen::Index len = std::min<Eigen::Index>(h - done, R - at);
        y.middleCols(done, len).noalias() += wk * ring_.middleCols(at, len);
        done += len;
        at = 0;
      }
    }
    if constexpr (O.bias) y.colwise() += this->bias.value;
    for (Eigen::Index t = std::max<Eigen::Index>(0, n - R); t < n; ++t) ring_.col((pos_ + t) % R) = x.col(t);
    pos_ = static_cast<int>((pos_ + n) % R);
  }

  // streaming state: plain members, not parameters or buffers (PyTorch has no such tensors)
  Matrix<Scalar, In, streams ? ring_length : 1> ring_ =
      detail::zero_matrix<Matrix<Scalar, In, streams ? ring_length : 1>, In, streams ? ring_length : 1>();
  Matrix<Scalar, streams ? In * Kernel : 1, 1> taps_ =
      detail::zero_matrix<Matrix<Scalar, streams ? In * Kernel : 1, 1>, streams ? In * Kernel : 1, 1>();
  int pos_ = 0;
};

/// Conv1d before its input length is known: the shape rule and printed form only; a
/// Sequential (with ctnn::with_input) holds Conv1d<..., L> for the L that reaches it.
template <int In, int Out, int Kernel, ConvOptions O, class Scalar>
struct Conv1d<In, Out, Kernel, O, Scalar, any> {
  static constexpr detail::conv_geometry geometry = detail::conv1d_geometry(In, Out, Kernel, O, 1);
  static_assert(detail::check_conv_options<Conv1d, geometry, O, true>());
  static constexpr int in_features = any;
  static constexpr int out_features = any;
  using scalar_type = Scalar;
  template <class S>
  using with_scalar = Conv1d<In, Out, Kernel, O, S>;

  static constexpr bool accepts(Shape s) { return s.rank == 2 && s[0] == In && s[1] > 0; }
  static constexpr Shape output_shape(Shape s) {
    return Shape(Out, detail::positive(detail::conv1d_geometry(In, Out, Kernel, O, s.rank == 2 ? s[1] : 1).wo()));
  }
  static constexpr Shape expected_input(Shape s) {
    return Shape(In, s.rank == 2 && s[1] > 0 ? s[1] : detail::probe_length(geometry.ekw(), geometry.pl, geometry.pr));
  }
  template <Shape S>
  using bind = Conv1d<In, Out, Kernel, O, Scalar, S[1]>;

  static constexpr std::string_view repr_name = "Conv1d";
  std::string extra_repr() const {
    return detail::conv_extra_repr(true, In, Out, Kernel, O.stride, O.padding, O.dilation, 0, O.groups, O.bias,
                                   O.padding_mode);
  }
  /// The fingerprint's arguments: the same, compact (ctnn/io/fingerprint.hpp).
  template <class A>
  static constexpr void describe(A& args) {
    detail::conv_describe(args, true, In, Out, Kernel, O.stride, O.padding, O.dilation, 0, O.groups, O.bias,
                                   O.padding_mode);
  }
};

/// torch.nn.Conv2d(In, Out, Kernel, ...) on (In, H, W) samples: `ctnn::Conv2d<1, 8, 3,
/// ctnn::ConvOptions{.padding = 1}>`, `ctnn::Conv2d<1, 8, ctnn::size2{3, 5}>`. H and W come
/// from the shape that reaches the layer.
template <int In, int Out, size2 Kernel, ConvOptions O = ConvOptions{}, class Scalar = float, int H = any,
          int W = any>
struct Conv2d : detail::conv_base<detail::conv_geometry_of(In, Out, Kernel, O, H, W), Scalar, false, false> {
  using unbound = Conv2d<In, Out, Kernel, O, Scalar>;
  static constexpr detail::conv_geometry geometry = detail::conv_geometry_of(In, Out, Kernel, O, H, W);
  using base = detail::conv_base<geometry, Scalar, false, false>;
  static_assert(detail::check_conv_options<unbound, geometry, O, false>());
  static_assert(detail::check_conv_input<unbound, geometry>());

  static constexpr Shape in_shape = Shape(In, H, W);
  static constexpr Shape out_shape = Shape(Out, detail::positive(geometry.ho()), detail::positive(geometry.wo()));
  static constexpr bool accepts(Shape s) { return s == in_shape; }
  static constexpr Shape output_shape(Shape) { return out_shape; }
  static constexpr Shape expected_input(Shape) { return in_shape; }
  template <class S>
  using with_scalar = Conv2d<In, Out, Kernel, O, S, H, W>;

  Conv2d() = default;
  explicit Conv2d(skip_init_t t) : base(t) {}

  static constexpr std::string_view repr_name = "Conv2d";
  std::string extra_repr() const {
    return detail::conv_extra_repr(false, In, Out, Kernel, O.stride, O.padding, O.dilation, 0, O.groups, O.bias,
                                   O.padding_mode);
  }
  /// The fingerprint's arguments: the same, compact (ctnn/io/fingerprint.hpp).
  template <class A>
  static constexpr void describe(A& args) {
    detail::conv_describe(args, false, In, Out, Kernel, O.stride, O.padding, O.dilation, 0, O.groups, O.bias,
                                   O.padding_mode);
  }
};

/// Conv2d before its input size is known (see Conv1d's).
template <int In, int Out, size2 Kernel, ConvOptions O, class Scalar>
struct Conv2d<In, Out, Kernel, O, Scalar, any, any> {
  static constexpr detail::conv_geometry geometry = detail::conv_geometry_of(In, Out, Kernel, O, 1, 1);
  static_assert(detail::check_conv_options<Conv2d, geometry, O, false>());
  static constexpr int in_features = any;
  static constexpr int out_features = any;
  using scalar_type = Scalar;
  template <class S>
  using with_scalar = Conv2d<In, Out, Kernel, O, S>;

  static constexpr bool accepts(Shape s) { return s.rank == 3 && s[0] == In && s[1] > 0 && s[2] > 0; }
  static constexpr Shape output_shape(Shape s) {
    const auto g = detail::conv_geometry_of(In, Out, Kernel, O, s.rank == 3 ? s[1] : 1, s.rank == 3 ? s[2] : 1);
    return Shape(Out, detail::positive(g.ho()), detail::positive(g.wo()));
  }
  static constexpr Shape expected_input(Shape s) {
    return s.rank == 3 && s[1] > 0 && s[2] > 0
               ? Shape(In, s[1], s[2])
               : Shape(In, detail::probe_length(geometry.ekh(), geometry.pt, geometry.pb),
                       detail::probe_length(geometry.ekw(), geometry.pl, geometry.pr));
  }
  template <Shape S>
  using bind = Conv2d<In, Out, Kernel, O, Scalar, S[1], S[2]>;

  static constexpr std::string_view repr_name = "Conv2d";
  std::string extra_repr() const {
    return detail::conv_extra_repr(false, In, Out, Kernel, O.stride, O.padding, O.dilation, 0, O.groups, O.bias,
                                   O.padding_mode);
  }
  /// The fingerprint's arguments: the same, compact (ctnn/io/fingerprint.hpp).
  template <class A>
  static constexpr void describe(A& args) {
    detail::conv_describe(args, false, In, Out, Kernel, O.stride, O.padding, O.dilation, 0, O.groups, O.bias,
                                   O.padding_mode);
  }
};

namespace detail {
/// The checks of a transposed convolution's options and output length.
template <class Layer, conv_geometry G, ConvTransposeOptions O, bool OneD>
constexpr bool check_transposed() {
  using N = conv_layer<Layer>;
  static_assert(N::template stride<O.stride.h, O.stride.w>::is_positive,
                "ctnn: a convolution's stride must be positive (the note names the layer and the stride)");
  static_assert(N::template groups<O.groups>::template divide_the_in_channels<G.out>,
                "ctnn: a convolution's groups must divide its in channels (the note names the layer and both numbers)");
  static_assert(N::template groups<O.groups>::template divide_the_out_channels<G.in>,
                "ctnn: a convolution's groups must divide its out channels (the note names the layer and both numbers)");
  // Fix: output_padding smaller than the stride or the dilation (PyTorch's rule).
  static_assert(N::template output_padding<O.output_padding.w, O.stride.w, O.dilation.w>::is_smaller_than_stride_or_dilation &&
                    N::template output_padding<O.output_padding.h, O.stride.h, O.dilation.h>::is_smaller_than_stride_or_dilation,
                "ctnn: a transposed convolution's output_padding must be smaller than its stride or its dilation (the "
                "note names the numbers)");
  if constexpr (OneD) {
    static_assert(N::template one_dimensional_option_has_two_numbers<O.stride.h, O.stride.w>::that_agree &&
                      N::template one_dimensional_option_has_two_numbers<O.dilation.h, O.dilation.w>::that_agree &&
                      N::template one_dimensional_option_has_two_numbers<O.padding.h, O.padding.w>::that_agree &&
                      N::template one_dimensional_option_has_two_numbers<O.output_padding.h, O.output_padding.w>::that_agree,
                  "ctnn: a 1-D convolution's stride, padding, output_padding and dilation are one number each, not two "
                  "different ones (the note names them)");
  }
  return true;
}
/// The output size check of a transposed convolution on a known input (H, W: its output's
/// height and length as PyTorch's formula gives them).
template <class Layer, int H, int W>
constexpr bool check_transposed_output() {
  // Fix: less padding, or a longer input (the output is (L - 1) stride - 2 padding + dilation
  // (kernel - 1) + output_padding + 1).
  static_assert(conv_layer<Layer>::template output_length<H, W>::is_positive,
                "ctnn: a transposed convolution's output would be empty (the note names the layer and the output "
                "size)");
  return true;
}
constexpr ConvTransposeOptions transposed_1d(ConvTransposeOptions o) {
  o.stride.h = 1;
  o.padding.h = 0;
  o.output_padding.h = 0;
  o.dilation.h = 1;
  return o;
}
}  // namespace detail

/// torch.nn.ConvTranspose1d(In, Out, Kernel, stride, padding, output_padding, groups, bias,
/// dilation) on (In, L) samples: `ctnn::ConvTranspose1d<16, 8, 4, ctnn::ConvTransposeOptions{
/// .stride = 2, .padding = 1}>`; output length (L - 1) stride - 2 padding + dilation
/// (K - 1) + output_padding + 1; weight (In, Out / groups, K).
template <int In, int Out, int Kernel, ConvTransposeOptions O = ConvTransposeOptions{}, class Scalar = float,
          int L = any>
struct ConvTranspose1d
    : detail::conv_base<detail::transposed_geometry(In, Out, size2(1, Kernel), detail::transposed_1d(O), 1, L), Scalar,
                        true, true> {
  using unbound = ConvTranspose1d<In, Out, Kernel, O, Scalar>;
  static constexpr detail::conv_geometry geometry =
      detail::transposed_geometry(In, Out, size2(1, Kernel), detail::transposed_1d(O), 1, L);
  using base = detail::conv_base<geometry, Scalar, true, true>;
  static_assert(detail::check_transposed<unbound, geometry, O, true>());
  static_assert(detail::check_transposed_output<unbound, 1, detail::transposed_length(L, Kernel, O.stride.w, O.padding.w,
                                                                                     O.output_padding.w, O.dilation.w)>());

  static constexpr Shape in_shape = Shape(In, L);
  static constexpr Shape out_shape = Shape(Out, detail::positive(geometry.w));
  static constexpr bool accepts(Shape s) { return s == in_shape; }
  static constexpr Shape output_shape(Shape) { return out_shape; }
  static constexpr Shape expected_input(Shape) { return in_shape; }
  template <class S>
  using with_scalar = ConvTranspose1d<In, Out, Kernel, O, S, L>;

  ConvTranspose1d() = default;
  explicit ConvTranspose1d(skip_init_t t) : base(t) {}

  static constexpr std::string_view repr_name = "ConvTranspose1d";
  std::string extra_repr() const {
    return detail::conv_extra_repr(true, In, Out, Kernel, O.stride, O.padding, O.dilation, O.output_padding, O.groups,
                                   O.bias, PaddingMode::zeros);
  }
  /// The fingerprint's arguments: the same, compact (ctnn/io/fingerprint.hpp).
  template <class A>
  static constexpr void describe(A& args) {
    detail::conv_describe(args, true, In, Out, Kernel, O.stride, O.padding, O.dilation, O.output_padding, O.groups,
                                   O.bias, PaddingMode::zeros);
  }
};

/// ConvTranspose1d before its input length is known (see Conv1d's).
template <int In, int Out, int Kernel, ConvTransposeOptions O, class Scalar>
struct ConvTranspose1d<In, Out, Kernel, O, Scalar, any> {
  static constexpr detail::conv_geometry geometry =
      detail::transposed_geometry(In, Out, size2(1, Kernel), detail::transposed_1d(O), 1, 1);
  static_assert(detail::check_transposed<ConvTranspose1d, geometry, O, true>());
  static constexpr int in_features = any;
  static constexpr int out_features = any;
  using scalar_type = Scalar;
  template <class S>
  using with_scalar = ConvTranspose1d<In, Out, Kernel, O, S>;

  static constexpr int length_of(int l) {
    return detail::transposed_length(l, Kernel, O.stride.w, O.padding.w, O.output_padding.w, O.dilation.w);
  }
  static constexpr bool accepts(Shape s) { return s.rank == 2 && s[0] == In && s[1] > 0; }
  static constexpr Shape output_shape(Shape s) { return Shape(Out, detail::positive(length_of(s.rank == 2 ? s[1] : 1))); }
  static constexpr Shape expected_input(Shape s) {
    return Shape(In, s.rank == 2 && s[1] > 0 ? s[1] : 2 * O.padding.w + 1);
  }
  template <Shape S>
  using bind = ConvTranspose1d<In, Out, Kernel, O, Scalar, S[1]>;

  static constexpr std::string_view repr_name = "ConvTranspose1d";
  std::string extra_repr() const {
    return detail::conv_extra_repr(true, In, Out, Kernel, O.stride, O.padding, O.dilation, O.output_padding, O.groups,
                                   O.bias, PaddingMode::zeros);
  }
  /// The fingerprint's arguments: the same, compact (ctnn/io/fingerprint.hpp).
  template <class A>
  static constexpr void describe(A& args) {
    detail::conv_describe(args, true, In, Out, Kernel, O.stride, O.padding, O.dilation, O.output_padding, O.groups,
                                   O.bias, PaddingMode::zeros);
  }
};

/// torch.nn.ConvTranspose2d(In, Out, Kernel, ...) on (In, H, W) samples; weight (In, Out /
/// groups, kH, kW).
template <int In, int Out, size2 Kernel, ConvTransposeOptions O = ConvTransposeOptions{}, class Scalar = float,
          int H = any, int W = any>
struct ConvTranspose2d : detail::conv_base<detail::transposed_geometry(In, Out, Kernel, O, H, W), Scalar, true, false> {
  using unbound = ConvTranspose2d<In, Out, Kernel, O, Scalar>;
  static constexpr detail::conv_geometry geometry = detail::transposed_geometry(In, Out, Kernel, O, H, W);
  using base = detail::conv_base<geometry, Scalar, true, false>;
  static_assert(detail::check_transposed<unbound, geometry, O, false>());
  static_assert(detail::check_transposed_output<
                unbound, detail::transposed_length(H, Kernel.h, O.stride.h, O.padding.h, O.output_padding.h, O.dilation.h),
                detail::transposed_length(W, Kernel.w, O.stride.w, O.padding.w, O.output_padding.w, O.dilation.w)>());

  static constexpr Shape in_shape = Shape(In, H, W);
  static constexpr Shape out_shape = Shape(Out, detail::positive(geometry.h), detail::positive(geometry.w));
  static constexpr bool accepts(Shape s) { return s == in_shape; }
  static constexpr Shape output_shape(Shape) { return out_shape; }
  static constexpr Shape expected_input(Shape) { return in_shape; }
  template <class S>
  using with_scalar = ConvTranspose2d<In, Out, Kernel, O, S, H, W>;

  ConvTranspose2d() = default;
  explicit ConvTranspose2d(skip_init_t t) : base(t) {}

  static constexpr std::string_view repr_name = "ConvTranspose2d";
  std::string extra_repr() const {
    return detail::conv_extra_repr(false, In, Out, Kernel, O.stride, O.padding, O.dilation, O.output_padding,
                                   O.groups, O.bias, PaddingMode::zeros);
  }
  /// The fingerprint's arguments: the same, compact (ctnn/io/fingerprint.hpp).
  template <class A>
  static constexpr void describe(A& args) {
    detail::conv_describe(args, false, In, Out, Kernel, O.stride, O.padding, O.dilation, O.output_padding,
                                   O.groups, O.bias, PaddingMode::zeros);
  }
};

/// ConvTranspose2d before its input size is known (see Conv1d's).
template <int In, int Out, size2 Kernel, ConvTransposeOptions O, class Scalar>
struct ConvTranspose2d<In, Out, Kernel, O, Scalar, any, any> {
  static constexpr detail::conv_geometry geometry = detail::transposed_geometry(In, Out, Kernel, O, 1, 1);
  static_assert(detail::check_transposed<ConvTranspose2d, geometry, O, false>());
  static constexpr int in_features = any;
  static constexpr int out_features = any;
  using scalar_type = Scalar;
  template <class S>
  using with_scalar = ConvTranspose2d<In, Out, Kernel, O, S>;

  static constexpr bool accepts(Shape s) { return s.rank == 3 && s[0] == In && s[1] > 0 && s[2] > 0; }
  static constexpr Shape output_shape(Shape s) {
    const auto g = detail::transposed_geometry(In, Out, Kernel, O, s.rank == 3 ? s[1] : 1, s.rank == 3 ? s[2] : 1);
    return Shape(Out, detail::positive(g.h), detail::positive(g.w));
  }
  static constexpr Shape expected_input(Shape s) {
    return s.rank == 3 && s[1] > 0 && s[2] > 0 ? Shape(In, s[1], s[2])
                                               : Shape(In, 2 * O.padding.h + 1, 2 * O.padding.w + 1);
  }
  template <Shape S>
  using bind = ConvTranspose2d<In, Out, Kernel, O, Scalar, S[1], S[2]>;

  static constexpr std::string_view repr_name = "ConvTranspose2d";
  std::string extra_repr() const {
    return detail::conv_extra_repr(false, In, Out, Kernel, O.stride, O.padding, O.dilation, O.output_padding,
                                   O.groups, O.bias, PaddingMode::zeros);
  }
  /// The fingerprint's arguments: the same, compact (ctnn/io/fingerprint.hpp).
  template <class A>
  static constexpr void describe(A& args) {
    detail::conv_describe(args, false, In, Out, Kernel, O.stride, O.padding, O.dilation, O.output_padding,
                                   O.groups, O.bias, PaddingMode::zeros);
  }
};

}  // namespace ctnn
