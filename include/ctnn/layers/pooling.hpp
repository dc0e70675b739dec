/// @file Defines the pooling layers of torch.nn: MaxPool1d/2d, AvgPool1d/2d,
/// AdaptiveAvgPool1d/2d and AdaptiveMaxPool1d/2d, with PyTorch 1.13's semantics (output sizes,
/// ceil_mode, padding, count_include_pad, divisor_override, which element a max routes its
/// gradient to, NaN).
///
/// A pooling layer has no parameters and takes any channel count: `ctnn::MaxPool2d<2>` is
/// polymorphic, and a Sequential holds it bound to the shape that reaches it
/// (`MaxPool2d<2, O, ctnn::shape_of<8, 28, 28>>`), so that every size is a compile-time
/// constant. Used alone, name the shape as the third argument.
///
/// One implementation serves all eight (detail::pool_base): a 1-D layer is the 2-D one on a
/// (C, 1, L) sample, as PyTorch computes it.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <type_traits>

#include "ctnn/core/shape.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/detail/reshape.hpp"
#include "ctnn/detail/shape_check.hpp"
#include "ctnn/layers/options.hpp"

namespace ctnn {

namespace detail {

/// Which pooling layer: named in the diagnostics.
enum class pool_layer {
  MaxPool1d,
  MaxPool2d,
  AvgPool1d,
  AvgPool2d,
  AdaptiveAvgPool1d,
  AdaptiveAvgPool2d,
  AdaptiveMaxPool1d,
  AdaptiveMaxPool2d
};

constexpr int pool_dims(pool_layer l) {
  return l == pool_layer::MaxPool1d || l == pool_layer::AvgPool1d || l == pool_layer::AdaptiveAvgPool1d ||
                 l == pool_layer::AdaptiveMaxPool1d
             ? 1
             : 2;
}
constexpr bool pool_is_max(pool_layer l) {
  return l == pool_layer::MaxPool1d || l == pool_layer::MaxPool2d || l == pool_layer::AdaptiveMaxPool1d ||
         l == pool_layer::AdaptiveMaxPool2d;
}
constexpr bool pool_is_adaptive(pool_layer l) {
  return l == pool_layer::AdaptiveAvgPool1d || l == pool_layer::AdaptiveAvgPool2d ||
         l == pool_layer::AdaptiveMaxPool1d || l == pool_layer::AdaptiveMaxPool2d;
}

/// Division rounding towards minus infinity, as PyTorch's div_rtn (constexpr, on int: the
/// pooling output sizes are compile-time constants).
constexpr int div_rtn(int a, int b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }

/// PyTorch's pooling_output_shape: floor (or ceil) of (in + 2 pad - dilation (k - 1) - 1) /
/// stride, plus one; in ceil_mode the last window must start inside the input or the left
/// padding.
constexpr int pool_output_size(int in, int k, int s, int p, int d, bool ceil_mode) {
  int out = div_rtn(in + 2 * p - d * (k - 1) - 1 + (ceil_mode ? s - 1 : 0), s) + 1;
  if (ceil_mode && (out - 1) * s >= in + p) --out;
  return out;
}

/// The geometry of a pooling on (C, H, W) samples (a 1-D one has H = 1 and a kernel 1 high).
struct pool_geometry {
  int C = 1, H = 1, W = 1;
  int kh = 1, kw = 1, sh = 1, sw = 1, ph = 0, pw = 0, dh = 1, dw = 1;
  int OH = 1, OW = 1;
  constexpr int in_size() const { return C * H * W; }
  constexpr int out_size() const { return C * OH * OW; }
  constexpr bool valid() const { return OH >= 1 && OW >= 1; }
};

/// The geometry of pooling L (kernel K or output size K for an adaptive one, options O) on a
/// sample of shape s, of the rank L takes.
template <pool_layer L>
constexpr pool_geometry make_pool_geometry(size2 K, PoolOptions O, Shape s) {
  pool_geometry g;
  const bool one = pool_dims(L) == 1;
  g.C = s[0];
  g.H = one ? 1 : s[1];
  g.W = one ? s[1] : s[2];
  if constexpr (pool_is_adaptive(L)) {
    g.OH = one ? 1 : K.h;
    g.OW = K.w;
  } else {
    const size2 stride = O.stride == size2(0) ? K : O.stride;
    g.kh = one ? 1 : K.h;
    g.kw = K.w;
    g.sh = one ? 1 : stride.h;
    g.sw = stride.w;
    g.ph = one ? 0 : O.padding.h;
    g.pw = O.padding.w;
    g.dh = one ? 1 : O.dilation.h;
    g.dw = O.dilation.w;
    if (g.sh > 0 && g.sw > 0) {
      g.OH = pool_output_size(g.H, g.kh, g.sh, g.ph, g.dh, O.ceil_mode);
      g.OW = pool_output_size(g.W, g.kw, g.sw, g.pw, g.dw, O.ceil_mode);
    }
  }
  return g;
}

/// The name of pooling layer L in its diagnostics: a type, which GCC and Clang both print by
/// name (pool_name::MaxPool2d).
namespace pool_name {
struct MaxPool1d {};
struct MaxPool2d {};
struct AvgPool1d {};
struct AvgPool2d {};
struct AdaptiveAvgPool1d {};
struct AdaptiveAvgPool2d {};
struct AdaptiveMaxPool1d {};
struct AdaptiveMaxPool2d {};
}  // namespace pool_name
template <pool_layer L>
struct pool_name_of;
template <> struct pool_name_of<pool_layer::MaxPool1d> { using type = pool_name::MaxPool1d; };
template <> struct pool_name_of<pool_layer::MaxPool2d> { using type = pool_name::MaxPool2d; };
template <> struct pool_name_of<pool_layer::AvgPool1d> { using type = pool_name::AvgPool1d; };
template <> struct pool_name_of<pool_layer::AvgPool2d> { using type = pool_name::AvgPool2d; };
template <> struct pool_name_of<pool_layer::AdaptiveAvgPool1d> { using type = pool_name::AdaptiveAvgPool1d; };
template <> struct pool_name_of<pool_layer::AdaptiveAvgPool2d> { using type = pool_name::AdaptiveAvgPool2d; };
template <> struct pool_name_of<pool_layer::AdaptiveMaxPool1d> { using type = pool_name::AdaptiveMaxPool1d; };
template <> struct pool_name_of<pool_layer::AdaptiveMaxPool2d> { using type = pool_name::AdaptiveMaxPool2d; };

/// Named so that the note under a pooling layer's static_assert reads as a sentence with the
/// numbers in it (h, w for a 2-D layer; one number for a 1-D one).
template <class Name>
struct pool_of {
  template <int... Kernel>
  struct kernel_size {
    template <bool B>
    static constexpr bool is_positive = B;
    template <int... Dilated>
    struct dilated {
      template <int... PaddedInput>
      struct padded_input_size {
        template <bool B>
        static constexpr bool holds_the_kernel = B;
      };
    };
    template <int... Padding>
    struct padding {
      template <bool B>
      static constexpr bool is_at_most_half_the_kernel_size = B;
    };
  };
  template <int... Stride>
  struct stride {
    template <bool B>
    static constexpr bool is_positive = B;
  };
  template <int... Dilation>
  struct dilation {
    template <bool B>
    static constexpr bool is_positive = B;
    template <bool B>
    static constexpr bool is_1_as_average_pooling_has_no_dilation = B;
  };
  template <int... Padding>
  struct padding {
    template <bool B>
    static constexpr bool is_not_negative = B;
  };
  template <int Divisor>
  struct divisor_override {
    template <bool B>
    static constexpr bool is_None_as_AvgPool1d_has_no_divisor_override = B;
  };
  template <bool B>
  static constexpr bool knows_its_input_shape = B;
  template <int... Output>
  struct output_size {
    template <bool B>
    static constexpr bool is_positive = B;
  };
  template <int KH, int KW>
  struct one_dimensional_layer_kernel_size {
    template <int SH, int SW>
    struct stride {
      template <int PH, int PW>
      struct padding {
        template <int DH, int DW>
        struct dilation {
          template <bool B>
          static constexpr bool are_one_number_each = B;
        };
      };
    };
  };
};

/// The numbers of a size as the note prints them: (w) for a 1-D layer, (h, w) for a 2-D one.
template <int Dims, int H, int W>
using pool_numbers = std::conditional_t<Dims == 1, dims<W>, dims<H, W>>;

// Each check is a class template whose arguments are the numbers, so that both compilers
// print them as numbers in the note.

template <class Name, class Kernel, class Stride, class Padding, class Dilation, bool Ok>
struct check_pool_one_number {
  // Fix: a 1-D layer takes one number per option (ctnn::PoolOptions{.stride = 2}).
  static_assert(pool_of<Name>::template one_dimensional_layer_kernel_size<Kernel::h, Kernel::w>::template stride<
                    Stride::h, Stride::w>::template padding<Padding::h, Padding::w>::template dilation<Dilation::h, Dilation::w>::
                    template are_one_number_each<Ok>,
                "ctnn: a 1-D pooling layer takes one number for its kernel and each option, not two (the note "
                "below names the layer and its numbers)");
};
template <int H, int W>
struct pair_of {
  static constexpr int h = H, w = W;
};

template <class Name, bool Adaptive, class Kernel, bool Ok>
struct check_pool_kernel;
template <class Name, int... K, bool Ok>
struct check_pool_kernel<Name, false, dims<K...>, Ok> {
  // Fix: give a positive kernel size.
  static_assert(pool_of<Name>::template kernel_size<K...>::template is_positive<Ok>,
                "ctnn: a pooling layer's kernel_size must be positive (the note below names the layer and the size)");
};
template <class Name, int... K, bool Ok>
struct check_pool_kernel<Name, true, dims<K...>, Ok> {
  // Fix: an adaptive layer's output_size is at least 1 (PyTorch's empty output is no network's).
  static_assert(pool_of<Name>::template output_size<K...>::template is_positive<Ok>,
                "ctnn: an adaptive pooling layer's output_size must be positive: an output of length 0 (the note "
                "below names the layer and the size)");
};

template <class Name, class Stride, bool Ok>
struct check_pool_stride;
template <class Name, int... S, bool Ok>
struct check_pool_stride<Name, dims<S...>, Ok> {
  // Fix: a positive stride, or none (0, PyTorch's None: the kernel size).
  static_assert(pool_of<Name>::template stride<S...>::template is_positive<Ok>,
                "ctnn: a pooling layer's stride must be positive (0 is PyTorch's None: the kernel size; the note "
                "below names the layer and the stride)");
};

template <class Name, class Dilation, bool Positive, bool Allowed>
struct check_pool_dilation;
template <class Name, int... D, bool Positive, bool Allowed>
struct check_pool_dilation<Name, dims<D...>, Positive, Allowed> {
  static_assert(pool_of<Name>::template dilation<D...>::template is_positive<Positive>,
                "ctnn: a pooling layer's dilation must be positive (the note below names the layer and the dilation)");
  // Fix: remove .dilation; torch.nn.AvgPool1d/2d have no dilation argument.
  static_assert(pool_of<Name>::template dilation<D...>::template is_1_as_average_pooling_has_no_dilation<Allowed>,
                "ctnn: AvgPool and the adaptive poolings have no dilation, as in PyTorch (the note below names the "
                "layer and the dilation given)");
};

template <class Name, int Divisor, bool Ok>
struct check_pool_divisor {
  // Fix: remove .divisor_override; PyTorch has it on AvgPool2d only.
  static_assert(pool_of<Name>::template divisor_override<Divisor>::template is_None_as_AvgPool1d_has_no_divisor_override<Ok>,
                "ctnn: divisor_override is AvgPool2d's only, as in PyTorch (the note below names the layer and the "
                "divisor given)");
};

template <class Name, class Kernel, class Padding, bool NotNegative, bool Half>
struct check_pool_padding;
template <class Name, int... K, int... P, bool NotNegative, bool Half>
struct check_pool_padding<Name, dims<K...>, dims<P...>, NotNegative, Half> {
  static_assert(pool_of<Name>::template padding<P...>::template is_not_negative<NotNegative>,
                "ctnn: a pooling layer's padding must not be negative (the note below names the layer and the padding)");
  // Fix: pad at most kernel_size / 2 (rounded down) on each side, as PyTorch requires.
  static_assert(pool_of<Name>::template kernel_size<K...>::template padding<P...>::template is_at_most_half_the_kernel_size<Half>,
                "ctnn: a pooling layer's padding must be at most half its kernel_size, as PyTorch requires (the "
                "note below names the layer, the kernel size and the padding)");
};

template <class Name, class Kernel, class Dilated, class Padded, bool Ok>
struct check_pool_fits;
template <class Name, int... K, int... D, int... P, bool Ok>
struct check_pool_fits<Name, dims<K...>, dims<D...>, dims<P...>, Ok> {
  // Fix: a smaller kernel or dilation, more padding, or a longer input.
  static_assert(pool_of<Name>::template kernel_size<K...>::template dilated<D...>::template padded_input_size<P...>::
                    template holds_the_kernel<Ok>,
                "ctnn: a pooling layer's kernel (dilated) is larger than its padded input: an output of size 0 "
                "(the note below names the layer, the kernel size, dilated, and the padded input size)");
};

/// The checks of a pooling layer's arguments alone, in a base of their own: the unbound layer
/// and the layer bound to a shape share it, so a bad argument is one error.
template <pool_layer L, size2 K, PoolOptions O>
struct pool_arguments_values {
  static constexpr int dims = pool_dims(L);
  static constexpr bool is_max = pool_is_max(L);
  static constexpr bool is_adaptive = pool_is_adaptive(L);
  static constexpr size2 stride = O.stride == size2(0) ? K : O.stride;
  static constexpr bool one_number =
      dims == 2 || (K.square() && stride.square() && O.padding.square() && O.dilation.square());
  static constexpr bool kernel_ok = K.h > 0 && K.w > 0;
  // a kernel of 0 is its stride too: one error
  static constexpr bool stride_ok = is_adaptive || !kernel_ok || (stride.h > 0 && stride.w > 0);
  static constexpr bool dilation_positive = O.dilation.h > 0 && O.dilation.w > 0;
  static constexpr bool no_dilation = is_max || !dilation_positive || O.dilation == size2(1);
  static constexpr bool divisor_ok = O.divisor_override == 0 || L == pool_layer::AvgPool2d;
  static constexpr bool padding_positive = is_adaptive || (O.padding.h >= 0 && O.padding.w >= 0);
  // PyTorch: "pad should be at most half of kernel size" (the kernel before dilation)
  static constexpr bool padding_ok = is_adaptive || (2 * O.padding.h <= K.h && 2 * O.padding.w <= K.w);
};

template <pool_layer L, size2 K, PoolOptions O, class V = pool_arguments_values<L, K, O>,
          class Name = typename pool_name_of<L>::type>
struct pool_arguments
    : V,
      check_pool_one_number<Name, pair_of<K.h, K.w>, pair_of<V::stride.h, V::stride.w>,
                            pair_of<O.padding.h, O.padding.w>, pair_of<O.dilation.h, O.dilation.w>, V::one_number>,
      check_pool_kernel<Name, V::is_adaptive, pool_numbers<V::dims, K.h, K.w>, V::kernel_ok>,
      check_pool_stride<Name, pool_numbers<V::dims, V::stride.h, V::stride.w>, V::stride_ok>,
      check_pool_dilation<Name, pool_numbers<V::dims, O.dilation.h, O.dilation.w>, V::dilation_positive,
                          V::no_dilation>,
      check_pool_divisor<Name, O.divisor_override, V::divisor_ok>,
      check_pool_padding<Name, pool_numbers<V::dims, K.h, K.w>, pool_numbers<V::dims, O.padding.h, O.padding.w>,
                         V::padding_positive, V::padding_ok || !V::padding_positive> {};  // one error each

/// The data of every pooling layer: L, its kernel (or adaptive output size) K, its options O,
/// and the input shape In (rank 0 until bound).
template <pool_layer L, size2 K, PoolOptions O, Shape In>
struct pool_base : pool_arguments<L, K, O> {
  using args = pool_arguments<L, K, O>;
  using args::dims, args::is_max, args::is_adaptive, args::stride_ok, args::kernel_ok;
  using Name = typename pool_name_of<L>::type;

