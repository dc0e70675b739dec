/// @file Defines ctnn::Flatten and ctnn::Unflatten: torch.nn.Flatten() (start_dim=1,
/// end_dim=-1) and torch.nn.Unflatten(1, sizes). They change a sample's shape, never its
/// bytes: a sample is its elements in row-major order whatever its shape, so both are the
/// identity on the data (a Sequential keeps one buffer for both sides).
#pragma once

#include <Eigen/Core>
#include <string>
#include <string_view>

#include "ctnn/core/shape.hpp"
#include "ctnn/core/tensor.hpp"

namespace ctnn {

namespace detail {
/// The data of a reshaping layer: y = x, dx = dy.
struct reshape_only {
  static constexpr int in_features = any;
  static constexpr int out_features = any;
  /// Tells Sequential that the output is the input's bytes (it shares their buffer).
  static constexpr bool reshapes_only = true;

  template <class X>
  batch_like<X, X::RowsAtCompileTime> forward(const Eigen::MatrixBase<X>& x) const {
    return x;
  }
  template <class X, class Y, class G>
  batch_like<G, G::RowsAtCompileTime> backward(const Eigen::MatrixBase<X>&, const Eigen::MatrixBase<Y>&,
                                               const Eigen::MatrixBase<G>& dy) const {
    return dy;
  }
};
}  // namespace detail

/// torch.nn.Flatten(): (C, L) -> (C L), (C, H, W) -> (C H W); a flat sample stays as it is.
struct Flatten : detail::reshape_only {
  // shape rule: one dimension holding every element
  static constexpr bool accepts(Shape) { return true; }
  static constexpr Shape output_shape(Shape s) { return s.known() ? Shape(s.size()) : s; }

  static constexpr std::string_view repr_name = "Flatten";
  std::string extra_repr() const { return "start_dim=1, end_dim=-1"; }
};

/// torch.nn.Unflatten(1, (Dims...)): the sample's first dimension becomes Dims...
/// ((400) -> (4, 100) for Unflatten<4, 100>; (8, 50) -> (2, 4, 50) for Unflatten<2, 4>).
template <int... Dims>
struct Unflatten : detail::reshape_only {
  static_assert(sizeof...(Dims) >= 1 && ((Dims > 0) && ...), "ctnn::Unflatten<Dims...>: give positive sizes");
  static constexpr int product = (1 * ... * Dims);
  /// Without another shape, a flat sample of all the elements: (product).
  static constexpr Shape in_shape = Shape(product);

  // shape rule: the first dimension, of Dims' product, becomes Dims...
  static constexpr bool accepts(Shape s) {
    return s.known() && s[0] == product && s.rank - 1 + static_cast<int>(sizeof...(Dims)) <= max_rank;
  }
  static constexpr Shape output_shape(Shape s) {
    if (!s.known()) return Shape(Dims...);
    Shape r(Dims...);
    for (int i = 1; i < s.rank && r.rank < max_rank; ++i) r.dims[r.rank++] = s[i];
    return r;
  }
  static constexpr Shape expected_input(Shape s) {
    if (!s.known()) return Shape(product);
    s.dims[0] = product;
    return s;
  }

  static constexpr std::string_view repr_name = "Unflatten";
  std::string extra_repr() const {
    std::string sizes;
    ((sizes += (sizes.empty() ? "" : ", ") + std::to_string(Dims)), ...);
    return "dim=1, unflattened_size=(" + sizes + (sizeof...(Dims) == 1 ? ",)" : ")");
  }
};

}  // namespace ctnn
