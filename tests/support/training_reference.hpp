/// @file Test helpers for the training tests: PyTorch reference tensors as ctnn matrices and
/// models, and relative errors. A PyTorch (B, F) batch is a ctnn F x B matrix (the same
/// row-major bytes); a parameter (R, C) is an R x C matrix, (R) an R x 1 one.
#pragma once

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>

#include <ctnn/core/module.hpp>

#include "reference.hpp"
#include "torch_compare.hpp"

namespace ctnn_train_test {

using ctnn_test::Reference;
using ctnn_test::Tensor;

/// Values of t (row-major) viewed as PyTorch's (B, F), returned as F x B. A 1-dim (B) tensor
/// becomes a 1 x B row (class indices, per-sample losses); a 0-dim one 1 x 1.
template <class M>
M batch_of(const Tensor& t) {
  const int B = t.ndim() == 0 ? 1 : t.dim(0);
  const int F = t.ndim() == 2 ? t.dim(1) : 1;
  if ((M::RowsAtCompileTime != Eigen::Dynamic && F != M::RowsAtCompileTime) ||
      (M::ColsAtCompileTime != Eigen::Dynamic && B != M::ColsAtCompileTime))
    throw std::runtime_error("tensor '" + t.name + "' is (" + std::to_string(B) + ", " + std::to_string(F) +
                             "), the test expects the transpose of " + std::to_string(M::RowsAtCompileTime) + " x " +
                             std::to_string(M::ColsAtCompileTime));
  M m(F, B);
  for (int b = 0; b < B; ++b)
    for (int f = 0; f < F; ++f)
      m(f, b) = static_cast<typename M::Scalar>(t.values[static_cast<std::size_t>(b) * F + static_cast<std::size_t>(f)]);
  return m;
}

// parameter-shaped tensors and loading a model's parameters (with a name prefix): the same
// helpers as the layer tests'
using ctnn_test::load_parameters;
using ctnn_test::parameter_from;
using ctnn_test::tolerance;

/// ||a - b|| / ||b|| (Frobenius), or ||a - b|| where ||b|| is zero.
template <class A, class B>
double relative_error(const Eigen::MatrixBase<A>& a, const Eigen::MatrixBase<B>& b) {
  const double diff = (a.template cast<double>() - b.template cast<double>()).norm();
  const double scale = b.template cast<double>().norm();
  return scale > 0 ? diff / scale : diff;
}
inline double relative_error(double a, double b) { return b != 0 ? std::abs(a - b) / std::abs(b) : std::abs(a); }

}  // namespace ctnn_train_test
