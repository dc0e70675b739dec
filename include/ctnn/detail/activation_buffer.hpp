/// @file Defines detail::ActivationBuffer: the storage behind one of Sequential's kept
/// activations. It is raw, aligned and typed only when viewed, so a Sequential of
/// parameter-free layers works in whatever scalar arrives; it grows when a larger batch
/// arrives and never shrinks, so a steady batch size allocates nothing.
#pragma once

#include "ctnn/detail/eigen.hpp"
#include <cstddef>
#include <cstring>
#include <new>

namespace ctnn::detail {

class ActivationBuffer {
 public:
  static constexpr std::size_t alignment = 64;

  ActivationBuffer() = default;
  /// Room for `scalars` doubles from the start (one sample of a known width).
  explicit ActivationBuffer(std::size_t scalars) { grow(scalars * sizeof(double)); }
  ActivationBuffer(const ActivationBuffer& other) : rows_(other.rows_), cols_(other.cols_), elem_(other.elem_) {
    grow(other.capacity_);
    if (other.capacity_ != 0) std::memcpy(data_, other.data_, other.capacity_);
  }
  ActivationBuffer(ActivationBuffer&& other) noexcept { swap(other); }
  ActivationBuffer& operator=(ActivationBuffer other) noexcept {
    swap(other);
    return *this;
  }
  ~ActivationBuffer() { release(); }

  /// Views the buffer as a rows x cols matrix of S with compile-time shape (R, C), growing
  /// it first if needed.
  template <class S, int R, int C>
  Eigen::Map<Eigen::Matrix<S, R, C>, Eigen::Aligned64> shape(Eigen::Index rows, Eigen::Index cols) {
    const std::size_t bytes = static_cast<std::size_t>(rows * cols) * sizeof(S);
    if (bytes > capacity_) grow(bytes);
    rows_ = rows;
    cols_ = cols;
    elem_ = sizeof(S);
    return view<S, R, C>();
  }

  /// The last shape given, as a matrix of S.
  template <class S, int R, int C>
  Eigen::Map<Eigen::Matrix<S, R, C>, Eigen::Aligned64> view() {
    return {reinterpret_cast<S*>(data_), rows_, cols_};
  }
  /// The bytes as a rows x cols matrix of S (rows x cols = the last shape's size: a reshape).
  template <class S, int R, int C>
  Eigen::Map<Eigen::Matrix<S, R, C>, Eigen::Aligned64> view(Eigen::Index rows, Eigen::Index cols) const {
    return {reinterpret_cast<S*>(data_), rows, cols};
  }

  Eigen::Index rows() const { return rows_; }
  Eigen::Index cols() const { return cols_; }
  /// sizeof the scalar last stored (0 before the first forward).
  std::size_t element_size() const { return elem_; }

 private:
  void grow(std::size_t bytes) {
    bytes = (bytes + alignment - 1) / alignment * alignment;
    if (bytes == 0) return;
    void* fresh = ::operator new(bytes, std::align_val_t{alignment});
    release();
    data_ = static_cast<std::byte*>(fresh);
    capacity_ = bytes;
  }
  void release() noexcept {
    if (data_) ::operator delete(data_, std::align_val_t{alignment});
    data_ = nullptr;
    capacity_ = 0;
  }
  void swap(ActivationBuffer& o) noexcept {
    std::swap(data_, o.data_);
    std::swap(capacity_, o.capacity_);
    std::swap(rows_, o.rows_);
    std::swap(cols_, o.cols_);
    std::swap(elem_, o.elem_);
  }

  std::byte* data_ = nullptr;
  std::size_t capacity_ = 0;
  Eigen::Index rows_ = 0;
  Eigen::Index cols_ = 0;
  std::size_t elem_ = 0;
};

}  // namespace ctnn::detail
