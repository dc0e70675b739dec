/// @file The state of a model (or optimizer) as a list of named slots, each of which can be
/// staged from a safetensors tensor and then committed, and written to a SafetensorsWriter.
/// Staging does every check and conversion; committing only copies, so a load that fails
/// leaves its targets exactly as they were.
#pragma once

#include <cmath>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "ctnn/core/buffer.hpp"
#include "ctnn/core/error.hpp"
#include "ctnn/core/module.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/io/detail/dtype.hpp"
#include "ctnn/io/safetensors_file.hpp"

namespace ctnn::detail {

/// "element 17" of a 1-D tensor, "element (3, 1)" of a 2-D one, "the value" of a 0-dim one.
inline std::string element_name(std::span<const std::int64_t> shape, std::size_t flat) {
  if (shape.empty()) return "the value";
  if (shape.size() == 1) return "element " + std::to_string(flat);
  std::vector<std::int64_t> index(shape.size());
  for (std::size_t d = shape.size(); d-- > 0;) {
    const auto dim = static_cast<std::size_t>(shape[d]);
    index[d] = static_cast<std::int64_t>(dim ? flat % dim : 0);
    flat = dim ? flat / dim : 0;
  }
  return "element " + ctnn::format_shape(index);
}

inline std::string format_double(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.9g", v);
  return buf;
}

/// Decodes tensor t of file f into `out` (row-major) as T, checking its kind and, for
/// floating T, that no finite value overflows T and (if asked) that every value is finite.
template <class T>
void decode_tensor(const SafetensorsFile& f, const TensorInfo& t, std::span<T> out, bool reject_non_finite,
                   const std::string& context) {
  auto fail = [&](const std::string& what) { detail::fail(context + "tensor '" + t.name + "': " + what); };
  const std::span<const std::byte> bytes = f.data(t);
  if constexpr (std::is_floating_point_v<T>) {
    if (!t.dtype || !is_floating(*t.dtype))
      fail("expected a floating-point dtype (F16, BF16, F32 or F64), found " + t.dtype_name);
    for (std::size_t i = 0; i < out.size(); ++i) {
      const double v = read_element(*t.dtype, bytes.data(), i);
      const T x = static_cast<T>(v);
      if (std::isfinite(v) && !std::isfinite(x))
        fail(element_name(t.shape, i) + " is " + format_double(v) + ", which " +
             std::string(torch_dtype_name<T>()) + " cannot hold");
      if (reject_non_finite && !std::isfinite(v))
        fail(element_name(t.shape, i) + " is " + (std::isnan(v) ? "nan" : v > 0 ? "inf" : "-inf") +
             " (the load was asked to reject non-finite values)");
      out[i] = x;
    }
  } else {
    if (t.dtype != Dtype::I64 && t.dtype != Dtype::I32) fail("expected an integer dtype (I64 or I32), found " + t.dtype_name);
    for (std::size_t i = 0; i < out.size(); ++i) {
      const std::int64_t v = read_integer(*t.dtype, bytes.data(), i);
      if (!std::in_range<T>(v)) fail(element_name(t.shape, i) + " is " + std::to_string(v) + ", out of range");
      out[i] = static_cast<T>(v);
    }
  }
}

template <class T>
constexpr std::string_view kind_name() {
  if constexpr (std::is_same_v<T, float> || std::is_same_v<T, double>) {
    return torch_dtype_name<T>();
  } else {
    return "int64";
  }
}

/// One named destination: a matrix (parameter, buffer, optimizer moment) or a scalar.
class state_slot {
 public:
  state_slot(std::string name, std::vector<std::int64_t> shape) : name_(std::move(name)), shape_(std::move(shape)) {}
  virtual ~state_slot() = default;
  const std::string& name() const { return name_; }
  const std::vector<std::int64_t>& shape() const { return shape_; }
  /// "float32 (128, 8)": what the slot takes.
  virtual std::string expected() const = 0;
  /// Checks tensor t and converts it into the slot's staging storage; throws ctnn::Error.
  virtual void stage(const SafetensorsFile& f, const TensorInfo& t, bool reject_non_finite, const std::string& context) = 0;
  /// Copies the staged values into the destination. Cannot fail.
  virtual void commit() noexcept = 0;

 protected:
  void check_shape(const TensorInfo& t, const std::string& context) const {
    if (t.shape != shape_)
      detail::fail(context + "tensor '" + name_ + "': expected shape " + ctnn::format_shape(shape_) + ", found " +
                  ctnn::format_shape(t.shape));
  }

 private:
  std::string name_;
  std::vector<std::int64_t> shape_;
};

/// PyTorch's shape of a rows x cols matrix that mirrors no Parameter or Buffer: 1-D (rows)
/// when it has one column, else 2-D (rows, cols), as ctnn::Parameter's default.
inline std::vector<std::int64_t> matrix_shape(std::int64_t rows, std::int64_t cols) {
  if (cols == 1) return {rows};
  return {rows, cols};
}

/// PyTorch's shape of a Parameter or Buffer type, any rank: T::shape().
template <class T>
std::vector<std::int64_t> torch_shape_of() {
  constexpr auto s = T::shape();
  return std::vector<std::int64_t>(s.begin(), s.end());
}

/// A matrix destination. With accept_1d_column, an (R, 1) slot also takes a 1-D (R) tensor:
/// the same elements, as ctnn's checkpoints stored one-column 2-D tensors before they kept
/// PyTorch's ndim.
template <class M>
class matrix_slot final : public state_slot {
  using T = typename M::Scalar;

