/// @file Defines ctnn::CrossEntropyLoss (on logits) and ctnn::NLLLoss (on log-probabilities),
/// as torch.nn.CrossEntropyLoss and torch.nn.NLLLoss, with class-index targets.
///
/// The prediction is C x B (C classes, sample j = column j). Class-index targets are one
/// integer row of B indices, `ctnn::ClassIndices<B>` (Eigen::Matrix<int, 1, B>) or any Eigen
/// row of an integer type: PyTorch's (B,) tensor of class indices. CrossEntropyLoss also takes
/// class probabilities, a floating C x B target (PyTorch's soft targets). Per-sample losses
/// (Reduction::None) are a 1 x B row.
#pragma once

#include "ctnn/detail/eigen.hpp"
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "ctnn/core/error.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/layers/activations.hpp"
#include "ctnn/loss/reduction.hpp"

namespace ctnn {

/// B class indices, one per sample: the targets of CrossEntropyLoss and NLLLoss.
template <int B>
using ClassIndices = Eigen::Matrix<int, 1, B>;

namespace detail {

template <class T>
inline constexpr bool integer_targets = std::is_integral_v<typename T::Scalar>;

/// Base of the two class-index losses: the class weights, ignore_index, target checks.
template <class Derived, ReductionMode R>
struct ClassLoss {
  static constexpr ReductionMode reduction = R;
  /// PyTorch's `weight`: a rescaling weight per class, C of them; empty means 1 for every class.
  std::vector<double> weight;
  /// Samples whose target is ignore_index add nothing, and Mean does not count them.
  std::int64_t ignore_index = -100;

 protected:
  template <class P, class T>
  static constexpr bool check_indices() {
    return check_class_targets<Derived, P::ColsAtCompileTime, T::RowsAtCompileTime, T::ColsAtCompileTime>();
  }
  static std::string name() { return std::string(Derived::repr_name); }  // error paths only: it allocates

  void check_weight(Eigen::Index classes) const {
    if (!weight.empty() && static_cast<Eigen::Index>(weight.size()) != classes)
      detail::fail("ctnn::" + name() + ": weight holds " + std::to_string(weight.size()) +
                  " values but the prediction has " + std::to_string(classes) + " classes");
  }
  template <class S>
  S class_weight(Eigen::Index c) const {
    return weight.empty() ? S(1) : S(weight[static_cast<std::size_t>(c)]);
  }
  /// sum_c weight_c (C without weights).
  template <class S>
  S weight_sum(Eigen::Index classes) const {
    S sum = S(0);
    for (Eigen::Index c = 0; c < classes; ++c) sum += class_weight<S>(c);
    return sum;
  }