  // ---- shape rule: (C, L) -> (C, L') or (C, H, W) -> (C, H', W'); any C ----------------------
  static constexpr int in_features = any;
  static constexpr int out_features = any;
  static constexpr bool backward_reads_output = false;  // max pools recompute the argmax from x (detail/fuse.hpp)
  static constexpr Shape in_shape = In;
  static constexpr bool accepts(Shape s) { return s.rank == dims + 1 && s.size() > 0; }
  static constexpr Shape output_shape(Shape s) {
    if (!accepts(s)) return dims == 1 ? Shape(1, 1) : Shape(1, 1, 1);
    const pool_geometry g = make_pool_geometry<L>(K, O, s);
    // an invalid geometry has its static_assert in the bound layer; 1 keeps the errors to one
    return dims == 1 ? Shape(g.C, std::max(g.OW, 1)) : Shape(g.C, std::max(g.OH, 1), std::max(g.OW, 1));
  }
  /// The smallest sample the layer takes where s arrives (for the diagnostic).
  static constexpr Shape expected_input(Shape s) {
    if (accepts(s)) return s;
    const int c = s.known() ? s[0] : 1;
    if constexpr (is_adaptive) return dims == 1 ? Shape(c, 1) : Shape(c, 1, 1);
    const int lh = std::max(1, O.dilation.h * (K.h - 1) + 1 - 2 * O.padding.h);
    const int lw = std::max(1, O.dilation.w * (K.w - 1) + 1 - 2 * O.padding.w);
    return dims == 1 ? Shape(c, lw) : Shape(c, lh, lw);
  }

