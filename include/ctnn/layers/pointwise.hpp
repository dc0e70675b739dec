/// @file Defines ctnn::Pointwise, the machinery of layers that apply one scalar function to
/// every element: y = f(x), dx = dy * f'(x, y). A pointwise layer is shape-polymorphic.
#pragma once

#include <Eigen/Core>

#include "ctnn/core/shape.hpp"
#include "ctnn/core/tensor.hpp"

namespace ctnn {

/// Base of an elementwise layer Derived, which provides `S f(S x) const` and
/// `S df(S x, S y) const` (the derivative at x, given y = f(x) too, since many derivatives
/// are cheapest in terms of the output).
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
    using S = typename X::Scalar;
    const Derived& d = static_cast<const Derived&>(*this);
    y = x.unaryExpr([&d](S v) { return d.f(v); });
  }

  // backward: dx = dy * f'(x), element by element
  template <class X, class Y, class G>
  batch_like<G, G::RowsAtCompileTime> backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>& y,
                                               const Eigen::MatrixBase<G>& dy) const {
    const Derived& d = static_cast<const Derived&>(*this);
    batch_like<G, G::RowsAtCompileTime> dx(dy.rows(), dy.cols());
    for (Eigen::Index j = 0; j < dy.cols(); ++j)
      for (Eigen::Index i = 0; i < dy.rows(); ++i) dx(i, j) = dy(i, j) * d.df(x(i, j), y(i, j));
    return dx;
  }
};

}  // namespace ctnn