  /// Run-time checks (the batch size if Dynamic, every index a class or ignore_index, the
  /// weights' count). Returns Mean's denominator: the summed weights of the samples that
  /// count (their number without weights), as PyTorch.
  template <class P, class T>
  typename P::Scalar total_weight(const P& pred, const T& target) const {
    using S = typename P::Scalar;
    if (target.rows() != 1 || target.cols() != pred.cols())
      detail::fail("ctnn::" + name() + ": the target holds " + shape_string(target.rows(), target.cols()) +
                  " class indices but the prediction has " + std::to_string(pred.cols()) + " samples");
    check_weight(pred.rows());
    S total = S(0);
    for (Eigen::Index j = 0; j < pred.cols(); ++j) {
      const auto t = static_cast<std::int64_t>(target(0, j));
      if (t == ignore_index) continue;
      if (t < 0 || t >= pred.rows())
        detail::fail("ctnn::" + name() + ": target " + std::to_string(t) + " of sample " + std::to_string(j) +
                    " is out of bounds for " + std::to_string(pred.rows()) + " classes");
      total += class_weight<S>(t);
    }
    return total;
  }
  bool ignored(std::int64_t t) const { return t == ignore_index; }
};

/// A column's maximum m and log sum_c exp(x_c - m): log_softmax(x)_c = (x_c - m) - log_sum.
/// Never adding m back keeps logits of magnitude 1e4 exact in float, as PyTorch's kernel.
template <class S>
struct ShiftedLogSumExp {
  S max, log_sum;
  S log_softmax(S x) const { return (x - max) - log_sum; }
};
template <class Col>
ShiftedLogSumExp<typename Col::Scalar> log_sum_exp(const Col& x) {
  const auto m = x.maxCoeff();
  return {m, std::log((x.array() - m).exp().sum())};
}

}  // namespace detail

/// CrossEntropyLoss{Reduction::Mean, {.weight = {1, 2, 1}, .ignore_index = 0, .label_smoothing = 0.1}}
struct CrossEntropyLossOptions {
  std::vector<double> weight = {};
  std::int64_t ignore_index = -100;
  double label_smoothing = 0.0;
};

/// NLLLoss{Reduction::Mean, {.weight = {1, 2, 1}, .ignore_index = 0}}
struct NLLLossOptions {
  std::vector<double> weight = {};
  std::int64_t ignore_index = -100;
};

/// torch.nn.CrossEntropyLoss(weight, ignore_index=-100, reduction, label_smoothing=0) on
/// logits: log_softmax over each sample's C classes, then the negative log-likelihood of the
/// target. With label smoothing eps the target becomes (1 - eps) one_hot + eps / C; class
/// weights rescale each class's term, and Mean divides by the weights of the samples' classes.
template <ReductionMode R = ReductionMode::mean>
struct CrossEntropyLoss : detail::ClassLoss<CrossEntropyLoss<R>, R> {
  double label_smoothing = 0.0;

  using Options = CrossEntropyLossOptions;

  CrossEntropyLoss() = default;
  explicit CrossEntropyLoss(ReductionTag<R>) {}
  CrossEntropyLoss(ReductionTag<R>, Options o) : label_smoothing(o.label_smoothing) {
    this->weight = std::move(o.weight);
    this->ignore_index = o.ignore_index;
    if (!(label_smoothing >= 0 && label_smoothing <= 1))
      detail::fail("ctnn::CrossEntropyLoss: label_smoothing must be in [0, 1], got " +
                  detail::python_float(label_smoothing));
  }

  /// The loss: a scalar for Mean and Sum, a 1 x B row of per-sample losses for None.
  template <class P, class T>
  auto operator()(const Eigen::MatrixBase<P>& logits, const Eigen::MatrixBase<T>& target) const {
    using S = typename P::Scalar;
    using Row = Matrix<S, 1, P::ColsAtCompileTime>;
    using Result = std::conditional_t<R == ReductionMode::none, Row, S>;
    if constexpr (!check<P, T>()) {
      return Result{};
    } else {
      Row per_sample(1, logits.cols());
      const S denom = per_sample_losses(logits.derived(), target.derived(), per_sample);
      if constexpr (R == ReductionMode::none) {
        return per_sample;
      } else {
        const S sum = per_sample.sum();
        return R == ReductionMode::mean ? S(sum / denom) : sum;
      }
    }
  }
  template <class P, class T>
  auto forward(const Eigen::MatrixBase<P>& logits, const Eigen::MatrixBase<T>& target) const {
    return (*this)(logits, target);
  }

  /// dLoss/dlogits (Mean, Sum), C x B: per sample, softmax(x) * sum_c(t_c w_c) - t w with t
  /// the (smoothed) target distribution and w the class weights, divided by Mean's denominator.
  template <class P, class T>
  batch_like<P, P::RowsAtCompileTime> grad(const Eigen::MatrixBase<P>& logits, const Eigen::MatrixBase<T>& target) const {
    static_assert(R != ReductionMode::none,
                  "ctnn: loss.grad(pred, target) needs a reduced loss (Mean or Sum); with Reduction::None "
                  "call loss.grad(pred, target, grad_out)");
    using S = typename P::Scalar;
    batch_like<P, P::RowsAtCompileTime> g(logits.rows(), logits.cols());
    if constexpr (check<P, T>()) {
      Matrix<S, 1, P::ColsAtCompileTime> scale(1, logits.cols());
      const S denom = sample_scales(logits.derived(), target.derived(), scale);
      if (R == ReductionMode::mean) scale /= denom;
      grad_into(logits.derived(), target.derived(), scale, g);
    }
    return g;
  }

