/// @file Defines the compile-time options of the convolution and pooling families:
/// ctnn::size2, ctnn::padding (numbers, ctnn::same, ctnn::valid, ctnn::causal),
/// ctnn::PaddingMode, ctnn::ConvOptions, ctnn::ConvTransposeOptions and ctnn::PoolOptions.
///
/// They are PyTorch's keyword arguments as a struct given as the last template argument, so
/// that `nn.Conv1d(1, 12, 5, stride=3)` reads `ctnn::Conv1d<1, 12, 5, ctnn::ConvOptions{.stride
/// = 3}>` (Clang 14 needs the type named; GCC 12 also takes a bare braced list). Every member
/// is an integer, a bool or an enumeration: structural types, usable as template arguments by
/// every C++20 compiler (no floating point: Clang 14 has no floating-point template arguments).
#pragma once

namespace ctnn {

/// A size of a 2-D layer: one number for both dimensions (PyTorch's int) or (h, w) (its
/// tuple). A 1-D layer takes one number only.
struct size2 {
  int h = 0;
  int w = 0;
  constexpr size2() = default;
  constexpr size2(int k) : h(k), w(k) {}  // NOLINT: implicit, as PyTorch's int
  constexpr size2(int h_, int w_) : h(h_), w(w_) {}
  constexpr bool square() const { return h == w; }
  friend constexpr bool operator==(size2, size2) = default;
};

/// How a padding is given: numbers, or PyTorch's strings 'same' and 'valid', or `causal`
/// (ctnn's: (K - 1) x dilation zeros on the left of a 1-D signal, none on the right, so that
/// output t depends on inputs up to t only; the form streaming needs).
enum class PaddingKind { numbers, same, valid, causal };
inline constexpr PaddingKind same = PaddingKind::same;
inline constexpr PaddingKind valid = PaddingKind::valid;
inline constexpr PaddingKind causal = PaddingKind::causal;

/// A padding: `2`, `ctnn::size2{1, 2}` (or `{1, 2}`), `ctnn::same`, `ctnn::valid`,
/// `ctnn::causal`.
struct padding {
  PaddingKind kind = PaddingKind::numbers;
  int h = 0;
  int w = 0;
  constexpr padding() = default;
  constexpr padding(int p) : h(p), w(p) {}                        // NOLINT: implicit
  constexpr padding(int h_, int w_) : h(h_), w(w_) {}
  constexpr padding(size2 p) : h(p.h), w(p.w) {}                  // NOLINT: implicit
  constexpr padding(PaddingKind k) : kind(k) {}                   // NOLINT: implicit
  constexpr bool is_numbers() const { return kind == PaddingKind::numbers; }
  friend constexpr bool operator==(padding, padding) = default;
};

/// torch.nn.Conv*d's padding_mode.
enum class PaddingMode { zeros, reflect, replicate, circular };

/// The keyword arguments of torch.nn.Conv1d / Conv2d, PyTorch's defaults.
struct ConvOptions {
  size2 stride = 1;
  ctnn::padding padding = 0;
  size2 dilation = 1;
  int groups = 1;
  bool bias = true;
  PaddingMode padding_mode = PaddingMode::zeros;
  friend constexpr bool operator==(const ConvOptions&, const ConvOptions&) = default;
};

/// The keyword arguments of torch.nn.ConvTranspose1d / ConvTranspose2d, PyTorch's defaults.
struct ConvTransposeOptions {
  size2 stride = 1;
  size2 padding = 0;
  size2 output_padding = 0;
  int groups = 1;
  bool bias = true;
  size2 dilation = 1;
  friend constexpr bool operator==(const ConvTransposeOptions&, const ConvTransposeOptions&) = default;
};

/// The keyword arguments of torch.nn.MaxPool*d / AvgPool*d, PyTorch's defaults. `stride = 0`
/// is PyTorch's None: the kernel size. `dilation` is MaxPool's only, `count_include_pad` and
/// `divisor_override` (0 = None) AvgPool's only.
struct PoolOptions {
  size2 stride = 0;
  size2 padding = 0;
  size2 dilation = 1;
  bool ceil_mode = false;
  bool count_include_pad = true;
  int divisor_override = 0;
  friend constexpr bool operator==(const PoolOptions&, const PoolOptions&) = default;
};

}  // namespace ctnn
