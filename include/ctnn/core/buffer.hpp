/// @file Defines ctnn::Buffer: a module's non-trainable state (PyTorch's register_buffer),
/// such as running statistics. Saved and loaded with the parameters, never touched by
/// optimizers, zero_grad or gradcheck.
#pragma once

#include <array>
#include <type_traits>

#include "ctnn/core/tensor.hpp"

namespace ctnn {

/// Rows x Cols scalars of state that is not learnt: only `value` (no grad). One column is
/// PyTorch's 1-D tensor of Rows, as for Parameter. Reflected like a parameter (a member of a
/// BOOST_HANA_DEFINE_STRUCT), it is visited by ctnn::named_buffers / ctnn::buffers.
template <class Scalar, int Rows, int Cols = 1>
struct Buffer {
  static_assert(Rows > 0 && Cols > 0, "ctnn::Buffer<Scalar, Rows, Cols>: Rows and Cols must be positive");
  static_assert(std::is_arithmetic_v<Scalar>, "ctnn::Buffer<Scalar, ...>: Scalar must be an arithmetic type");

  using scalar_type = Scalar;
  using matrix_type = Matrix<Scalar, Rows, Cols>;
  static constexpr int rows = Rows;
  static constexpr int cols = Cols;
  static constexpr int size = Rows * Cols;
  static constexpr int ndim = Cols == 1 ? 1 : 2;

  matrix_type value = detail::zero_matrix<matrix_type, Rows, Cols>();

  /// PyTorch's shape of this tensor: {Rows} or {Rows, Cols}.
  static constexpr std::array<int, ndim> shape() {
    if constexpr (ndim == 1) {
      return {Rows};
    } else {
      return {Rows, Cols};
    }
  }
};

template <class T>
inline constexpr bool is_buffer_v = false;
template <class S, int R, int C>
inline constexpr bool is_buffer_v<Buffer<S, R, C>> = true;

/// Satisfied by ctnn::Buffer<S, R, C> for any S, R, C.
template <class T>
concept BufferType = is_buffer_v<std::remove_cvref_t<T>>;

}  // namespace ctnn