  /// dLoss/dlogits for Reduction::None, given grad_out (1 x B), the gradient of the per-sample losses.
  template <class P, class T, class G>
  batch_like<P, P::RowsAtCompileTime> grad(const Eigen::MatrixBase<P>& logits, const Eigen::MatrixBase<T>& target,
                                           const Eigen::MatrixBase<G>& grad_out) const {
    static_assert(R == ReductionMode::none,
                  "ctnn: loss.grad(pred, target, grad_out) is for Reduction::None; a Mean or Sum loss "
                  "is a scalar: call loss.grad(pred, target)");
    using S = typename P::Scalar;
    batch_like<P, P::RowsAtCompileTime> g(logits.rows(), logits.cols());
    if constexpr (check<P, T>() &&
                  detail::check_loss_target_shape<CrossEntropyLoss, 1, P::ColsAtCompileTime, G::RowsAtCompileTime,
                                                  G::ColsAtCompileTime>()) {
      detail::require_shape<CrossEntropyLoss>(grad_out, 1, logits.cols());
      Matrix<S, 1, P::ColsAtCompileTime> scale(1, logits.cols());
      sample_scales(logits.derived(), target.derived(), scale);
      scale.array() *= grad_out.array();
      grad_into(logits.derived(), target.derived(), scale, g);
    }
    return g;
  }

  static constexpr std::string_view repr_name = "CrossEntropyLoss";

 private:
  template <class P, class T>
  static constexpr bool check() {
    if constexpr (detail::integer_targets<T>) {
      return CrossEntropyLoss::template check_indices<P, T>();
    } else {
      return detail::check_same_shape<CrossEntropyLoss, P, T>();
    }
  }

  /// The smoothed target of class c with probability t: (1 - eps) t + eps / C.
  template <class S>
  S smoothed(S t, S classes) const {
    return t * S(1 - label_smoothing) + S(label_smoothing) / classes;
  }

  /// Fills per_sample (1 x B) and returns Mean's denominator: the summed class weights of the
  /// counted samples for class indices, B for probabilities (PyTorch's numel / C).
  template <class P, class T, class Row>
  typename P::Scalar per_sample_losses(const P& x, const T& target, Row& per_sample) const {
    using S = typename P::Scalar;
    const S eps = S(label_smoothing), C = S(x.rows());
    if constexpr (detail::integer_targets<T>) {
      const S denom = this->total_weight(x, target);
      for (Eigen::Index j = 0; j < x.cols(); ++j) {
        const auto t = static_cast<std::int64_t>(target(0, j));
        if (this->ignored(t)) {
          per_sample(0, j) = S(0);
          continue;
        }
        const auto lse = detail::log_sum_exp(x.col(j));
        const S nll = -this->template class_weight<S>(t) * lse.log_softmax(x(t, j));
        // -sum_c w_c log_softmax(x)_c, the smoothing term
        S smooth;
        if (this->weight.empty()) {
          smooth = -((x.col(j).array() - lse.max).sum() - C * lse.log_sum);
        } else {
          smooth = S(0);
          for (Eigen::Index c = 0; c < x.rows(); ++c) smooth -= this->template class_weight<S>(c) * lse.log_softmax(x(c, j));
        }
        per_sample(0, j) = (S(1) - eps) * nll + eps / C * smooth;
      }
      return denom;
    } else {
      if constexpr (P::ColsAtCompileTime == Eigen::Dynamic || T::ColsAtCompileTime == Eigen::Dynamic)
        detail::require_same_shape<CrossEntropyLoss>(x, target);
      this->check_weight(x.rows());
      for (Eigen::Index j = 0; j < x.cols(); ++j) {
        const auto lse = detail::log_sum_exp(x.col(j));
        S l = S(0);
        for (Eigen::Index c = 0; c < x.rows(); ++c)
          l -= smoothed(target(c, j), C) * this->template class_weight<S>(c) * lse.log_softmax(x(c, j));
        per_sample(0, j) = l;
      }
      return S(x.cols());
    }
  }

