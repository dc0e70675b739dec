/// @file Defines ctnn::Buffer: a module's non-trainable state (PyTorch's register_buffer),
/// such as running statistics, with its PyTorch-shaped spellings ctnn::TensorBuffer,
/// ctnn::ScalarBuffer and ctnn::NonPersistentBuffer. A buffer is saved and loaded with the
/// parameters (unless it is non-persistent), and never touched by optimizers, zero_grad or
/// gradcheck.
#pragma once

#include <array>
#include <type_traits>

#include "ctnn/core/parameter.hpp"
#include "ctnn/core/tensor.hpp"

namespace ctnn {

/// State that is not learnt: only `value` (no grad), stored as Parameter's value is (Rows x
/// Cols, PyTorch's row-major flattening), with the same Ndim and Inner dimensions: one column
/// is PyTorch's 1-D tensor of Rows by default, Ndim = 0 a 0-D tensor, Ndim = 3 or 4 the tensor
/// (Rows, Inner...). Persistent = false is PyTorch's `register_buffer(..., persistent=False)`:
/// state such as a recurrent hidden state, which ctnn::named_buffers and ctnn::buffers visit
/// (a walker that resets state finds it) but which is not part of the state_dict, so files,
/// checkpoints, ctnn-embed, the architecture and summary's buffer bytes leave it out.
/// Reflected like a parameter (a member of a BOOST_HANA_DEFINE_STRUCT).
template <class Scalar, int Rows, int Cols = 1, int Ndim = (Cols == 1 ? 1 : 2), bool Persistent = true, int... Inner>
struct Buffer {
  static_assert(Rows > 0 && Cols > 0, "ctnn::Buffer<Scalar, Rows, Cols>: Rows and Cols must be positive");
  // Fix: spell tensors by their PyTorch shape, ctnn::TensorBuffer<Scalar, d0, d1, ...>.
  static_assert(detail::tensor_layout_valid<Rows, Cols, Ndim, Inner...>(),
                "ctnn::Buffer<Scalar, Rows, Cols, Ndim, Persistent, Inner...>: Ndim is 1 for a single column, 2, "
                "0 for 1 x 1, or 3 or 4 with Inner the dimensions after the first, multiplying to Cols "
                "(ctnn::TensorBuffer<Scalar, dims...> spells it)");
  static_assert(std::is_arithmetic_v<Scalar>, "ctnn::Buffer<Scalar, ...>: Scalar must be an arithmetic type");

  using scalar_type = Scalar;
  using matrix_type = Matrix<Scalar, Rows, Cols>;
  static constexpr int rows = Rows;
  static constexpr int cols = Cols;
  static constexpr int size = Rows * Cols;
  static constexpr int ndim = Ndim;
  /// In the state_dict (saved and loaded), as PyTorch's `persistent` argument.
  static constexpr bool persistent = Persistent;

  matrix_type value = detail::zero_matrix<matrix_type, Rows, Cols>();

  /// PyTorch's shape of this tensor: {} (0-D), {Rows}, {Rows, Cols}, or {Rows, Inner...}.
  static constexpr std::array<int, ndim> shape() { return detail::tensor_layout_shape<Rows, Cols, Ndim, Inner...>(); }

  /// The value of a one-element tensor (BatchNorm's num_batches_tracked), as PyTorch's item().
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
};

namespace detail {
/// The Buffer whose PyTorch shape is (Dims...).
template <class S, bool P, int... Dims>
struct tensor_buffer {
  using type = Buffer<S, 1, 1, 0, P>;
};
template <class S, bool P, int D0>
struct tensor_buffer<S, P, D0> {
  using type = Buffer<S, D0, 1, 1, P>;
};
template <class S, bool P, int D0, int D1>
struct tensor_buffer<S, P, D0, D1> {
  using type = Buffer<S, D0, D1, 2, P>;
};
template <class S, bool P, int D0, int D1, int D2, int... Ds>
struct tensor_buffer<S, P, D0, D1, D2, Ds...> {
  using type = Buffer<S, D0, D1 * D2 * (1 * ... * Ds), 3 + static_cast<int>(sizeof...(Ds)), P, D1, D2, Ds...>;
};
}  // namespace detail

/// The Buffer of PyTorch's shape (Dims...), rank 0 to 4, saved with the model:
/// TensorBuffer<float, 16> a running mean, TensorBuffer<std::int64_t> a 0-D counter.
template <class Scalar, int... Dims>
using TensorBuffer = typename detail::tensor_buffer<Scalar, true, Dims...>::type;

/// A 0-D buffer: `ctnn::ScalarBuffer<std::int64_t> num_batches_tracked` is BatchNorm's, PyTorch's
/// int64 tensor of shape ().
template <class Scalar>
using ScalarBuffer = TensorBuffer<Scalar>;

/// A buffer of PyTorch's shape (Dims...) that is not saved, PyTorch's
/// `register_buffer(name, t, persistent=False)` (a recurrent layer's hidden state).
template <class Scalar, int... Dims>
using NonPersistentBuffer = typename detail::tensor_buffer<Scalar, false, Dims...>::type;

template <class T>
inline constexpr bool is_buffer_v = false;
template <class S, int R, int C, int D, bool P, int... In>
inline constexpr bool is_buffer_v<Buffer<S, R, C, D, P, In...>> = true;

/// Satisfied by every ctnn::Buffer (any scalar, any shape, persistent or not).
template <class T>
concept BufferType = is_buffer_v<std::remove_cvref_t<T>>;

/// A Buffer that is part of the state_dict (saved, loaded, counted).
template <class T>
concept PersistentBufferType = BufferType<T> && std::remove_cvref_t<T>::persistent;

}  // namespace ctnn
