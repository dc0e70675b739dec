/// @file Defines ctnn::Parameter (torch.nn.Parameter) and ctnn::NoParameter (a parameter
/// registered as None, e.g. Linear's bias when bias=False).
#pragma once

#include <array>
#include <type_traits>

#include "ctnn/core/tensor.hpp"

namespace ctnn {

/// A trainable tensor of Rows x Cols scalars: `value`, and `grad`, which backward adds to
/// until zero_grad (as PyTorch accumulates .grad). By default a Parameter with one column is
/// PyTorch's 1-D tensor of Rows (a bias), and one with more columns the 2-D tensor
/// (Rows, Cols), so `value(r, c)` is PyTorch's `p[r][c]`; Ndim = 2 makes a one-column
/// Parameter the 2-D tensor (Rows, 1), as the weight of nn.Linear(1, Out).
/// `requires_grad = false` freezes it: backward leaves its grad alone and optimizers skip it.
template <class Scalar, int Rows, int Cols = 1, int Ndim = (Cols == 1 ? 1 : 2)>
struct Parameter {
  static_assert(Rows > 0 && Cols > 0, "ctnn::Parameter<Scalar, Rows, Cols>: Rows and Cols must be positive");
  static_assert(Ndim == 2 || (Ndim == 1 && Cols == 1),
                "ctnn::Parameter<Scalar, Rows, Cols, Ndim>: Ndim is 2, or 1 for a single column");
  static_assert(std::is_floating_point_v<Scalar>, "ctnn::Parameter<Scalar, ...>: Scalar must be float or double");

  using scalar_type = Scalar;
  using matrix_type = Matrix<Scalar, Rows, Cols>;
  static constexpr int rows = Rows;
  static constexpr int cols = Cols;
  static constexpr int size = Rows * Cols;
  /// Number of dimensions of the PyTorch tensor.
  static constexpr int ndim = Ndim;

  matrix_type value = detail::zero_matrix<matrix_type, Rows, Cols>();
  matrix_type grad = detail::zero_matrix<matrix_type, Rows, Cols>();
  bool requires_grad = true;

  /// PyTorch's shape of this tensor: {Rows} or {Rows, Cols}.
  static constexpr std::array<int, ndim> shape() {
    if constexpr (ndim == 1) {
      return {Rows};
    } else {
      return {Rows, Cols};
    }
  }

  void zero_grad() { grad.setZero(); }
};

/// A parameter slot that holds nothing, as PyTorch's `register_parameter('bias', None)`:
/// reflection skips it, so it has no name, no count and no gradient.
struct NoParameter {};

/// Parameter<Scalar, Rows, Cols> when Enabled, NoParameter otherwise.
template <bool Enabled, class Scalar, int Rows, int Cols = 1>
using OptionalParameter = std::conditional_t<Enabled, Parameter<Scalar, Rows, Cols>, NoParameter>;

template <class T>
inline constexpr bool is_parameter_v = false;
template <class S, int R, int C, int D>
inline constexpr bool is_parameter_v<Parameter<S, R, C, D>> = true;

/// Satisfied by ctnn::Parameter<S, R, C> for any S, R, C.
template <class T>
concept ParameterType = is_parameter_v<std::remove_cvref_t<T>>;

}  // namespace ctnn
