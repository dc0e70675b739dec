/// @file Defines ctnn::Centered: y = x - mean(x), the seed's CenteredLayer (a layer without
/// parameters). As PyTorch's `X - X.mean()`, the mean is over every element it is given: for
/// a batch, over all samples and features together.
#pragma once

#include "ctnn/detail/eigen.hpp"
#include <string_view>

#include "ctnn/core/shape.hpp"
#include "ctnn/core/tensor.hpp"

namespace ctnn {

struct Centered {
  // shape rule
  static constexpr int in_features = any;
  static constexpr int out_features = any;

  // forward: y = x - mean(x)
  template <class X>
  batch_like<X, X::RowsAtCompileTime> forward(const Eigen::MatrixBase<X>& x) const {
    batch_like<X, X::RowsAtCompileTime> y = x.array() - x.mean();
    return y;
  }

  // backward: every x_k enters the mean with weight 1/n, so dx = dy - mean(dy)
  template <class X, class Y, class G>
  batch_like<G, G::RowsAtCompileTime> backward(const Eigen::MatrixBase<X>&, const Eigen::MatrixBase<Y>&,
                                               const Eigen::MatrixBase<G>& dy) const {
    batch_like<G, G::RowsAtCompileTime> dx = dy.array() - dy.mean();
    return dx;
  }

  static constexpr std::string_view repr_name = "Centered";
};

}  // namespace ctnn
