/// @file Test helpers: moving PyTorch reference tensors into ctnn models and matrices, and
/// comparing results with PyTorch's.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <stdexcept>
#include <string>

#include <ctnn/core/module.hpp>

#include "reference.hpp"

namespace ctnn_test {

/// A PyTorch (B, ...) batch (or one (F) vector) as a ctnn F x B matrix, F the elements of one
/// sample: the same row-major bytes.
template <class M>
M batch_from(const Tensor& t) {
  const int B = t.ndim() >= 2 ? t.dim(0) : 1;
  const int F = static_cast<int>(t.numel()) / B;
  if (M::RowsAtCompileTime != Eigen::Dynamic && F != M::RowsAtCompileTime)
    throw std::runtime_error("tensor '" + t.name + "' has " + std::to_string(F) + " features, the test expects " +
                             std::to_string(M::RowsAtCompileTime));
  if (M::ColsAtCompileTime != Eigen::Dynamic && B != M::ColsAtCompileTime)
    throw std::runtime_error("tensor '" + t.name + "' has " + std::to_string(B) + " samples, the test expects " +
                             std::to_string(M::ColsAtCompileTime));
  M m(F, B);
  for (int b = 0; b < B; ++b)
    for (int f = 0; f < F; ++f) m(f, b) = static_cast<typename M::Scalar>(t.values[static_cast<std::size_t>(b * F + f)]);
  return m;
}

/// A PyTorch parameter tensor ((R, C) row-major, or (R) for one column) as an R x C matrix.
template <class M>
M parameter_from(const Tensor& t, Eigen::Index rows, Eigen::Index cols) {
  const std::size_t expected = static_cast<std::size_t>(rows * cols);
  if (t.numel() != expected)
    throw std::runtime_error("tensor '" + t.name + "' has " + std::to_string(t.numel()) + " values, expected " +
                             std::to_string(expected));
  M m(rows, cols);
  for (Eigen::Index r = 0; r < rows; ++r)
    for (Eigen::Index c = 0; c < cols; ++c)
      m(r, c) = static_cast<typename M::Scalar>(t.values[static_cast<std::size_t>(r * cols + c)]);
  return m;
}

/// Copies every parameter of model from the reference tensor named prefix + its state_dict name.
template <class Model>
void load_parameters(Model& model, const Reference& ref, const std::string& prefix = "") {
  ctnn::named_parameters(model, [&](std::string_view name, auto& p) {
    using M = std::remove_cvref_t<decltype(p.value)>;
    p.value = parameter_from<M>(ref.tensor(prefix + std::string(name)), p.value.rows(), p.value.cols());
  });
}

/// ||a - b|| / max(||b||, 1): relative error, absolute for tensors of norm below 1.
template <class A, class B>
double relative_error(const Eigen::MatrixBase<A>& a, const Eigen::MatrixBase<B>& b) {
  const auto ad = a.template cast<double>().eval();
  const auto bd = b.template cast<double>().eval();
  if (ad.rows() != bd.rows() || ad.cols() != bd.cols()) return INFINITY;
  return (ad - bd).norm() / std::max(bd.norm(), 1.0);
}

/// Tolerance for comparing with float64 references: 1e-5 in float, 1e-10 in double.
template <class S>
inline constexpr double tolerance = sizeof(S) == 4 ? 1e-5 : 1e-10;

}  // namespace ctnn_test
