/// @file Defines ctnn::ElementwiseLoss, the machinery of losses that compare a prediction and a
/// target of the same shape value by value: l = f(x, y) per element, then PyTorch's reduction.
/// A loss states f (`value(x, y)`) and df/dx (`derivative(x, y)`); this base does the rest.
#pragma once

#include "ctnn/detail/eigen.hpp"

#include "ctnn/core/tensor.hpp"
#include "ctnn/loss/reduction.hpp"

namespace ctnn {

/// Base of an elementwise loss Derived with reduction R. Derived provides
/// `S value(S x, S y) const`, `S derivative(S x, S y) const` and `repr_name`, or the same
/// with a third argument, the element's row (feature) for per-feature weights, and may
/// provide `void check_values(const P& pred, const T& target) const`, which throws ctnn::Error.
///
/// - `loss(pred, target)`: pred and target are features x B of one scalar type. Returns the
///   sum or mean (over every element, as PyTorch) for Sum and Mean, and the per-element
///   losses, pred's shape, for None.
/// - `loss.grad(pred, target)` (Sum, Mean): dLoss/dpred, pred's shape.
/// - `loss.grad(pred, target, grad_out)` (None): grad_out * dl/dpred element by element, as
///   PyTorch's `l.backward(grad_out)` on the unreduced loss.
template <class Derived, ReductionMode R>
struct ElementwiseLoss {
  static constexpr ReductionMode reduction = R;

  template <class P, class T>
  auto operator()(const Eigen::MatrixBase<P>& pred, const Eigen::MatrixBase<T>& target) const {
    using S = typename P::Scalar;
    using Out = batch_like<P, P::RowsAtCompileTime>;
    using Result = std::conditional_t<R == ReductionMode::none, Out, S>;
    if constexpr (!detail::check_same_shape<Derived, P, T>()) {
      return Result{};  // the static_assert has spoken; stop the cascade
    } else {
      check(pred, target);
      const Derived& d = self();
      if constexpr (R == ReductionMode::none) {
        Out out(pred.rows(), pred.cols());
        for (Eigen::Index j = 0; j < pred.cols(); ++j)
          for (Eigen::Index i = 0; i < pred.rows(); ++i) out(i, j) = value_of(d, pred(i, j), target(i, j), i);
        return out;
      } else {
        S sum = S(0);
        for (Eigen::Index j = 0; j < pred.cols(); ++j)
          for (Eigen::Index i = 0; i < pred.rows(); ++i) sum += value_of(d, pred(i, j), target(i, j), i);
        return R == ReductionMode::mean ? S(sum / S(pred.size())) : sum;
      }
    }
  }

  /// As PyTorch's loss.forward(pred, target).
  template <class P, class T>
  auto forward(const Eigen::MatrixBase<P>& pred, const Eigen::MatrixBase<T>& target) const {
    return (*this)(pred, target);
  }

  template <class P, class T>
  batch_like<P, P::RowsAtCompileTime> grad(const Eigen::MatrixBase<P>& pred, const Eigen::MatrixBase<T>& target) const {
    // Fix: a reduction='none' loss is a tensor; give the gradient of what you reduce it to:
    // loss.grad(pred, target, grad_out).
    static_assert(R != ReductionMode::none,
                  "ctnn: loss.grad(pred, target) needs a reduced loss (Mean or Sum); with Reduction::None "
                  "call loss.grad(pred, target, grad_out)");
    using S = typename P::Scalar;
    batch_like<P, P::RowsAtCompileTime> g(pred.rows(), pred.cols());
    if constexpr (detail::check_same_shape<Derived, P, T>()) {
      check(pred, target);
      // Mean: PyTorch scales by 1/n, n the number of elements.
      const S scale = R == ReductionMode::mean ? S(1.0 / static_cast<double>(pred.size())) : S(1);
      const Derived& d = self();
      for (Eigen::Index j = 0; j < pred.cols(); ++j)
        for (Eigen::Index i = 0; i < pred.rows(); ++i) g(i, j) = derivative_of(d, pred(i, j), target(i, j), i) * scale;
    }
    return g;
  }

  template <class P, class T, class G>
  batch_like<P, P::RowsAtCompileTime> grad(const Eigen::MatrixBase<P>& pred, const Eigen::MatrixBase<T>& target,
                                           const Eigen::MatrixBase<G>& grad_out) const {
    static_assert(R == ReductionMode::none,
                  "ctnn: loss.grad(pred, target, grad_out) is for Reduction::None; a Mean or Sum loss "
                  "is a scalar: call loss.grad(pred, target)");
    batch_like<P, P::RowsAtCompileTime> g(pred.rows(), pred.cols());
    if constexpr (detail::check_same_shape<Derived, P, T>() && detail::check_same_shape<Derived, P, G>()) {
      check(pred, target);
      detail::require_shape<Derived>(grad_out, pred.rows(), pred.cols());
      const Derived& d = self();
      for (Eigen::Index j = 0; j < pred.cols(); ++j)
        for (Eigen::Index i = 0; i < pred.rows(); ++i) g(i, j) = derivative_of(d, pred(i, j), target(i, j), i) * grad_out(i, j);
    }
    return g;
  }

 private:
  const Derived& self() const { return static_cast<const Derived&>(*this); }

  template <class S>
  static S value_of(const Derived& d, S x, S y, Eigen::Index row) {
    if constexpr (requires { d.value(x, y, row); }) {
      return d.value(x, y, row);
    } else {
      return d.value(x, y);
    }
  }
  template <class S>
  static S derivative_of(const Derived& d, S x, S y, Eigen::Index row) {
    if constexpr (requires { d.derivative(x, y, row); }) {
      return d.derivative(x, y, row);
    } else {
      return d.derivative(x, y);
    }
  }

  template <class P, class T>
  void check(const P& pred, const T& target) const {
    if constexpr (P::RowsAtCompileTime == Eigen::Dynamic || P::ColsAtCompileTime == Eigen::Dynamic ||
                  T::RowsAtCompileTime == Eigen::Dynamic || T::ColsAtCompileTime == Eigen::Dynamic)
      detail::require_same_shape<Derived>(pred, target);
    if constexpr (requires(const Derived& d) { d.check_values(pred, target); }) self().check_values(pred, target);
  }
};

}  // namespace ctnn