  // ---- the geometry on the bound shape ------------------------------------------------------
  static constexpr bool bound_ = In.known();
  static constexpr pool_geometry geometry = bound_ && accepts(In) ? make_pool_geometry<L>(K, O, In) : pool_geometry{};
  static constexpr bool geometry_ok = !bound_ || !stride_ok || !kernel_ok || geometry.valid();
  static constexpr int eff_h = geometry.dh * (geometry.kh - 1) + 1;
  static constexpr int eff_w = geometry.dw * (geometry.kw - 1) + 1;
  static_assert(sizeof(check_pool_fits<Name, pool_numbers<dims, K.h, K.w>, pool_numbers<dims, eff_h, eff_w>,
                                       pool_numbers<dims, geometry.H + 2 * geometry.ph, geometry.W + 2 * geometry.pw>,
                                       is_adaptive || geometry_ok>) > 0);

  static constexpr int in_rows = bound_ ? geometry.in_size() : 1;
  static constexpr int out_rows = bound_ && geometry.valid() ? geometry.out_size() : 1;

  // ---- forward ------------------------------------------------------------------------------
  template <class X>
  batch_like<X, out_rows> forward(const Eigen::MatrixBase<X>& x) const {
    batch_like<X, out_rows> y(out_rows, x.cols());
    forward_into(x, y);
    return y;
  }
  template <class X, class Y>
  void forward_into(const Eigen::MatrixBase<X>& x, Y&& y) const {
    check_bound<X>();
    using S = typename X::Scalar;
    const auto& xd = x.derived();
    if constexpr (full_windows_max && detail::contiguous_storage<X> && detail::contiguous_storage<std::remove_cvref_t<Y>>) {
      for (Eigen::Index b = 0; b < x.cols(); ++b) max_of_full_windows(xd.data() + b * in_rows, y.data() + b * out_rows);
      return;
    }
    for (Eigen::Index b = 0; b < x.cols(); ++b) {
      for_each_window([&](int o, int c, int h0, int h1, int hs, int w0, int w1, [[maybe_unused]] int ws, S divisor) {
        if constexpr (is_max) {
          const int i = argmax(xd, b, c, h0, h1, hs, w0, w1, ws);
          y(o, b) = i < 0 ? -std::numeric_limits<S>::infinity() : S(xd.coeff(i, b));
        } else {
          S sum(0);
          if constexpr (detail::contiguous_storage<X>) {
            // a window's rows as SIMD sums (ws is 1): one scalar chain waited on every add, 7%
            // of CNN1's one-sample time in its AdaptiveAvgPool1d(1) over 58 positions
            const S* xb = xd.data() + b * in_rows;
            for (int h = h0; h < h1; h += hs)
              sum += Eigen::Map<const Eigen::Array<S, Eigen::Dynamic, 1>>(xb + index(c, h, w0), w1 - w0).sum();
          } else {
            for (int h = h0; h < h1; h += hs)
              for (int w = w0; w < w1; w += ws) sum += S(xd.coeff(index(c, h, w), b));
          }
          y(o, b) = divisor == S(0) ? S(0) : sum / divisor;
        }
      }, S{});
    }
  }

