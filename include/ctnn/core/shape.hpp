/// @file Widths and the shape rule of a layer: pure constexpr, no Eigen.
///
/// A layer states its widths with two constants. A fixed-width layer (Linear) names them:
/// `in_features = 8, out_features = 128`. A shape-polymorphic layer (ReLU, Centered) says
/// `in_features = ctnn::any, out_features = ctnn::any`: it takes whatever width arrives and
/// gives the same width back.
#pragma once

#include <cstddef>
#include <type_traits>

namespace ctnn {

/// "Whatever width arrives": the width of a shape-polymorphic layer.
inline constexpr int any = 0;

/// Width of the output of layer L when `in` features arrive (`any` if not known yet).
template <class L>
constexpr int output_width(int in) {
  return L::out_features == any ? in : L::out_features;
}

namespace detail {

/// widths[i] is the width arriving at layer i of the chain Ls..., widths[n] the chain's
/// output; `any` where no fixed-width layer has decided it yet.
template <class... Ls>
struct chain_widths {
  static constexpr std::size_t n = sizeof...(Ls);
  static constexpr auto compute(int first) {
    struct result_t {
      int w[sizeof...(Ls) + 1];
    } r{};
    int i = 0;
    r.w[0] = first;
    ((r.w[i + 1] = output_width<Ls>(r.w[i]), ++i), ...);
    return r;
  }
  /// Input width of the chain: that of its first fixed-width layer, which every polymorphic
  /// layer before it passes through unchanged.
  static constexpr int in_features() {
    int in = any;
    ((in == any ? (in = Ls::in_features, 0) : 0), ...);
    return in;
  }
  static constexpr auto widths = compute(in_features());
  static constexpr int out_features = widths.w[n];
};

}  // namespace detail

namespace detail {
template <class... Ls>
constexpr bool chainable() {
  using C = chain_widths<Ls...>;
  constexpr int expected[] = {Ls::in_features...};
  for (std::size_t i = 0; i < sizeof...(Ls); ++i) {
    if (expected[i] != any && C::widths.w[i] != any && expected[i] != C::widths.w[i]) return false;
  }
  return true;
}
}  // namespace detail

/// True when every fixed-width layer of Ls... receives the width it expects. The pure
/// predicate behind Sequential's diagnostic (usable in requires-expressions and static tests).
template <class... Ls>
concept Chainable = sizeof...(Ls) > 0 && detail::chainable<Ls...>();

}  // namespace ctnn
