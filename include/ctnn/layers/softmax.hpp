/// @file Defines ctnn::Softmax and ctnn::LogSoftmax over the features of each sample
/// (PyTorch's dim=1 on a (B, features) tensor), both shifted by the sample's maximum so that
/// inputs of magnitude 1e4 give finite results.
#pragma once

#include "ctnn/detail/eigen.hpp"
#include <cmath>
#include <string>
#include <string_view>

#include "ctnn/core/shape.hpp"
#include "ctnn/core/tensor.hpp"

namespace ctnn {

/// y_i = exp(x_i) / sum_k exp(x_k), per sample.
struct Softmax {
  // shape rule
  static constexpr int in_features = any;
  static constexpr int out_features = any;

  // forward: exp(x - max x) normalised, column by column
  template <class X>
  batch_like<X, X::RowsAtCompileTime> forward(const Eigen::MatrixBase<X>& x) const {
    batch_like<X, X::RowsAtCompileTime> y(x.rows(), x.cols());
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      y.col(j) = (x.col(j).array() - x.col(j).maxCoeff()).exp().matrix();
      y.col(j) /= y.col(j).sum();
    }
    return y;
  }

  // backward: dx = y * (dy - <dy, y>), per sample
  template <class X, class Y, class G>
  batch_like<G, G::RowsAtCompileTime> backward(const Eigen::MatrixBase<X>&, const Eigen::MatrixBase<Y>& y,
                                               const Eigen::MatrixBase<G>& dy) const {
    batch_like<G, G::RowsAtCompileTime> dx(dy.rows(), dy.cols());
    for (Eigen::Index j = 0; j < dy.cols(); ++j)
      dx.col(j) = y.col(j).cwiseProduct((dy.col(j).array() - dy.col(j).dot(y.col(j))).matrix());
    return dx;
  }

  static constexpr std::string_view repr_name = "Softmax";
  std::string extra_repr() const { return "dim=1"; }
};

/// y_i = x_i - log sum_k exp(x_k), per sample.
struct LogSoftmax {
  // shape rule
  static constexpr int in_features = any;
  static constexpr int out_features = any;

  // forward: (x - max) - log(sum exp(x - max)), column by column
  template <class X>
  batch_like<X, X::RowsAtCompileTime> forward(const Eigen::MatrixBase<X>& x) const {
    batch_like<X, X::RowsAtCompileTime> y(x.rows(), x.cols());
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      // (x - m) - log(sum): x - m is exact near the maximum, where x - (m + log(sum)) would
      // lose the digits of log(sum) beside |x| ~ 1e4 in float
      const auto m = x.col(j).maxCoeff();
      const auto log_sum = std::log((x.col(j).array() - m).exp().sum());
      y.col(j) = ((x.col(j).array() - m) - log_sum).matrix();
    }
    return y;
  }

  // backward: dx = dy - softmax(x) * sum(dy), with softmax(x) = exp(y)
  template <class X, class Y, class G>
  batch_like<G, G::RowsAtCompileTime> backward(const Eigen::MatrixBase<X>&, const Eigen::MatrixBase<Y>& y,
                                               const Eigen::MatrixBase<G>& dy) const {
    batch_like<G, G::RowsAtCompileTime> dx(dy.rows(), dy.cols());
    for (Eigen::Index j = 0; j < dy.cols(); ++j)
      dx.col(j) = dy.col(j) - (y.col(j).array().exp() * dy.col(j).sum()).matrix();
    return dx;
  }

  static constexpr std::string_view repr_name = "LogSoftmax";
  std::string extra_repr() const { return "dim=1"; }
};

}  // namespace ctnn
