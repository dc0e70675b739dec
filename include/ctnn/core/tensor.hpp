/// @file Defines ctnn::Matrix, ctnn::Batch and ctnn::Sample: Eigen matrices whose row count
/// (features) is always a compile-time constant.
///
/// A batch is features x B, column-major: sample j is column j, the same bytes as PyTorch's
/// row-major (B, features) tensor. Small shapes are fully fixed-size Eigen matrices (on the
/// stack, fully unrolled); shapes larger than Eigen's stack limit keep their compile-time row
/// count and store their columns on the heap, allocated once at construction.
#pragma once

#include "ctnn/detail/eigen.hpp"
#include <cstddef>
#include <type_traits>

namespace ctnn {

namespace detail {
template <class S, int R, int C>
inline constexpr bool fits_on_stack =
    R > 0 && C > 0 &&
    static_cast<std::size_t>(R) * static_cast<std::size_t>(C) * sizeof(S) <= EIGEN_STACK_ALLOCATION_LIMIT;
}  // namespace detail

/// An R x C matrix of S: fixed-size when it fits Eigen's stack limit, otherwise R fixed rows
/// and heap-allocated columns (C may be Eigen::Dynamic for a run-time batch size).
template <class S, int R, int C>
using Matrix = std::conditional_t<detail::fits_on_stack<S, R, C>, Eigen::Matrix<S, R, C>,
                                  Eigen::Matrix<S, R, Eigen::Dynamic>>;

/// A batch of B samples with N features each (B may be Eigen::Dynamic).
template <class S, int N, int B>
using Batch = Matrix<S, N, B>;

/// One sample of N features.
template <class S, int N>
using Sample = Matrix<S, N, 1>;

/// The type a layer returns for input X when its output has Rows features: same scalar, same
/// number of columns (samples) as X.
template <class X, int Rows>
using batch_like = Matrix<typename X::Scalar, Rows, X::ColsAtCompileTime>;

/// An Eigen::Map viewing `data` as an R x C matrix of S (C may be Eigen::Dynamic).
template <class S, int R, int C>
using MatrixView = Eigen::Map<Eigen::Matrix<S, R, C>>;

namespace detail {
/// Zero-filled matrix of the given compile-time shape (C fixed), whatever storage it uses.
template <class M, int R, int C>
M zero_matrix() {
  M m(R, C);
  m.setZero();
  return m;
}
}  // namespace detail

}  // namespace ctnn
