/// @file Defines detail::columns_of: a batch of samples (elements x B, each sample row-major)
/// seen as Rows x (elements / Rows * B), which is how a layer acting on the last dimension
/// (Linear on a (T, F) sample) sees it: column t + T j is step t of sample j. Same bytes, no
/// copy, when the batch is stored contiguously (Sequential's buffers, a plain matrix).
#pragma once

#include <Eigen/Core>
#include <type_traits>

namespace ctnn::detail {

/// X is stored contiguously, column after column (a plain matrix or a Map with no stride).
template <class X>
struct is_contiguous : std::is_base_of<Eigen::PlainObjectBase<X>, X> {};
template <class P, int O>
struct is_contiguous<Eigen::Map<P, O, Eigen::Stride<0, 0>>> : std::true_type {};
template <class X>
inline constexpr bool contiguous_storage = is_contiguous<std::remove_const_t<X>>::value;

/// Columns of the view of X with Rows rows (Dynamic when X's columns are).
template <class X, int Rows>
inline constexpr int view_cols = X::ColsAtCompileTime == Eigen::Dynamic || X::RowsAtCompileTime == Eigen::Dynamic
                                     ? Eigen::Dynamic
                                     : X::RowsAtCompileTime / Rows * X::ColsAtCompileTime;

/// x (contiguous) as Rows x (x.size() / Rows).
template <int Rows, class X>
auto columns_of(const X& x) {
  static_assert(contiguous_storage<X>, "ctnn: columns_of needs contiguous storage");
  using S = typename X::Scalar;
  return Eigen::Map<const Eigen::Matrix<S, Rows, view_cols<X, Rows>>>(x.data(), Rows, x.size() / Rows);
}
template <int Rows, class X>
auto columns_of(X& x) {
  static_assert(contiguous_storage<X>, "ctnn: columns_of needs contiguous storage");
  using S = typename X::Scalar;
  return Eigen::Map<Eigen::Matrix<S, Rows, view_cols<X, Rows>>>(x.data(), Rows, x.size() / Rows);
}

/// x itself when it is stored contiguously, else a contiguous copy.
template <class X>
decltype(auto) contiguous(const Eigen::MatrixBase<X>& x) {
  if constexpr (contiguous_storage<X>) {
    return x.derived();
  } else {
    return typename X::PlainObject(x);
  }
}

}  // namespace ctnn::detail
