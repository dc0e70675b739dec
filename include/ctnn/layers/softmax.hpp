/// @file Defines ctnn::Softmax and ctnn::LogSoftmax over the last dimension of each sample
/// (PyTorch's dim=1 on a (B, features) tensor, dim=-1 in general), both shifted by the
/// vector's maximum so that inputs of magnitude 1e4 give finite results.
#pragma once

#include "ctnn/detail/eigen.hpp"
#include <cmath>
#include <string>
#include <string_view>

#include "ctnn/core/shape.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/detail/reshape.hpp"

namespace ctnn {

namespace detail {
/// Shape rule of a layer acting on the last dimension of a sample of any shape: the shape is
/// kept, and the layer is bound to the last dimension's size (Last) and the rank (for its
/// printed dim) when the sample has more than one dimension. f(x, y) computes one sample's
/// (or one vector's) columns; the (T, F) case runs it on the F x (T B) view.
template <template <int, int> class Layer, int Last, int Rank>
struct last_dimension_layer {
  static constexpr int in_features = any;
  static constexpr int out_features = any;
  template <Shape S>
  using bind = std::conditional_t<(S.rank > 1), Layer<S.last(), S.rank>, Layer<Last, Rank>>;

  template <class X, class Y, class F>
  static void per_vector(const X& x, Y& y, F f) {
    if constexpr (Last == any || Last == X::RowsAtCompileTime) {
      f(x, y);
    } else {
      auto yv = columns_of<Last>(y);
      f(columns_of<Last>(contiguous(x)), yv);
    }
  }
  template <class X, class Y, class G, class DX, class F>
  static void per_vector(const X& x, const Y& y, const G& dy, DX& dx, F f) {
    if constexpr (Last == any || Last == G::RowsAtCompileTime) {
      f(x, y, dy, dx);
    } else {
      auto dxv = columns_of<Last>(dx);
      f(columns_of<Last>(contiguous(x)), columns_of<Last>(contiguous(y)), columns_of<Last>(contiguous(dy)), dxv);
    }
  }
  // PyTorch prints dim=1 for (B, F) inputs; over more dimensions one writes dim=-1
  std::string extra_repr() const { return Rank == 1 ? "dim=1" : "dim=-1"; }
};
}  // namespace detail

/// y_i = exp(x_i) / sum_k exp(x_k), over the last dimension (Softmax: Last and Rank decided
/// by the shape that reaches it).
template <int Last = any, int Rank = 1>
struct BasicSoftmax : detail::last_dimension_layer<BasicSoftmax, Last, Rank> {
  // forward: exp(x - max x) normalised, vector by vector
  template <class X>
  batch_like<X, X::RowsAtCompileTime> forward(const Eigen::MatrixBase<X>& x) const {
    batch_like<X, X::RowsAtCompileTime> y(x.rows(), x.cols());
    this->per_vector(x.derived(), y, [](const auto& xv, auto& yv) {
      for (Eigen::Index j = 0; j < xv.cols(); ++j) {
        yv.col(j) = (xv.col(j).array() - xv.col(j).maxCoeff()).exp().matrix();
        yv.col(j) /= yv.col(j).sum();
      }
    });
    return y;
  }

  // backward: dx = y * (dy - <dy, y>), vector by vector
  template <class X, class Y, class G>
  batch_like<G, G::RowsAtCompileTime> backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>& y,
                                               const Eigen::MatrixBase<G>& dy) const {
    batch_like<G, G::RowsAtCompileTime> dx(dy.rows(), dy.cols());
    this->per_vector(x.derived(), y.derived(), dy.derived(), dx, [](const auto&, const auto& yv, const auto& g, auto& d) {
      for (Eigen::Index j = 0; j < g.cols(); ++j)
        d.col(j) = yv.col(j).cwiseProduct((g.col(j).array() - g.col(j).dot(yv.col(j))).matrix());
    });
    return dx;
  }

  static constexpr std::string_view repr_name = "Softmax";
};
using Softmax = BasicSoftmax<>;

/// y_i = x_i - log sum_k exp(x_k), over the last dimension (LogSoftmax: Last and Rank
/// decided by the shape that reaches it).
template <int Last = any, int Rank = 1>
struct BasicLogSoftmax : detail::last_dimension_layer<BasicLogSoftmax, Last, Rank> {
  // forward: (x - max) - log(sum exp(x - max)), vector by vector
  template <class X>
  batch_like<X, X::RowsAtCompileTime> forward(const Eigen::MatrixBase<X>& x) const {
    batch_like<X, X::RowsAtCompileTime> y(x.rows(), x.cols());
    this->per_vector(x.derived(), y, [](const auto& xv, auto& yv) {
      for (Eigen::Index j = 0; j < xv.cols(); ++j) {
        // (x - m) - log(sum): x - m is exact near the maximum, where x - (m + log(sum)) would
        // lose the digits of log(sum) beside |x| ~ 1e4 in float
        const auto m = xv.col(j).maxCoeff();
        const auto log_sum = std::log((xv.col(j).array() - m).exp().sum());
        yv.col(j) = ((xv.col(j).array() - m) - log_sum).matrix();
      }
    });
    return y;
  }

  // backward: dx = dy - softmax(x) * sum(dy), with softmax(x) = exp(y)
  template <class X, class Y, class G>
  batch_like<G, G::RowsAtCompileTime> backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>& y,
                                               const Eigen::MatrixBase<G>& dy) const {
    batch_like<G, G::RowsAtCompileTime> dx(dy.rows(), dy.cols());
    this->per_vector(x.derived(), y.derived(), dy.derived(), dx, [](const auto&, const auto& yv, const auto& g, auto& d) {
      for (Eigen::Index j = 0; j < g.cols(); ++j) d.col(j) = g.col(j) - (yv.col(j).array().exp() * g.col(j).sum()).matrix();
    });
    return dx;
  }

  static constexpr std::string_view repr_name = "LogSoftmax";
};
using LogSoftmax = BasicLogSoftmax<>;

}  // namespace ctnn