  // ---- backward: dx gets each dy at the max (max pools), or dy / divisor on the window ------
  template <class X, class Y, class G>
  batch_like<G, in_rows> backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>& y,
                                  const Eigen::MatrixBase<G>& dy) const {
    batch_like<G, in_rows> dx(in_rows, dy.cols());
    backward_into(x, y, dy, dx);
    return dx;
  }
  /// backward writing dLoss/dx into dx (a matrix or Map of x's shape).
  template <class X, class Y, class G, class DX>
  void backward_into(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>&,
                     const Eigen::MatrixBase<G>& dy, DX&& dx) const {
    check_bound<X>();
    using S = typename G::Scalar;
    const auto& xd = x.derived();
    const auto& gd = dy.derived();
    if constexpr (full_windows_max && detail::contiguous_storage<X> && detail::contiguous_storage<G> &&
                  detail::contiguous_storage<std::remove_cvref_t<DX>>) {
      // windows that tile the sample write every element of dx themselves
      if constexpr (!windows_tile_input) dx.setZero();
      for (Eigen::Index b = 0; b < dy.cols(); ++b)
        route_full_windows(xd.data() + b * in_rows, gd.data() + b * out_rows, dx.data() + b * in_rows);
      return;
    }
    dx.setZero();
    for (Eigen::Index b = 0; b < dy.cols(); ++b) {
      for_each_window([&](int o, int c, int h0, int h1, int hs, int w0, int w1, int ws, S divisor) {
        const S g = S(gd.coeff(o, b));
        if constexpr (is_max) {
          // recomputed from x: the element forward picked (first max in scan order, last NaN)
          const int i = argmax(xd, b, c, h0, h1, hs, w0, w1, ws);
          if (i >= 0) dx(i, b) += g;
        } else {
          if (divisor == S(0)) return;
          const S share = g / divisor;
          for (int h = h0; h < h1; h += hs)
            for (int w = w0; w < w1; w += ws) dx(index(c, h, w), b) += share;
        }
      }, S{});
    }
  }

  /// FLOPs of one sample: one operation per window element, as PyTorch's profilers count.
  static constexpr long long flops(Shape s) {
    if (!accepts(s)) return 0;
    const pool_geometry g = make_pool_geometry<L>(K, O, s);
    if (!g.valid()) return 0;
    if constexpr (is_adaptive) {
      long long n = 0;
      for (int oh = 0; oh < g.OH; ++oh)
        for (int ow = 0; ow < g.OW; ++ow)
          n += static_cast<long long>(adaptive_end(oh, g.H, g.OH) - adaptive_start(oh, g.H, g.OH)) *
               (adaptive_end(ow, g.W, g.OW) - adaptive_start(ow, g.W, g.OW));
      return n * g.C;
    } else {
      return static_cast<long long>(g.out_size()) * g.kh * g.kw;
    }
  }

 private:
  static constexpr int adaptive_start(int o, int in, int out) { return o * in / out; }
  static constexpr int adaptive_end(int o, int in, int out) { return ((o + 1) * in + out - 1) / out; }
  static constexpr int index(int c, int h, int w) { return (c * geometry.H + h) * geometry.W + w; }

  template <class X>
  static constexpr void check_bound() {
    // Fix: use the layer in a Sequential (ctnn::with_input names the shape), or name the shape:
    // ctnn::MaxPool2d<2, ctnn::PoolOptions{}, ctnn::shape_of<8, 28, 28>>.
    static_assert(pool_of<Name>::template knows_its_input_shape<bound_>,
                  "ctnn: a pooling layer computes on a known sample shape: use it in a Sequential or name the "
                  "shape as its third template argument (the note below names the layer)");
    if constexpr (bound_) check_forward_input<pool_of<Name>, in_rows, X::RowsAtCompileTime>();
  }