  /// Per-sample factors of the gradient before reduction: 0 for ignored samples, 1 otherwise.
  /// Returns Mean's denominator.
  template <class P, class T, class Row>
  typename P::Scalar sample_scales(const P& x, const T& target, Row& scale) const {
    using S = typename P::Scalar;
    if constexpr (detail::integer_targets<T>) {
      const S denom = this->total_weight(x, target);
      for (Eigen::Index j = 0; j < x.cols(); ++j)
        scale(0, j) = this->ignored(static_cast<std::int64_t>(target(0, j))) ? S(0) : S(1);
      return denom;
    } else {
      if constexpr (P::ColsAtCompileTime == Eigen::Dynamic || T::ColsAtCompileTime == Eigen::Dynamic)
        detail::require_same_shape<CrossEntropyLoss>(x, target);
      this->check_weight(x.rows());
      scale.setOnes();
      return S(x.cols());
    }
  }

  // d/dx_k of -sum_c q_c log_softmax(x)_c = softmax(x)_k sum_c q_c - q_k, with q_c the smoothed
  // target times the class weight
  template <class P, class T, class Row, class Out>
  void grad_into(const P& x, const T& target, const Row& scale, Out& g) const {
    using S = typename P::Scalar;
    const S eps = S(label_smoothing), C = S(x.rows());
    const S all_weights = this->template weight_sum<S>(x.rows());
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      if (scale(0, j) == S(0)) {
        g.col(j).setZero();
        continue;
      }
      const auto lse = detail::log_sum_exp(x.col(j));
      if constexpr (detail::integer_targets<T>) {
        const auto t = static_cast<Eigen::Index>(target(0, j));
        const S w_t = this->template class_weight<S>(t);
        // q = (1 - eps) w_t one_hot(t) + eps / C w, whose sum is (1 - eps) w_t + eps / C sum(w)
        const S mass = (S(1) - eps) * w_t + eps / C * all_weights;
        for (Eigen::Index c = 0; c < x.rows(); ++c)
          g(c, j) = std::exp(lse.log_softmax(x(c, j))) * mass - eps / C * this->template class_weight<S>(c);
        g(t, j) -= (S(1) - eps) * w_t;
      } else {
        S mass = S(0);
        for (Eigen::Index c = 0; c < x.rows(); ++c) mass += smoothed(target(c, j), C) * this->template class_weight<S>(c);
        for (Eigen::Index c = 0; c < x.rows(); ++c)
          g(c, j) = std::exp(lse.log_softmax(x(c, j))) * mass - smoothed(target(c, j), C) * this->template class_weight<S>(c);
      }
      g.col(j) *= scale(0, j);
    }
  }
};

/// torch.nn.NLLLoss(weight, ignore_index=-100, reduction) on log-probabilities (a LogSoftmax's
/// output): l_j = -w[t_j] x[t_j, j]; Mean divides by the summed w[t_j] of the samples not ignored.
template <ReductionMode R = ReductionMode::mean>
struct NLLLoss : detail::ClassLoss<NLLLoss<R>, R> {
  using Options = NLLLossOptions;

  NLLLoss() = default;
  explicit NLLLoss(ReductionTag<R>) {}
  NLLLoss(ReductionTag<R>, Options o) {
    this->weight = std::move(o.weight);
    this->ignore_index = o.ignore_index;
  }

