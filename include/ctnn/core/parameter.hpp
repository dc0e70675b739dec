/// @file Defines ctnn::Parameter (torch.nn.Parameter), its PyTorch-shaped spellings
/// ctnn::TensorParameter and ctnn::ScalarParameter, and ctnn::NoParameter (a parameter
/// registered as None, e.g. Linear's bias when bias=False).
///
/// A tensor of any rank from 0 to 4 is stored as one matrix: its first dimension are the rows,
/// the product of the others the columns, which is PyTorch's row-major flattening (a Conv2d
/// weight (8, 3, 3, 3) is 8 x 27, element [o][i][y][x] at (o, i * 9 + y * 3 + x)); a 0-D
/// tensor is 1 x 1. The PyTorch shape is a compile-time value, `shape()`.
#pragma once

#include <array>
#include <type_traits>

#include "ctnn/core/tensor.hpp"

namespace ctnn {

namespace detail {

/// Whether Rows x Cols storage with Ndim dimensions (Inner: the dimensions after the first,
/// when Ndim is 3 or 4) describes a tensor: see Parameter.
template <int Rows, int Cols, int Ndim, int... Inner>
constexpr bool tensor_layout_valid() {
  if (Rows <= 0 || Cols <= 0 || Ndim < 0 || Ndim > 4) return false;
  if (Ndim == 0) return Rows == 1 && Cols == 1 && sizeof...(Inner) == 0;
  if (Ndim == 1) return Cols == 1 && sizeof...(Inner) == 0;
  if (Ndim == 2) return sizeof...(Inner) == 0;
  return static_cast<int>(sizeof...(Inner)) == Ndim - 1 && ((Inner > 0) && ...) && (1 * ... * Inner) == Cols;
}

/// PyTorch's shape of that tensor: (), (Rows), (Rows, Cols) or (Rows, Inner...).
template <int Rows, int Cols, int Ndim, int... Inner>
constexpr std::array<int, Ndim> tensor_layout_shape() {
  if constexpr (Ndim == 0) {
    return {};
  } else if constexpr (Ndim == 1) {
    return {Rows};
  } else if constexpr (Ndim == 2) {
    return {Rows, Cols};
  } else {
    return {Rows, Inner...};
  }
}

}  // namespace detail

/// A trainable tensor: `value`, and `grad`, which backward adds to until zero_grad (as PyTorch
/// accumulates .grad), both Rows x Cols matrices. By default a Parameter with one column is
/// PyTorch's 1-D tensor of Rows (a bias), and one with more columns the 2-D tensor
/// (Rows, Cols), so `value(r, c)` is PyTorch's `p[r][c]`; Ndim = 2 makes a one-column
/// Parameter the 2-D tensor (Rows, 1), as the weight of nn.Linear(1, Out). Ndim = 0 is a 0-D
/// tensor (Rows = Cols = 1), and Ndim = 3 or 4 a tensor (Rows, Inner...) whose Inner
/// dimensions multiply to Cols; spell those with TensorParameter<Scalar, dims...>.
/// `requires_grad = false` freezes it: backward leaves its grad alone and optimizers skip it.
template <class Scalar, int Rows, int Cols = 1, int Ndim = (Cols == 1 ? 1 : 2), int... Inner>
struct Parameter {
  static_assert(Rows > 0 && Cols > 0, "ctnn::Parameter<Scalar, Rows, Cols>: Rows and Cols must be positive");
  // Fix: spell tensors by their PyTorch shape, ctnn::TensorParameter<Scalar, d0, d1, ...>.
  static_assert(detail::tensor_layout_valid<Rows, Cols, Ndim, Inner...>(),
                "ctnn::Parameter<Scalar, Rows, Cols, Ndim, Inner...>: Ndim is 1 for a single column, 2, 0 for "
                "1 x 1, or 3 or 4 with Inner the dimensions after the first, multiplying to Cols "
                "(ctnn::TensorParameter<Scalar, dims...> spells it)");
  static_assert(std::is_floating_point_v<Scalar>, "ctnn::Parameter<Scalar, ...>: Scalar must be float or double");