  /// Calls f(output index, channel, h0, h1, h step, w0, w1, w step, divisor) for every window:
  /// rows [h0, h1) step hs and columns [w0, w1) step ws of the input, clipped to it, as
  /// PyTorch's CPU kernels walk them.
  template <class F, class S>
  static void for_each_window(F&& f, S) {
    constexpr pool_geometry g = geometry;
    int o = 0;
    for (int c = 0; c < g.C; ++c) {
      for (int oh = 0; oh < g.OH; ++oh) {
        for (int ow = 0; ow < g.OW; ++ow, ++o) {
          if constexpr (is_adaptive) {
            const int h0 = adaptive_start(oh, g.H, g.OH), h1 = adaptive_end(oh, g.H, g.OH);
            const int w0 = adaptive_start(ow, g.W, g.OW), w1 = adaptive_end(ow, g.W, g.OW);
            f(o, c, h0, h1, 1, w0, w1, 1, S((h1 - h0) * (w1 - w0)));
          } else if constexpr (is_max) {
            int h0 = oh * g.sh - g.ph, w0 = ow * g.sw - g.pw;
            const int h1 = std::min(h0 + (g.kh - 1) * g.dh + 1, g.H);
            const int w1 = std::min(w0 + (g.kw - 1) * g.dw + 1, g.W);
            while (h0 < 0) h0 += g.dh;
            while (w0 < 0) w0 += g.dw;
            f(o, c, h0, h1, g.dh, w0, w1, g.dw, S(1));
          } else {
            // the window in the padded input: its size counts the padding (count_include_pad)
            // but not what ceil_mode adds past it
            int h0 = oh * g.sh - g.ph, w0 = ow * g.sw - g.pw;
            int h1 = std::min(h0 + g.kh, g.H + g.ph), w1 = std::min(w0 + g.kw, g.W + g.pw);
            const int pool_size = (h1 - h0) * (w1 - w0);
            h0 = std::max(h0, 0);
            w0 = std::max(w0, 0);
            h1 = std::min(h1, g.H);
            w1 = std::min(w1, g.W);
            if (h0 >= h1 || w0 >= w1) {
              f(o, c, 0, 0, 1, 0, 0, 1, S(0));  // PyTorch writes 0
              continue;
            }
            const int divisor = O.divisor_override != 0 ? O.divisor_override
                                : O.count_include_pad     ? pool_size
                                                          : (h1 - h0) * (w1 - w0);
            f(o, c, h0, h1, 1, w0, w1, 1, S(divisor));
          }
        }
      }
    }
  }

  /// A max pool whose windows all lie inside the sample (no padding, no dilation, no window
  /// clipped by ceil_mode: MaxPool2d<2> on an even map): forward computes its values output
  /// row by output row, a running max over the kernel's taps that vectorises over the width.
  static constexpr bool full_windows_max = is_max && !is_adaptive && bound_ && geometry.valid() && geometry.ph == 0 &&
                                           geometry.pw == 0 && geometry.dh == 1 && geometry.dw == 1 &&
                                           (geometry.OH - 1) * geometry.sh + geometry.kh <= geometry.H &&
                                           (geometry.OW - 1) * geometry.sw + geometry.kw <= geometry.W;
  /// Full windows that do not overlap (stride at least the kernel), in rows of 16 or more:
  /// an input is in at most one window, so backward stores each window's taps (dy at its
  /// argmax, 0 elsewhere) instead of adding dy at the argmax, a scalar scatter. With GCC 12
  /// that is 2-7x faster on rows of 16 to 62 windows (CNN1's pool: 34 -> 10 us for a batch
  /// of 32), and up to 1.7x slower on rows of 7 to 14 (docs/performance.md).
  static constexpr bool stores_windows = full_windows_max && geometry.sh >= geometry.kh &&
                                         geometry.sw >= geometry.kw && geometry.OW >= 16;
  /// Such windows that cover every input (MaxPool1d(2) on an even length): nothing to zero.
  static constexpr bool windows_tile_input = stores_windows && geometry.OH * geometry.sh == geometry.H &&
                                             geometry.OW * geometry.sw == geometry.W && geometry.sh == geometry.kh &&
                                             geometry.sw == geometry.kw;
  /// Full windows that tile the map, stride equal to the kernel (MaxPool2d(2) on an even map,
  /// MaxPool1d(2) on an even length): a window's rows are kw consecutive inputs, and the
  /// windows' rows of kh * OW consecutive map rows are consecutive too.
  static constexpr bool windows_tile_map = full_windows_max && geometry.sh == geometry.kh && geometry.sw == geometry.kw &&
                                           geometry.OH * geometry.sh == geometry.H && geometry.OW * geometry.sw == geometry.W;
  /// The max of the (kh, kw) windows of a tiled map (windows_tile_map), in two passes that
  /// GCC vectorises whatever the row length: the first maximum of each window row, over up to
  /// 512 consecutive rows' worth of inputs at once (one loop over the whole block: no row is
  /// short), then, per output row, the first maximum over the kh rows' results. A later row
  /// wins only when strictly greater, so the value is the first maximum in PyTorch's scan
  /// order (row by row), as in the other paths; a NaN anywhere in a window makes it NaN.
  /// Rows of 7 and 14 windows (CNN2's pools) had only the per-row loops below, which do not
  /// vectorise at those lengths (docs/performance.md).
  template <class S>
  static void max_of_tiles(const S* x, S* y) {
    constexpr pool_geometry g = geometry;
    constexpr int out_rows_ = g.C * g.OH;
    constexpr int block = std::max(1, std::min(out_rows_, 512 / (g.kh * g.OW)));  // output rows a pass
    // the horizontal pass: m window rows of kw consecutive inputs each, into h
    auto rows_max = [](const S* in, S* h, int m) {
      for (int i = 0; i < m; ++i) h[i] = first_max<geometry.kw, 1>(in + i * geometry.kw);
    };
    if constexpr (g.kh == 1) {
      rows_max(x, y, out_rows_ * g.OW);  // one row a window: the horizontal pass is the output
    } else {
      S h[block * g.kh * g.OW];
      for (int r0 = 0; r0 < out_rows_; r0 += block) {
        const int n = std::min(block, out_rows_ - r0);
        rows_max(x + r0 * g.kh * g.W, h, n * g.kh * g.OW);
        for (int r = 0; r < n; ++r) {
          const S* hr = h + r * g.kh * g.OW;
          S* out = y + (r0 + r) * g.OW;
          for (int ow = 0; ow < g.OW; ++ow) out[ow] = first_max<g.kh, g.OW>(hr + ow);
        }
      }
    }
  }
  /// The first maximum of N values Stride apart (a later one wins only when greater), NaN if
  /// one of them is: without a branch, so that the loops calling it vectorise.
  template <int N, int Stride, class S>
  static S first_max(const S* p) {
    S v = p[0];
    bool isnan = v != v;
    for (int t = 1; t < N; ++t) {
      const S u = p[t * Stride];
      v = u > v ? u : v;
      isnan |= u != u;
    }
    return isnan ? std::numeric_limits<S>::quiet_NaN() : v;
  }
  /// One sample's max pool (full_windows_max), with argmax's value (the first maximum in scan
  /// order; NaN when the window holds one) and no branch per element: `v > m ? v : m` is one
  /// max instruction (m is kept when v is NaN), and a NaN seen is a flag per output that
  /// makes the output NaN at the end. A branch per element (argmax's) mispredicts on real
  /// data: CNN2's pools took 60% of its one-sample time that way.
  ///
  /// Rows of 9 to 16 windows go a window at a time, the taps inside: GCC 12 vectorises that
  /// along the row, where the taps-outside loop below, with its per-row arrays, stayed scalar
  /// and slow (MaxPool2d(2) on 8 x 28 x 28, CNN2's first pool, batch 32: 214 -> 32 us with
  /// AVX-512, 84 -> 26 us with AVX2); on rows of 4 to 8 the loop below was the faster, and
  /// on longer rows neither was faster everywhere (docs/performance.md).
  template <class S>
  static void max_of_full_windows(const S* x, S* y) {
    constexpr pool_geometry g = geometry;
    if constexpr (windows_tile_map) {
      max_of_tiles(x, y);
      return;
    } else if constexpr (g.OW > 8 && g.OW <= 16) {
      for (int r = 0; r < g.C * g.OH; ++r) {
        const S* in = x + ((r / g.OH) * g.H + (r % g.OH) * g.sh) * g.W;
        S* out = y + r * g.OW;
        for (int ow = 0; ow < g.OW; ++ow) {
          const S* w = in + ow * g.sw;
          S m = w[0];
          bool nan = m != m;
          for (int t = 1; t < g.kh * g.kw; ++t) {
            const S v = w[(t / g.kw) * g.W + t % g.kw];
            m = v > m ? v : m;
            nan |= v != v;
          }
          out[ow] = nan ? std::numeric_limits<S>::quiet_NaN() : m;
        }
      }
      return;
    }
    S acc[g.OW];
    int nan[g.OW];
    for (int c = 0; c < g.C; ++c) {
      for (int oh = 0; oh < g.OH; ++oh) {
        const S* in = x + (c * g.H + oh * g.sh) * g.W;
        for (int ow = 0; ow < g.OW; ++ow) {
          acc[ow] = in[ow * g.sw];
          nan[ow] = acc[ow] != acc[ow];
        }
        for (int t = 1; t < g.kh * g.kw; ++t) {
          const S* tap = in + (t / g.kw) * g.W + t % g.kw;
          for (int ow = 0; ow < g.OW; ++ow) {
            const S v = tap[ow * g.sw];
            acc[ow] = v > acc[ow] ? v : acc[ow];
            nan[ow] |= v != v;
          }
        }
        S* out = y + (c * g.OH + oh) * g.OW;
        for (int ow = 0; ow < g.OW; ++ow) out[ow] = nan[ow] != 0 ? std::numeric_limits<S>::quiet_NaN() : acc[ow];
      }
    }
  }

