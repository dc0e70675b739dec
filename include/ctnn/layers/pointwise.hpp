/// @file Defines ctnn::Pointwise, the machinery of layers that apply one scalar function to
/// every element: y = f(x), dx = dy * f'(x, y). A pointwise layer is shape-polymorphic.
#pragma once

#include "ctnn/detail/eigen.hpp"

#include "ctnn/core/shape.hpp"
#include "ctnn/core/tensor.hpp"

namespace ctnn {

/// Base of an elementwise layer Derived, which provides `S f(S x) const` and
/// `S df(S x, S y) const` (the derivative at x, given y = f(x) too, since many derivatives
/// are cheapest in terms of the output). Optionally, for speed, the same two on Eigen arrays:
/// `array_f(x)` and `array_backward(x, y, dy)` (= dy * f'(x)), which Eigen vectorises.
template <class Derived>
struct Pointwise {
  // shape rule: whatever width arrives, the same width leaves
  static constexpr int in_features = any;
  static constexpr int out_features = any;

  // forward: y = f(x), element by element
  template <class X>
  batch_like<X, X::RowsAtCompileTime> forward(const Eigen::MatrixBase<X>& x) const {
    batch_like<X, X::RowsAtCompileTime> y(x.rows(), x.cols());
    forward_into(x, y);
    return y;
  }
  template <class X, class Y>
  void forward_into(const Eigen::MatrixBase<X>& x, Y&& y) const {
    y = map(x.derived().array()).matrix();
  }

  /// Inference on y itself (Sequential's inference on an activation it owns, detail/fuse.hpp):
  /// f is elementwise, so writing y as it is read is safe.
  template <class Y>
  void infer_in_place(Y& y) const {
    const Derived& d = static_cast<const Derived&>(*this);
    if constexpr (requires { d.infer(y); }) {
      y = d.infer(y);  // a layer that infers unlike its forward
    } else {
      forward_into(y, y);
    }
  }

  /// f over an Eigen array expression (what Linear fuses into its output when this layer
  /// follows it in a Sequential).
  template <class A>
  auto map(const Eigen::ArrayBase<A>& x) const {
    using S = typename A::Scalar;
    const Derived& d = static_cast<const Derived&>(*this);
    if constexpr (requires { d.array_f(x.derived()); }) {
      return d.array_f(x.derived());
    } else {
      return x.derived().unaryExpr([&d](S v) { return d.f(v); });
    }
  }

  /// This layer as an epilogue over Eigen arrays, for a layer before it that applies one to
  /// its output while it is in registers (Sequential's fusion, detail/fuse.hpp).
  auto epilogue() const {
    return [self = this](const auto& z) { return self->map(z); };
  }

  // backward: dx = dy * f'(x), element by element
  template <class X, class Y, class G>
  batch_like<G, G::RowsAtCompileTime> backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>& y,
                                               const Eigen::MatrixBase<G>& dy) const {
    batch_like<G, G::RowsAtCompileTime> dx(dy.rows(), dy.cols());
    backward_into(x, y, dy, dx);
    return dx;
  }
  /// backward writing dLoss/dx into dx (a matrix or Map of x's shape).
  template <class X, class Y, class G, class DX>
  void backward_into(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>& y,
                     const Eigen::MatrixBase<G>& dy, DX&& dx) const {
    const Derived& d = static_cast<const Derived&>(*this);
    if constexpr (requires { d.array_backward(x.derived().array(), y.derived().array(), dy.derived().array()); }) {
      dx = d.array_backward(x.derived().array(), y.derived().array(), dy.derived().array()).matrix();
    } else {
      for (Eigen::Index j = 0; j < dy.cols(); ++j)
        for (Eigen::Index i = 0; i < dy.rows(); ++i) dx(i, j) = dy(i, j) * d.df(x(i, j), y(i, j));
    }
  }
};

}  // namespace ctnn