  template <class P, class T>
  auto operator()(const Eigen::MatrixBase<P>& logp, const Eigen::MatrixBase<T>& target) const {
    using S = typename P::Scalar;
    using Row = Matrix<S, 1, P::ColsAtCompileTime>;
    using Result = std::conditional_t<R == ReductionMode::none, Row, S>;
    if constexpr (!NLLLoss::template check_indices<P, T>()) {
      return Result{};
    } else {
      const S denom = this->total_weight(logp, target);
      Row per_sample(1, logp.cols());
      for (Eigen::Index j = 0; j < logp.cols(); ++j) {
        const auto t = static_cast<std::int64_t>(target(0, j));
        per_sample(0, j) = this->ignored(t) ? S(0) : S(-this->template class_weight<S>(t) * logp(t, j));
      }
      if constexpr (R == ReductionMode::none) {
        return per_sample;
      } else {
        const S sum = per_sample.sum();
        return R == ReductionMode::mean ? S(sum / denom) : sum;
      }
    }
  }
  template <class P, class T>
  auto forward(const Eigen::MatrixBase<P>& logp, const Eigen::MatrixBase<T>& target) const {
    return (*this)(logp, target);
  }

  /// dLoss/dlogp (Mean, Sum): -w_t (divided by Mean's denominator) at each sample's target t.
  template <class P, class T>
  batch_like<P, P::RowsAtCompileTime> grad(const Eigen::MatrixBase<P>& logp, const Eigen::MatrixBase<T>& target) const {
    static_assert(R != ReductionMode::none,
                  "ctnn: loss.grad(pred, target) needs a reduced loss (Mean or Sum); with Reduction::None "
                  "call loss.grad(pred, target, grad_out)");
    using S = typename P::Scalar;
    batch_like<P, P::RowsAtCompileTime> g(logp.rows(), logp.cols());
    g.setZero();
    if constexpr (NLLLoss::template check_indices<P, T>()) {
      const S denom = this->total_weight(logp, target);
      const S scale = R == ReductionMode::mean ? S(1) / denom : S(1);
      for (Eigen::Index j = 0; j < logp.cols(); ++j) {
        const auto t = static_cast<std::int64_t>(target(0, j));
        if (!this->ignored(t)) g(t, j) = -this->template class_weight<S>(t) * scale;
      }
    }
    return g;
  }

  /// dLoss/dlogp for Reduction::None, given grad_out (1 x B).
  template <class P, class T, class G>
  batch_like<P, P::RowsAtCompileTime> grad(const Eigen::MatrixBase<P>& logp, const Eigen::MatrixBase<T>& target,
                                           const Eigen::MatrixBase<G>& grad_out) const {
    static_assert(R == ReductionMode::none,
                  "ctnn: loss.grad(pred, target, grad_out) is for Reduction::None; a Mean or Sum loss "
                  "is a scalar: call loss.grad(pred, target)");
    using S = typename P::Scalar;
    batch_like<P, P::RowsAtCompileTime> g(logp.rows(), logp.cols());
    g.setZero();
    if constexpr (NLLLoss::template check_indices<P, T>() &&
                  detail::check_loss_target_shape<NLLLoss, 1, P::ColsAtCompileTime, G::RowsAtCompileTime,
                                                  G::ColsAtCompileTime>()) {
      this->total_weight(logp, target);
      detail::require_shape<NLLLoss>(grad_out, 1, logp.cols());
      for (Eigen::Index j = 0; j < logp.cols(); ++j) {
        const auto t = static_cast<std::int64_t>(target(0, j));
        if (!this->ignored(t)) g(t, j) = -this->template class_weight<S>(t) * grad_out(0, j);
      }
    }
    return g;
  }

  static constexpr std::string_view repr_name = "NLLLoss";
};

}  // namespace ctnn