  /// One sample's max-pool backward (full_windows_max): dx (zeroed, unless windows_tile_input)
  /// += dy at each window's argmax (stored with the window's zeros where stores_windows),
  /// found as argmax does (the first maximum in scan order, a NaN over any number, a later NaN
  /// over an earlier one) but without a branch per element, which mispredicts on real data. The selects are masks and bitwise operations on the values' bits: in a loop
  /// it unrolls in full, GCC 12 compiles `take ? v : acc` on floats to a compare and a jump
  /// (CNN2's two pools' backward took 1.1 ms of its 2.9 ms training step that way on an AVX2
  /// core). Rows of 5 windows or more go a row at a time (the loop along the row vectorises:
  /// with GCC 12, 1.4-2x faster than blocks on rows of 5-18, CNN2's 14 and 7 included, with
  /// AVX2 and AVX-512); shorter ones, which GCC would unroll, in blocks of 256 windows across
  /// rows (rows of 3 and 4: 2.5-4x faster than a row at a time).
  template <class S>
  static void route_full_windows(const S* x, const S* dy, S* dx) {
    constexpr pool_geometry g = geometry;
    using U = std::conditional_t<sizeof(S) == 4, std::uint32_t, std::uint64_t>;
    static_assert(sizeof(U) == sizeof(S), "ctnn: max pooling's backward handles float and double");
    constexpr int taps = g.kh * g.kw;
    // Window `start`'s argmax among its taps after the first, from the running maximum's bits
    // `best` and its offset `arg`.
    const auto scan = [&](int start, U& best, U& arg) {
      for (int t = 1; t < taps; ++t) {
        const int idx = start + (t / g.kw) * g.W + t % g.kw;
        const S v = x[idx];
        const U take = U(0) - U((v > std::bit_cast<S>(best)) | (v != v));  // all ones or zero
        best = (std::bit_cast<U>(v) & take) | (best & ~take);
        arg = (static_cast<U>(idx) & take) | (arg & ~take);
      }
    };
    if constexpr (g.OW >= 5) {
      // long rows: a row of windows at a time, vectorised along it
      U best[g.OW], at[g.OW];
      for (int r = 0; r < g.C * g.OH; ++r) {
        const int row = ((r / g.OH) * g.H + (r % g.OH) * g.sh) * g.W;
        for (int ow = 0; ow < g.OW; ++ow) {
          at[ow] = static_cast<U>(row + ow * g.sw);
          best[ow] = std::bit_cast<U>(x[at[ow]]);
          scan(row + ow * g.sw, best[ow], at[ow]);
        }
        if constexpr (stores_windows)
          for (int ow = 0; ow < g.OW; ++ow) store_window(dx, row + ow * g.sw, at[ow], dy[r * g.OW + ow]);
        else
          for (int ow = 0; ow < g.OW; ++ow) dx[at[ow]] += dy[r * g.OW + ow];
      }
    } else {
      // short rows: blocks of 256 windows across rows
      constexpr int n = g.out_size(), block = std::min(n, 256);
      U at[block];
      for (int o0 = 0; o0 < n; o0 += block) {
        const int m = std::min(block, n - o0);
        for (int i = 0; i < m; ++i) {
          const int o = o0 + i, r = o / g.OW;
          const int start = ((r / g.OH) * g.H + (r % g.OH) * g.sh) * g.W + (o % g.OW) * g.sw;
          U best = std::bit_cast<U>(x[start]);
          at[i] = static_cast<U>(start);
          scan(start, best, at[i]);
        }
        for (int i = 0; i < m; ++i) dx[at[i]] += dy[o0 + i];
      }
    }
  }

