/// @file Defines ctnn::Reduction, PyTorch's `reduction` argument of a loss ('none', 'mean',
/// 'sum'), and the machinery the losses share: shape checks and reducing per-element losses.
///
/// The reduction is part of the loss's type, `ctnn::MSELoss loss{ctnn::Reduction::Sum}` being
/// `ctnn::MSELoss<ctnn::ReductionMode::sum>`, because it changes what `loss(pred, target)`
/// returns: a scalar for Mean and Sum, the per-element losses for None (as PyTorch returns a
/// tensor for reduction='none'). Calling grad(pred, target) without an upstream gradient on a
/// None loss is then a compile error instead of a surprise at run time.
#pragma once

#include "ctnn/detail/eigen.hpp"
#include <string>
#include <string_view>
#include <type_traits>

#include "ctnn/core/error.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/detail/shape_check.hpp"

namespace ctnn {

/// What a loss does with its per-element (or per-sample) values.
enum class ReductionMode { none, mean, sum };

/// The type of ctnn::Reduction::None / Mean / Sum: carries the mode to class template
/// argument deduction.
template <ReductionMode M>
struct ReductionTag {
  static constexpr ReductionMode mode = M;
};

/// PyTorch's reduction='none' / 'mean' / 'sum', spelled `ctnn::Reduction::Sum`.
struct Reduction {
  static constexpr ReductionTag<ReductionMode::none> None{};
  static constexpr ReductionTag<ReductionMode::mean> Mean{};
  static constexpr ReductionTag<ReductionMode::sum> Sum{};
};

/// PyTorch's spelling of a mode: "none", "mean" or "sum".
constexpr std::string_view reduction_name(ReductionMode m) {
  return m == ReductionMode::none ? "none" : m == ReductionMode::mean ? "mean" : "sum";
}

namespace detail {

/// Pred and target are Eigen objects whose shapes must match (compile-time where both are
/// fixed, here where one is Dynamic). Returns false when the compile-time check has failed.
template <class Loss, class P, class T>
constexpr bool check_same_shape() {
  return check_loss_scalar<Loss, typename P::Scalar, typename T::Scalar>() &&
         check_loss_target_shape<Loss, P::RowsAtCompileTime, P::ColsAtCompileTime, T::RowsAtCompileTime,
                                 T::ColsAtCompileTime>();
}

inline std::string shape_string(Eigen::Index r, Eigen::Index c) {
  return std::to_string(r) + " x " + std::to_string(c);
}

/// The run-time half of check_same_shape, for Dynamic batch sizes.
template <class Loss, class P, class T>
void require_same_shape(const P& pred, const T& target) {
  if (pred.rows() != target.rows() || pred.cols() != target.cols())
    detail::fail(std::string("ctnn::") + std::string(Loss::repr_name) + ": the target is " +
                shape_string(target.rows(), target.cols()) + " but the prediction is " +
                shape_string(pred.rows(), pred.cols()) + "; they must have the same shape");
}

/// The run-time check of an upstream gradient for a reduction='none' loss.
template <class Loss, class G>
void require_shape(const G& g, Eigen::Index rows, Eigen::Index cols) {
  if (g.rows() != rows || g.cols() != cols)
    detail::fail(std::string("ctnn::") + std::string(Loss::repr_name) + ": the upstream gradient is " +
                shape_string(g.rows(), g.cols()) + " but the unreduced loss is " + shape_string(rows, cols));
}

}  // namespace detail
}  // namespace ctnn
