/// @file Defines ctnn::Cached<L>: layer L called the way nn.Module is called, y = m(x) then
/// dx = m.backward(dy), because it keeps the x and y of its last forward.
///
/// ctnn's layers are pure: backward(x, y, dy) is handed the forward's input and output, and
/// Sequential keeps them. A custom model (a struct of named layers) keeps them by declaring
/// each member as Cached<Layer>: its forward calls its members, its backward calls their
/// backward(dy) in reverse order. Cached<L> derives from L, so L's parameters, buffers,
/// names ("mylayer1.weight"), repr and reset_parameters are Cached<L>'s own.
#pragma once

#include "ctnn/detail/eigen.hpp"
#include <string>
#include <string_view>
#include <type_traits>

#include "ctnn/core/error.hpp"
#include "ctnn/core/layer.hpp"
#include "ctnn/core/scalar.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/detail/type_name.hpp"

namespace ctnn {

namespace detail {
/// Named so that the note under Cached's static_asserts reads as a sentence.
template <class L>
struct cached {
  template <bool Has>
  static constexpr bool has_in_features_and_out_features = Has;
  template <bool Has>
  static constexpr bool has_forward_x = Has;
  template <bool Has>
  static constexpr bool has_backward_x_y_grad_y = Has;
};
}  // namespace detail

/// L with a memory of its last forward, computing in scalar type S (that of L by default;
/// give it for a parameter-free layer used in double). The caches hold one batch: they are
/// allocated on the first forward and again only when the batch size changes.
template <class L, class S = scalar_of<L>>
struct Cached : L {
  // One error per missing part, the first one only; the note names L and the part.
  // Fix: declare `static constexpr int in_features = ..., out_features = ...;` (ctnn::any for any width).
  static_assert(detail::cached<L>::template has_in_features_and_out_features<HasShapeRule<L>>,
                "ctnn::Cached<L>: L is not a layer: it has no shape rule (see docs/concepts.md#layer)");
  // Fix: add `template <class X> ctnn::batch_like<X, Out> forward(const Eigen::MatrixBase<X>& x)`.
  static_assert(!HasShapeRule<L> || detail::cached<L>::template has_forward_x<HasForward<L>>,
                "ctnn::Cached<L>: L is not a layer: it has no forward(x) that accepts its input (see "
                "docs/concepts.md#layer)");
  // Fix: add `backward(x, y, grad_y)` returning dLoss/dx.
  static_assert(!HasShapeRule<L> || !HasForward<L> || detail::cached<L>::template has_backward_x_y_grad_y<HasBackward<L>>,
                "ctnn::Cached<L>: L is not a layer: it has no backward(x, y, grad_y) (see docs/concepts.md#layer)");
  using L::L;
  using layer_type = L;
  using scalar_type = S;
  static constexpr std::string_view repr_name = detail::repr_name_of<L>();
  template <class S2>
  using with_scalar = Cached<ctnn::with_scalar<L, S2>, S2>;

  /// L's forward, keeping x and y for backward.
  template <class X>
  auto forward(const Eigen::MatrixBase<X>& x) {
    static_assert(std::is_same_v<typename X::Scalar, S>,
                  "ctnn::Cached<L, S>: the input's scalar type differs from S (float vs double?)");
    auto y = L::forward(x);
    x_ = x;
    y_ = y;
    return y;
  }
  template <class X>
  auto operator()(const Eigen::MatrixBase<X>& x) {
    return forward(x);
  }

  /// Inference: L's, without touching the caches.
  template <class X>
  auto infer(const Eigen::MatrixBase<X>& x) const {
    return detail::infer(static_cast<const L&>(*this), x.derived());
  }

  /// dLoss/dx for the last forward's x, given dLoss/dy (same shape as that forward's y);
  /// adds the parameters' gradients to their .grad.
  template <class G>
  auto backward(const Eigen::MatrixBase<G>& dy) {
    constexpr int B = G::ColsAtCompileTime;
    constexpr int YR = L::out_features != any ? L::out_features : G::RowsAtCompileTime;
    constexpr int XR = L::in_features != any ? L::in_features
                       : L::out_features == any ? G::RowsAtCompileTime  // polymorphic: same width
                                                : Eigen::Dynamic;
    if (x_.cols() == 0)
      detail::fail("ctnn::Cached<" + std::string(repr_name) + ">::backward: call forward first (nothing is cached)");
    if (dy.rows() != y_.rows() || dy.cols() != y_.cols())
      detail::fail("ctnn::Cached<" + std::string(repr_name) + ">::backward: the gradient is " +
                  std::to_string(dy.rows()) + " x " + std::to_string(dy.cols()) + " but the last forward produced " +
                  std::to_string(y_.rows()) + " x " + std::to_string(y_.cols()));
    const Eigen::Map<const Eigen::Matrix<S, XR, B>> x(x_.data(), x_.rows(), x_.cols());
    const Eigen::Map<const Eigen::Matrix<S, YR, B>> y(y_.data(), y_.rows(), y_.cols());
    return detail::backward(static_cast<L&>(*this), x, y, dy.derived());
  }

  /// The pure form, for use inside a Sequential (which keeps x and y itself).
  template <class X, class Y, class G>
  auto backward(const X& x, const Y& y, const G& dy) {
    return detail::backward(static_cast<L&>(*this), x, y, dy);
  }

 private:
  // Rows of the caches: fixed widths, else Dynamic (also when L lacks a shape rule, so that
  // the static_assert above is the only error)
  template <bool Out>
  static constexpr int rows() {
    if constexpr (HasShapeRule<L>) {
      const int w = Out ? L::out_features : L::in_features;
      return w == any ? Eigen::Dynamic : w;
    } else {
      return Eigen::Dynamic;
    }
  }
  Eigen::Matrix<S, rows<false>(), Eigen::Dynamic> x_;
  Eigen::Matrix<S, rows<true>(), Eigen::Dynamic> y_;
};

}  // namespace ctnn