 public:
  /// `shape` is PyTorch's shape of target, whose rows x cols are its row-major flattening.
  matrix_slot(std::string name, M& target, std::vector<std::int64_t> shape, bool accept_1d_column = false)
      : state_slot(std::move(name), std::move(shape)), target_(target), accept_1d_column_(accept_1d_column) {}
  std::string expected() const override { return std::string(kind_name<T>()) + " " + ctnn::format_shape(shape()); }
  void stage(const SafetensorsFile& f, const TensorInfo& t, bool reject, const std::string& context) override {
    const bool old_column = accept_1d_column_ && shape().size() == 2 && shape()[1] == 1 &&
                            t.shape == std::vector<std::int64_t>{shape()[0]};
    if (!old_column) check_shape(t, context);
    staged_.resize(t.numel);
    decode_tensor<T>(f, t, staged_, reject, context);
  }
  void commit() noexcept override {
    const Eigen::Index cols = target_.cols();
    for (Eigen::Index r = 0; r < target_.rows(); ++r)
      for (Eigen::Index c = 0; c < cols; ++c) target_(r, c) = staged_[static_cast<std::size_t>(r * cols + c)];
  }

 private:
  M& target_;
  bool accept_1d_column_;
  std::vector<T> staged_;
};

template <class T>
class scalar_slot final : public state_slot {
 public:
  scalar_slot(std::string name, T& target) : state_slot(std::move(name), {}), target_(target) {}
  std::string expected() const override { return std::string(kind_name<T>()) + " ()"; }
  void stage(const SafetensorsFile& f, const TensorInfo& t, bool reject, const std::string& context) override {
    check_shape(t, context);
    decode_tensor<T>(f, t, std::span<T>(&staged_, 1), reject, context);
  }
  void commit() noexcept override { target_ = staged_; }

 private:
  T& target_;
  T staged_{};
};

/// The slots of everything one load fills (a model; a model, an optimizer and a scheduler).
class state_list {
 public:
  template <class M>
    requires requires(M& m) { m.rows(); m.cols(); typename M::Scalar; }
  void add(std::string name, M& target, std::vector<std::int64_t> shape, bool accept_1d_column = false) {
    slots_.push_back(std::make_unique<matrix_slot<M>>(std::move(name), target, std::move(shape), accept_1d_column));
  }
  template <class T>
    requires std::same_as<T, double> || std::same_as<T, std::int64_t>
  void add(std::string name, T& target) {
    slots_.push_back(std::make_unique<scalar_slot<T>>(std::move(name), target));
  }
  std::vector<std::unique_ptr<state_slot>>& slots() { return slots_; }

 private:
  std::vector<std::unique_ptr<state_slot>> slots_;
};

/// Every parameter, then every persistent buffer, of model, under prefix + its state_dict
/// name (a shared one under each of its names) and with its PyTorch shape (accept_1d_column: see matrix_slot).
template <class Model>
void add_model_state(Model& model, const std::string& prefix, state_list& out, bool accept_1d_column = false) {
  named_state_parameters(model, [&](std::string_view name, auto& p) {
    out.add(prefix + std::string(name), p.value, torch_shape_of<std::remove_cvref_t<decltype(p)>>(), accept_1d_column);
  });
  named_state_buffers(model, [&](std::string_view name, auto& b) {
    if constexpr (PersistentBufferType<decltype(b)>)
      out.add(prefix + std::string(name), b.value, torch_shape_of<std::remove_cvref_t<decltype(b)>>(), accept_1d_column);
  });
}

/// Adds a matrix to writer as PyTorch's row-major tensor of the given shape (by default
/// matrix_shape: 1-D when it has one column), converted to `dtype` (the matrix's own when empty).
template <class M>
void write_matrix(SafetensorsWriter& writer, std::string name, const M& m, std::optional<Dtype> dtype,
                  std::optional<std::vector<std::int64_t>> shape = std::nullopt) {
  using T = typename M::Scalar;
  std::vector<T> values(static_cast<std::size_t>(m.size()));
  const Eigen::Index cols = m.cols();
  for (Eigen::Index r = 0; r < m.rows(); ++r)
    for (Eigen::Index c = 0; c < cols; ++c) values[static_cast<std::size_t>(r * cols + c)] = m(r, c);
  Dtype d = dtype_of<std::conditional_t<std::is_floating_point_v<T>, T, std::int64_t>>();
  if constexpr (std::is_floating_point_v<T>) {
    if (dtype) d = *dtype;
  }
  writer.add_values<T>(std::move(name), d, shape ? std::move(*shape) : matrix_shape(m.rows(), m.cols()), values);
}

/// Writes every parameter and persistent buffer of model under prefix + its state_dict name,
/// with its PyTorch shape.
template <class Model>
void write_model_state(const Model& model, const std::string& prefix, SafetensorsWriter& writer,
                       std::optional<Dtype> dtype) {
  named_state_parameters(model, [&](std::string_view name, const auto& p) {
    write_matrix(writer, prefix + std::string(name), p.value, dtype, torch_shape_of<std::remove_cvref_t<decltype(p)>>());
  });
  named_state_buffers(model, [&](std::string_view name, const auto& b) {
    if constexpr (PersistentBufferType<decltype(b)>)
      write_matrix(writer, prefix + std::string(name), b.value, dtype, torch_shape_of<std::remove_cvref_t<decltype(b)>>());
  });
}

}  // namespace ctnn::detail