  using scalar_type = Scalar;
  using matrix_type = Matrix<Scalar, Rows, Cols>;
  /// Rows and columns of the stored matrix: the first dimension, and the product of the others.
  static constexpr int rows = Rows;
  static constexpr int cols = Cols;
  /// Number of elements, PyTorch's numel().
  static constexpr int size = Rows * Cols;
  /// Number of dimensions of the PyTorch tensor, PyTorch's dim().
  static constexpr int ndim = Ndim;

  matrix_type value = detail::zero_matrix<matrix_type, Rows, Cols>();
  matrix_type grad = detail::zero_matrix<matrix_type, Rows, Cols>();
  bool requires_grad = true;

  /// PyTorch's shape of this tensor: {} (0-D), {Rows}, {Rows, Cols}, or {Rows, Inner...}.
  static constexpr std::array<int, ndim> shape() { return detail::tensor_layout_shape<Rows, Cols, Ndim, Inner...>(); }

  /// The value of a one-element tensor (a 0-D temperature), as PyTorch's item().
  Scalar& item()
    requires(size == 1)
  {
    return value(0, 0);
  }
  const Scalar& item() const
    requires(size == 1)
  {
    return value(0, 0);
  }

  void zero_grad() { grad.setZero(); }
};

namespace detail {
/// The Parameter whose PyTorch shape is (Dims...).
template <class S, int... Dims>
struct tensor_parameter {
  using type = Parameter<S, 1, 1, 0>;
};
template <class S, int D0>
struct tensor_parameter<S, D0> {
  using type = Parameter<S, D0, 1, 1>;
};
template <class S, int D0, int D1>
struct tensor_parameter<S, D0, D1> {
  using type = Parameter<S, D0, D1, 2>;
};
template <class S, int D0, int D1, int D2, int... Ds>
struct tensor_parameter<S, D0, D1, D2, Ds...> {
  using type = Parameter<S, D0, D1 * D2 * (1 * ... * Ds), 3 + static_cast<int>(sizeof...(Ds)), D1, D2, Ds...>;
};
}  // namespace detail

/// The Parameter of PyTorch's shape (Dims...), rank 0 to 4: TensorParameter<float, 8, 3, 3, 3>
/// is a Conv2d weight (out, in / groups, kH, kW), TensorParameter<float, 16> a bias,
/// TensorParameter<float, 8, 1> the 2-D (8, 1), TensorParameter<float> a 0-D tensor.
template <class Scalar, int... Dims>
using TensorParameter = typename detail::tensor_parameter<Scalar, Dims...>::type;

/// A 0-D parameter, PyTorch's `nn.Parameter(torch.tensor(1.))` (a learnable temperature):
/// shape (), one element, `item()`.
template <class Scalar>
using ScalarParameter = TensorParameter<Scalar>;

/// A parameter slot that holds nothing, as PyTorch's `register_parameter('bias', None)`:
/// reflection skips it, so it has no name, no count and no gradient.
struct NoParameter {};

/// Parameter<Scalar, Rows, Cols> when Enabled, NoParameter otherwise.
template <bool Enabled, class Scalar, int Rows, int Cols = 1>
using OptionalParameter = std::conditional_t<Enabled, Parameter<Scalar, Rows, Cols>, NoParameter>;

template <class T>
inline constexpr bool is_parameter_v = false;
template <class S, int R, int C, int D, int... In>
inline constexpr bool is_parameter_v<Parameter<S, R, C, D, In...>> = true;

/// Satisfied by every ctnn::Parameter (any scalar, any shape).
template <class T>
concept ParameterType = is_parameter_v<std::remove_cvref_t<T>>;

}  // namespace ctnn
