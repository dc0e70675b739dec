/// @file Defines ctnn::BCELoss (on probabilities) and ctnn::BCEWithLogitsLoss (on logits), as
/// torch.nn.BCELoss and torch.nn.BCEWithLogitsLoss: l = -w (y log p + (1 - y) log(1 - p)).
///
/// `weight` (both) and `pos_weight` (BCEWithLogitsLoss) hold one value per feature (row), as
/// PyTorch's tensors of shape (C) broadcast over the batch; empty means none. Mean divides by
/// the number of elements whatever the weights, as PyTorch.
#pragma once

#include <algorithm>
#include <cmath>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ctnn/core/error.hpp"
#include "ctnn/layers/activations.hpp"
#include "ctnn/loss/elementwise.hpp"

namespace ctnn {

namespace detail {
/// A per-feature weight (1 where none is given), and the check that there is one per row.
inline double feature_weight(const std::vector<double>& w, Eigen::Index row) {
  return w.empty() ? 1.0 : w[static_cast<std::size_t>(row)];
}
inline void check_feature_weights(std::string_view loss, std::string_view what, const std::vector<double>& w,
                                  Eigen::Index rows) {
  if (!w.empty() && static_cast<Eigen::Index>(w.size()) != rows)
    detail::fail("ctnn::" + std::string(loss) + ": " + std::string(what) + " holds " + std::to_string(w.size()) +
                " values but the prediction has " + std::to_string(rows) + " features");
}
}  // namespace detail

/// BCELoss{Reduction::Mean, {.weight = {1, 2, 1}}}: one weight per feature.
struct BCELossOptions {
  std::vector<double> weight = {};
};

/// BCEWithLogitsLoss{Reduction::Mean, {.weight = {...}, .pos_weight = {...}}}: per feature.
struct BCEWithLogitsLossOptions {
  std::vector<double> weight = {};
  std::vector<double> pos_weight = {};
};

/// torch.nn.BCELoss(weight, reduction) on probabilities p in [0, 1] (a Sigmoid's output): each
/// log is clamped to >= -100, as PyTorch does, so p = 0 or 1 gives a finite loss. Prefer
/// BCEWithLogitsLoss on logits: it is exact where the sigmoid saturates.
template <ReductionMode R = ReductionMode::mean>
struct BCELoss : ElementwiseLoss<BCELoss<R>, R> {
  using Options = BCELossOptions;
  std::vector<double> weight;

  BCELoss() = default;
  explicit BCELoss(ReductionTag<R>) {}
  BCELoss(ReductionTag<R>, Options o) : weight(std::move(o.weight)) {}

  template <class S>
  S value(S p, S y, Eigen::Index row) const {
    const S l = (y - S(1)) * std::max(S(std::log1p(-p)), S(-100)) - y * std::max(S(std::log(p)), S(-100));
    return weight.empty() ? l : S(detail::feature_weight(weight, row)) * l;
  }
  // dl/dp = w (p - y) / (p (1 - p)), the denominator kept >= 1e-12 as in PyTorch
  template <class S>
  S derivative(S p, S y, Eigen::Index row) const {
    const S d = (p - y) / std::max((S(1) - p) * p, S(1e-12));
    return weight.empty() ? d : S(detail::feature_weight(weight, row)) * d;
  }

  template <class P, class T>
  void check_values(const P& pred, const T&) const {
    detail::check_feature_weights(repr_name, "weight", weight, pred.rows());
    for (Eigen::Index j = 0; j < pred.cols(); ++j)
      for (Eigen::Index i = 0; i < pred.rows(); ++i)
        if (!(pred(i, j) >= 0 && pred(i, j) <= 1))
          detail::fail("ctnn::BCELoss: every prediction must be a probability in [0, 1], but element (" +
                      std::to_string(i) + ", " + std::to_string(j) + ") is " + std::to_string(pred(i, j)) +
                      " (use BCEWithLogitsLoss on logits)");
  }

  static constexpr std::string_view repr_name = "BCELoss";
};

/// torch.nn.BCEWithLogitsLoss(weight, reduction, pos_weight) on logits x: BCELoss(sigmoid(x), y)
/// in a form that stays exact for |x| up to 1e4,
///   l = w ((1 - y) x + (1 + (pos_weight - 1) y) (max(-x, 0) + log(1 + exp(-|x|)))),
/// which is max(x, 0) - x y + log(1 + exp(-|x|)) without weights.
template <ReductionMode R = ReductionMode::mean>
struct BCEWithLogitsLoss : ElementwiseLoss<BCEWithLogitsLoss<R>, R> {
  using Options = BCEWithLogitsLossOptions;
  std::vector<double> weight;
  /// Weight of the positive term, per feature (class): > 1 raises recall.
  std::vector<double> pos_weight;

  BCEWithLogitsLoss() = default;
  explicit BCEWithLogitsLoss(ReductionTag<R>) {}
  BCEWithLogitsLoss(ReductionTag<R>, Options o) : weight(std::move(o.weight)), pos_weight(std::move(o.pos_weight)) {}

  template <class S>
  S value(S x, S y, Eigen::Index row) const {
    const S softplus_neg = std::max(-x, S(0)) + std::log1p(std::exp(-std::abs(x)));  // log(1 + exp(-x))
    const S pw = S(detail::feature_weight(pos_weight, row));
    const S l = (S(1) - y) * x + (S(1) + (pw - S(1)) * y) * softplus_neg;
    return weight.empty() ? l : S(detail::feature_weight(weight, row)) * l;
  }
  // dl/dx = w ((1 + (pos_weight - 1) y) sigmoid(x) - pos_weight y), sigmoid(x) - y without weights
  template <class S>
  S derivative(S x, S y, Eigen::Index row) const {
    const S pw = S(detail::feature_weight(pos_weight, row));
    const S d = pos_weight.empty() ? detail::stable_sigmoid(x) - y
                                   : (S(1) + (pw - S(1)) * y) * detail::stable_sigmoid(x) - pw * y;
    return weight.empty() ? d : S(detail::feature_weight(weight, row)) * d;
  }

  template <class P, class T>
  void check_values(const P& pred, const T&) const {
    detail::check_feature_weights(repr_name, "weight", weight, pred.rows());
    detail::check_feature_weights(repr_name, "pos_weight", pos_weight, pred.rows());
  }

  static constexpr std::string_view repr_name = "BCEWithLogitsLoss";
};

}  // namespace ctnn