  /// The window from input `start` (stores_windows): dy at its argmax `at`, 0 at its other
  /// taps; one store per tap, which vectorises along a row, where `dx[at] += dy` is a
  /// dependent load, add and store per window (70% of CNN1's pool backward, perf).
  template <class S, class U>
  static EIGEN_ALWAYS_INLINE void store_window(S* dx, int start, U at, S dy) {
    constexpr pool_geometry g = geometry;
    for (int t = 0; t < g.kh * g.kw; ++t) {
      const int idx = start + (t / g.kw) * g.W + t % g.kw;
      dx[idx] = at == static_cast<U>(idx) ? dy : S(0);
    }
  }

  /// The input row of the window's max, PyTorch's choice: the first maximum in scan order, a
  /// NaN wins over any number and a later NaN over an earlier one; -1 for an empty window.
  template <class X>
  static int argmax(const X& x, Eigen::Index b, int c, int h0, int h1, int hs, int w0, int w1, int ws) {
    using S = typename X::Scalar;
    if (h0 >= h1 || w0 >= w1) return -1;
    int best = index(c, h0, w0);
    S max = -std::numeric_limits<S>::infinity();
    for (int h = h0; h < h1; h += hs) {
      for (int w = w0; w < w1; w += ws) {
        const int i = index(c, h, w);
        const S v = x.coeff(i, b);
        if (v > max || std::isnan(v)) {
          max = v;
          best = i;
        }
      }
    }
    return best;
  }
};

/// PyTorch's printed form of a size: `2` for one number, `(2, 3)` for two.
/// Built by appending: GCC 12 at -O3 warns a false -Wrestrict on `"(" + std::to_string(..)`
/// (GCC bug 105329), which a user's -Werror build would stop on.
inline std::string repr_size2(size2 s) {
  if (s.square()) return std::to_string(s.h);
  std::string r = "(";
  r += std::to_string(s.h);
  r += ", ";
  r += std::to_string(s.w);
  r += ")";
  return r;
}

/// The fingerprint's arguments of a pooling layer (its describe hook): kernel_size, then
/// each option that is not PyTorch's default (stride when it is not the kernel size); 1-D
/// sizes as numbers, 2-D as (h,w).
template <class A>
constexpr void pool_describe(A& a, bool one_d, size2 kernel, PoolOptions o) {
  const auto sizes = [&](std::string_view key, size2 v) {
    if (one_d) {
      a.arg(key, v.w);
    } else {
      a.arg(key, v.h, v.w);
    }
  };
  sizes("kernel_size", kernel);
  if (o.stride != size2(0) && o.stride != kernel) sizes("stride", o.stride);
  if (o.padding != size2(0)) sizes("padding", o.padding);
  if (o.dilation != size2(1)) sizes("dilation", o.dilation);
  if (o.ceil_mode) a.arg("ceil_mode", "True");
  if (!o.count_include_pad) a.arg("count_include_pad", "False");
  if (o.divisor_override != 0) a.arg("divisor_override", o.divisor_override);
}

/// The fingerprint's arguments of an adaptive pooling layer: its output size.
template <class A>
constexpr void adaptive_describe(A& a, bool one_d, size2 out) {
  if (one_d) {
    a.arg("output_size", out.w);
  } else {
    a.arg("output_size", out.h, out.w);
  }
}

}  // namespace detail

/// torch.nn.MaxPool1d(Kernel, stride, padding, dilation, ceil_mode) on (C, L) samples:
/// `ctnn::MaxPool1d<2>`, `ctnn::MaxPool1d<3, ctnn::PoolOptions{.stride = 2, .padding = 1}>`.
/// The gradient goes to the element PyTorch picks: the first maximum of the window.
template <int Kernel, PoolOptions O = PoolOptions{}, Shape In = Shape{}>
struct MaxPool1d : detail::pool_base<detail::pool_layer::MaxPool1d, size2(Kernel), O, In> {
  template <Shape S>
  using bind = MaxPool1d<Kernel, O, S>;
  static constexpr std::string_view repr_name = "MaxPool1d";
  /// The fingerprint's arguments (ctnn/io/fingerprint.hpp).
  template <class A>
  static constexpr void describe(A& args) {
    detail::pool_describe(args, true, size2(Kernel), O);
  }
  std::string extra_repr() const {
    const size2 s = O.stride == size2(0) ? size2(Kernel) : O.stride;
    return "kernel_size=" + std::to_string(Kernel) + ", stride=" + std::to_string(s.w) +
           ", padding=" + std::to_string(O.padding.w) + ", dilation=" + std::to_string(O.dilation.w) +
           ", ceil_mode=" + (O.ceil_mode ? "True" : "False");
  }
};

