/// @file Defines ctnn::BCELoss (on probabilities) and ctnn::BCEWithLogitsLoss (on logits), as
/// torch.nn.BCELoss and torch.nn.BCEWithLogitsLoss: l = -(y log p + (1 - y) log(1 - p)).
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>

#include "ctnn/core/error.hpp"
#include "ctnn/layers/activations.hpp"
#include "ctnn/loss/elementwise.hpp"

namespace ctnn {

/// torch.nn.BCELoss(reduction) on probabilities p in [0, 1] (a Sigmoid's output): each log is
/// clamped to >= -100, as PyTorch does, so p = 0 or 1 gives a finite loss. Prefer
/// BCEWithLogitsLoss on logits: it is exact where the sigmoid saturates.
template <ReductionMode R = ReductionMode::mean>
struct BCELoss : ElementwiseLoss<BCELoss<R>, R> {
  constexpr BCELoss() = default;
  constexpr explicit BCELoss(ReductionTag<R>) {}

  template <class S>
  S value(S p, S y) const {
    return (y - S(1)) * std::max(S(std::log1p(-p)), S(-100)) - y * std::max(S(std::log(p)), S(-100));
  }
  // dl/dp = (p - y) / (p (1 - p)), the denominator kept >= 1e-12 as in PyTorch
  template <class S>
  S derivative(S p, S y) const {
    return (p - y) / std::max((S(1) - p) * p, S(1e-12));
  }

  template <class P, class T>
  void check_values(const P& pred, const T&) const {
    for (Eigen::Index j = 0; j < pred.cols(); ++j)
      for (Eigen::Index i = 0; i < pred.rows(); ++i)
        if (!(pred(i, j) >= 0 && pred(i, j) <= 1))
          throw Error("ctnn::BCELoss: every prediction must be a probability in [0, 1], but element (" +
                      std::to_string(i) + ", " + std::to_string(j) + ") is " + std::to_string(pred(i, j)) +
                      " (use BCEWithLogitsLoss on logits)");
  }

  static constexpr std::string_view repr_name = "BCELoss";
};

/// torch.nn.BCEWithLogitsLoss(reduction) on logits x: BCELoss(sigmoid(x), y) in a form that
/// stays exact for |x| up to 1e4: l = max(x, 0) - x y + log(1 + exp(-|x|)).
template <ReductionMode R = ReductionMode::mean>
struct BCEWithLogitsLoss : ElementwiseLoss<BCEWithLogitsLoss<R>, R> {
  constexpr BCEWithLogitsLoss() = default;
  constexpr explicit BCEWithLogitsLoss(ReductionTag<R>) {}

  template <class S>
  S value(S x, S y) const {
    return std::max(x, S(0)) - x * y + std::log1p(std::exp(-std::abs(x)));
  }
  // dl/dx = sigmoid(x) - y
  template <class S>
  S derivative(S x, S y) const {
    return detail::stable_sigmoid(x) - y;
  }

  static constexpr std::string_view repr_name = "BCEWithLogitsLoss";
};

}  // namespace ctnn
