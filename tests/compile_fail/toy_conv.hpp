// A test-only layer of rank 2, shaped like a 1-D convolution with kernel 3 and no padding:
// (C, L) -> (C2, L - 2). Its data path is a placeholder (zeros): these tests are about shapes.
#pragma once
#include <ctnn/core/shape.hpp>
#include <ctnn/core/tensor.hpp>

template <int C, int C2>
struct ToyConv {
  static constexpr int in_features = ctnn::any, out_features = ctnn::any;
  static constexpr bool accepts(ctnn::Shape s) { return s.rank == 2 && s[0] == C && s[1] >= 3; }
  static constexpr ctnn::Shape output_shape(ctnn::Shape s) { return ctnn::Shape(C2, s[1] - 2); }
  static constexpr ctnn::Shape expected_input(ctnn::Shape s) { return ctnn::Shape(C, s.rank == 2 ? s[1] : 3); }
  template <class X>
  auto forward(const Eigen::MatrixBase<X>& x) const {
    using Y = ctnn::batch_like<X, X::RowsAtCompileTime / C * C2 - 2 * C2>;
    return Y(Y::Zero(Y::RowsAtCompileTime, x.cols()));
  }
  template <class X, class Y, class G>
  auto backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>&, const Eigen::MatrixBase<G>&) const {
    using DX = ctnn::batch_like<G, X::RowsAtCompileTime>;
    return DX(DX::Zero(x.rows(), x.cols()));
  }
};