/// torch.nn.MaxPool2d(Kernel, stride, padding, dilation, ceil_mode) on (C, H, W) samples:
/// `ctnn::MaxPool2d<2>`, `ctnn::MaxPool2d<ctnn::size2{2, 3}, ctnn::PoolOptions{.stride = 1}>`.
template <size2 Kernel, PoolOptions O = PoolOptions{}, Shape In = Shape{}>
struct MaxPool2d : detail::pool_base<detail::pool_layer::MaxPool2d, Kernel, O, In> {
  template <Shape S>
  using bind = MaxPool2d<Kernel, O, S>;
  static constexpr std::string_view repr_name = "MaxPool2d";
  /// The fingerprint's arguments (ctnn/io/fingerprint.hpp).
  template <class A>
  static constexpr void describe(A& args) {
    detail::pool_describe(args, false, Kernel, O);
  }
  std::string extra_repr() const {
    return "kernel_size=" + detail::repr_size2(Kernel) +
           ", stride=" + detail::repr_size2(O.stride == size2(0) ? Kernel : O.stride) +
           ", padding=" + detail::repr_size2(O.padding) + ", dilation=" + detail::repr_size2(O.dilation) +
           ", ceil_mode=" + (O.ceil_mode ? "True" : "False");
  }
};

/// torch.nn.AvgPool1d(Kernel, stride, padding, ceil_mode, count_include_pad) on (C, L)
/// samples (no dilation, no divisor_override, as in PyTorch).
template <int Kernel, PoolOptions O = PoolOptions{}, Shape In = Shape{}>
struct AvgPool1d : detail::pool_base<detail::pool_layer::AvgPool1d, size2(Kernel), O, In> {
  template <Shape S>
  using bind = AvgPool1d<Kernel, O, S>;
  static constexpr std::string_view repr_name = "AvgPool1d";
  /// The fingerprint's arguments (ctnn/io/fingerprint.hpp).
  template <class A>
  static constexpr void describe(A& args) {
    detail::pool_describe(args, true, size2(Kernel), O);
  }
  /// PyTorch prints AvgPool1d's sizes as 1-tuples, and neither ceil_mode nor count_include_pad.
  std::string extra_repr() const {
    const size2 s = O.stride == size2(0) ? size2(Kernel) : O.stride;
    return "kernel_size=(" + std::to_string(Kernel) + ",), stride=(" + std::to_string(s.w) + ",), padding=(" +
           std::to_string(O.padding.w) + ",)";
  }
};

/// torch.nn.AvgPool2d(Kernel, stride, padding, ceil_mode, count_include_pad,
/// divisor_override) on (C, H, W) samples (divisor_override 0 is None).
template <size2 Kernel, PoolOptions O = PoolOptions{}, Shape In = Shape{}>
struct AvgPool2d : detail::pool_base<detail::pool_layer::AvgPool2d, Kernel, O, In> {
  template <Shape S>
  using bind = AvgPool2d<Kernel, O, S>;
  static constexpr std::string_view repr_name = "AvgPool2d";
  /// The fingerprint's arguments (ctnn/io/fingerprint.hpp).
  template <class A>
  static constexpr void describe(A& args) {
    detail::pool_describe(args, false, Kernel, O);
  }
  /// PyTorch prints neither ceil_mode, count_include_pad nor divisor_override.
  std::string extra_repr() const {
    return "kernel_size=" + detail::repr_size2(Kernel) +
           ", stride=" + detail::repr_size2(O.stride == size2(0) ? Kernel : O.stride) +
           ", padding=" + detail::repr_size2(O.padding);
  }
};

/// torch.nn.AdaptiveAvgPool1d(Out) on (C, L) samples: window i is [floor(i L / Out),
/// ceil((i + 1) L / Out)); Out may exceed L, as PyTorch allows.
template <int Out, Shape In = Shape{}>
struct AdaptiveAvgPool1d : detail::pool_base<detail::pool_layer::AdaptiveAvgPool1d, size2(Out), PoolOptions{}, In> {
  template <Shape S>
  using bind = AdaptiveAvgPool1d<Out, S>;
  static constexpr std::string_view repr_name = "AdaptiveAvgPool1d";
  /// The fingerprint's arguments (ctnn/io/fingerprint.hpp).
  template <class A>
  static constexpr void describe(A& args) {
    detail::adaptive_describe(args, true, size2(Out));
  }
  std::string extra_repr() const { return "output_size=" + std::to_string(Out); }
};

/// torch.nn.AdaptiveAvgPool2d(Out) on (C, H, W) samples (`ctnn::AdaptiveAvgPool2d<1>`,
/// `ctnn::AdaptiveAvgPool2d<ctnn::size2{2, 3}>`).
template <size2 Out, Shape In = Shape{}>
struct AdaptiveAvgPool2d : detail::pool_base<detail::pool_layer::AdaptiveAvgPool2d, Out, PoolOptions{}, In> {
  template <Shape S>
  using bind = AdaptiveAvgPool2d<Out, S>;
  static constexpr std::string_view repr_name = "AdaptiveAvgPool2d";
  /// The fingerprint's arguments (ctnn/io/fingerprint.hpp).
  template <class A>
  static constexpr void describe(A& args) {
    detail::adaptive_describe(args, false, Out);
  }
  std::string extra_repr() const { return "output_size=" + detail::repr_size2(Out); }
};

/// torch.nn.AdaptiveMaxPool1d(Out) on (C, L) samples (return_indices=False).
template <int Out, Shape In = Shape{}>
struct AdaptiveMaxPool1d : detail::pool_base<detail::pool_layer::AdaptiveMaxPool1d, size2(Out), PoolOptions{}, In> {
  template <Shape S>
  using bind = AdaptiveMaxPool1d<Out, S>;
  static constexpr std::string_view repr_name = "AdaptiveMaxPool1d";
  /// The fingerprint's arguments (ctnn/io/fingerprint.hpp).
  template <class A>
  static constexpr void describe(A& args) {
    detail::adaptive_describe(args, true, size2(Out));
  }
  std::string extra_repr() const { return "output_size=" + std::to_string(Out); }
};

/// torch.nn.AdaptiveMaxPool2d(Out) on (C, H, W) samples (return_indices=False).
template <size2 Out, Shape In = Shape{}>
struct AdaptiveMaxPool2d : detail::pool_base<detail::pool_layer::AdaptiveMaxPool2d, Out, PoolOptions{}, In> {
  template <Shape S>
  using bind = AdaptiveMaxPool2d<Out, S>;
  static constexpr std::string_view repr_name = "AdaptiveMaxPool2d";
  /// The fingerprint's arguments (ctnn/io/fingerprint.hpp).
  template <class A>
  static constexpr void describe(A& args) {
    detail::adaptive_describe(args, false, Out);
  }
  std::string extra_repr() const { return "output_size=" + detail::repr_size2(Out); }
};

}  // namespace ctnn
