/// @file Defines ctnn::CrossEntropyLoss (on logits) and ctnn::NLLLoss (on log-probabilities),
/// as torch.nn.CrossEntropyLoss and torch.nn.NLLLoss, with class-index targets.
///
/// The prediction is C x B (C classes, sample j = column j). Class-index targets are one
/// integer row of B indices, `ctnn::ClassIndices<B>` (Eigen::Matrix<int, 1, B>) or any Eigen
/// row of an integer type: PyTorch's (B,) tensor of class indices. CrossEntropyLoss also takes
/// class probabilities, a floating C x B target (PyTorch's soft targets). Per-sample losses
/// (Reduction::None) are a 1 x B row.
#pragma once

#include <Eigen/Core>
#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>

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

/// Base of the two class-index losses: target checks, reduction over counted samples.
template <class Derived, ReductionMode R>
struct ClassLoss {
  static constexpr ReductionMode reduction = R;
  /// Samples whose target is ignore_index add nothing, and Mean does not count them.
  std::int64_t ignore_index = -100;

 protected:
  template <class P, class T>
  static constexpr bool check_indices() {
    return check_class_targets<Derived, P::ColsAtCompileTime, T::RowsAtCompileTime, T::ColsAtCompileTime>();
  }

  /// Run-time half: the batch size if Dynamic, and every index a class or ignore_index.
  /// Returns the number of samples that count.
  template <class P, class T>
  Eigen::Index count_targets(const P& pred, const T& target) const {
    const auto name = [] { return std::string(Derived::repr_name); };  // only on the error path: no allocation
    if (target.rows() != 1 || target.cols() != pred.cols())
      throw Error("ctnn::" + name() + ": the target holds " + shape_string(target.rows(), target.cols()) +
                  " class indices but the prediction has " + std::to_string(pred.cols()) + " samples");
    Eigen::Index counted = 0;
    for (Eigen::Index j = 0; j < pred.cols(); ++j) {
      const auto t = static_cast<std::int64_t>(target(0, j));
      if (t == ignore_index) continue;
      if (t < 0 || t >= pred.rows())
        throw Error("ctnn::" + name() + ": target " + std::to_string(t) + " of sample " + std::to_string(j) +
                    " is out of bounds for " + std::to_string(pred.rows()) + " classes");
      ++counted;
    }
    return counted;
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

/// torch.nn.CrossEntropyLoss(reduction, ignore_index=-100, label_smoothing=0) on logits:
/// log_softmax over each sample's C classes, then the negative log-likelihood of the target.
/// With label smoothing eps the target becomes (1 - eps) one_hot + eps / C.
template <ReductionMode R = ReductionMode::mean>
struct CrossEntropyLoss : detail::ClassLoss<CrossEntropyLoss<R>, R> {
  double label_smoothing = 0.0;

  CrossEntropyLoss() = default;
  explicit CrossEntropyLoss(ReductionTag<R>) {}
  /// CrossEntropyLoss{Reduction::Mean, {.ignore_index = 0, .label_smoothing = 0.1}}
  struct Options {
    std::int64_t ignore_index = -100;
    double label_smoothing = 0.0;
  };
  CrossEntropyLoss(ReductionTag<R>, Options o) : label_smoothing(o.label_smoothing) {
    this->ignore_index = o.ignore_index;
    if (!(label_smoothing >= 0 && label_smoothing <= 1))
      throw Error("ctnn::CrossEntropyLoss: label_smoothing must be in [0, 1], got " +
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

  /// dLoss/dlogits (Mean, Sum), C x B: per sample, softmax(x) * sum(t) - t with t the
  /// (smoothed) target distribution, divided by the number of counted samples for Mean.
  template <class P, class T>
  batch_like<P, P::RowsAtCompileTime> grad(const Eigen::MatrixBase<P>& logits, const Eigen::MatrixBase<T>& target) const {
    static_assert(R != ReductionMode::none,
                  "ctnn: loss.grad(pred, target) needs a reduced loss (Mean or Sum); with Reduction::None "
                  "call loss.grad(pred, target, grad_out)");
    using S = typename P::Scalar;
    batch_like<P, P::RowsAtCompileTime> g(logits.rows(), logits.cols());
    if constexpr (check<P, T>()) {
      Matrix<S, 1, P::ColsAtCompileTime> weight(1, logits.cols());
      const S denom = weights(logits.derived(), target.derived(), weight);
      weight /= R == ReductionMode::mean ? denom : S(1);
      grad_into(logits.derived(), target.derived(), weight, g);
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
      Matrix<S, 1, P::ColsAtCompileTime> weight(1, logits.cols());
      weights(logits.derived(), target.derived(), weight);
      weight.array() *= grad_out.array();
      grad_into(logits.derived(), target.derived(), weight, g);
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

  /// Fills per_sample (1 x B) and returns Mean's denominator: the counted samples for class
  /// indices, B for probabilities (PyTorch's numel / C).
  template <class P, class T, class Row>
  typename P::Scalar per_sample_losses(const P& x, const T& target, Row& per_sample) const {
    using S = typename P::Scalar;
    const S eps = S(label_smoothing), C = S(x.rows());
    if constexpr (detail::integer_targets<T>) {
      const Eigen::Index counted = this->count_targets(x, target);
      for (Eigen::Index j = 0; j < x.cols(); ++j) {
        const auto t = static_cast<std::int64_t>(target(0, j));
        if (this->ignored(t)) {
          per_sample(0, j) = S(0);
          continue;
        }
        const auto lse = detail::log_sum_exp(x.col(j));
        const S nll = -lse.log_softmax(x(t, j));
        // -sum_c log_softmax(x)_c
        const S smooth = -((x.col(j).array() - lse.max).sum() - C * lse.log_sum);
        per_sample(0, j) = (S(1) - eps) * nll + eps / C * smooth;
      }
      return S(counted);
    } else {
      if constexpr (P::ColsAtCompileTime == Eigen::Dynamic || T::ColsAtCompileTime == Eigen::Dynamic)
        detail::require_same_shape<CrossEntropyLoss>(x, target);
      for (Eigen::Index j = 0; j < x.cols(); ++j) {
        const auto lse = detail::log_sum_exp(x.col(j));
        S l = S(0);
        for (Eigen::Index c = 0; c < x.rows(); ++c) l -= (target(c, j) * (S(1) - eps) + eps / C) * lse.log_softmax(x(c, j));
        per_sample(0, j) = l;
      }
      return S(x.cols());
    }
  }

  /// Per-sample weights of the gradient before reduction: 0 for ignored samples, 1 otherwise.
  /// Returns Mean's denominator.
  template <class P, class T, class Row>
  typename P::Scalar weights(const P& x, const T& target, Row& weight) const {
    using S = typename P::Scalar;
    if constexpr (detail::integer_targets<T>) {
      const Eigen::Index counted = this->count_targets(x, target);
      for (Eigen::Index j = 0; j < x.cols(); ++j)
        weight(0, j) = this->ignored(static_cast<std::int64_t>(target(0, j))) ? S(0) : S(1);
      return S(counted);
    } else {
      if constexpr (P::ColsAtCompileTime == Eigen::Dynamic || T::ColsAtCompileTime == Eigen::Dynamic)
        detail::require_same_shape<CrossEntropyLoss>(x, target);
      weight.setOnes();
      return S(x.cols());
    }
  }

  // d/dx_k of -sum_c t_c log_softmax(x)_c = softmax(x)_k sum_c t_c - t_k
  template <class P, class T, class Row, class Out>
  void grad_into(const P& x, const T& target, const Row& weight, Out& g) const {
    using S = typename P::Scalar;
    const S eps = S(label_smoothing), C = S(x.rows());
    for (Eigen::Index j = 0; j < x.cols(); ++j) {
      if (weight(0, j) == S(0)) {
        g.col(j).setZero();
        continue;
      }
      const auto lse = detail::log_sum_exp(x.col(j));
      if constexpr (detail::integer_targets<T>) {
        const auto t = static_cast<Eigen::Index>(target(0, j));
        // the smoothed target sums to 1
        g.col(j) = (((x.col(j).array() - lse.max) - lse.log_sum).exp() - eps / C).matrix();
        g(t, j) -= S(1) - eps;
      } else {
        S mass = S(0);
        for (Eigen::Index c = 0; c < x.rows(); ++c) mass += target(c, j) * (S(1) - eps) + eps / C;
        for (Eigen::Index c = 0; c < x.rows(); ++c)
          g(c, j) = std::exp(lse.log_softmax(x(c, j))) * mass - (target(c, j) * (S(1) - eps) + eps / C);
      }
      g.col(j) *= weight(0, j);
    }
  }
};

/// torch.nn.NLLLoss(reduction, ignore_index=-100) on log-probabilities (a LogSoftmax's output):
/// l_j = -x[target_j, j]; Mean divides by the number of samples not ignored.
template <ReductionMode R = ReductionMode::mean>
struct NLLLoss : detail::ClassLoss<NLLLoss<R>, R> {
  NLLLoss() = default;
  explicit NLLLoss(ReductionTag<R>) {}
  NLLLoss(ReductionTag<R>, std::int64_t ignore) { this->ignore_index = ignore; }

  template <class P, class T>
  auto operator()(const Eigen::MatrixBase<P>& logp, const Eigen::MatrixBase<T>& target) const {
    using S = typename P::Scalar;
    using Row = Matrix<S, 1, P::ColsAtCompileTime>;
    using Result = std::conditional_t<R == ReductionMode::none, Row, S>;
    if constexpr (!NLLLoss::template check_indices<P, T>()) {
      return Result{};
    } else {
      const Eigen::Index counted = this->count_targets(logp, target);
      Row per_sample(1, logp.cols());
      for (Eigen::Index j = 0; j < logp.cols(); ++j) {
        const auto t = static_cast<std::int64_t>(target(0, j));
        per_sample(0, j) = this->ignored(t) ? S(0) : S(-logp(t, j));
      }
      if constexpr (R == ReductionMode::none) {
        return per_sample;
      } else {
        const S sum = per_sample.sum();
        return R == ReductionMode::mean ? S(sum / S(counted)) : sum;
      }
    }
  }
  template <class P, class T>
  auto forward(const Eigen::MatrixBase<P>& logp, const Eigen::MatrixBase<T>& target) const {
    return (*this)(logp, target);
  }

  /// dLoss/dlogp (Mean, Sum): -1 (or -1 / counted) at each sample's target, 0 elsewhere.
  template <class P, class T>
  batch_like<P, P::RowsAtCompileTime> grad(const Eigen::MatrixBase<P>& logp, const Eigen::MatrixBase<T>& target) const {
    static_assert(R != ReductionMode::none,
                  "ctnn: loss.grad(pred, target) needs a reduced loss (Mean or Sum); with Reduction::None "
                  "call loss.grad(pred, target, grad_out)");
    using S = typename P::Scalar;
    batch_like<P, P::RowsAtCompileTime> g(logp.rows(), logp.cols());
    g.setZero();
    if constexpr (NLLLoss::template check_indices<P, T>()) {
      const Eigen::Index counted = this->count_targets(logp, target);
      const S w = R == ReductionMode::mean ? S(1) / S(counted) : S(1);
      for (Eigen::Index j = 0; j < logp.cols(); ++j) {
        const auto t = static_cast<std::int64_t>(target(0, j));
        if (!this->ignored(t)) g(t, j) = -w;
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
    batch_like<P, P::RowsAtCompileTime> g(logp.rows(), logp.cols());
    g.setZero();
    if constexpr (NLLLoss::template check_indices<P, T>() &&
                  detail::check_loss_target_shape<NLLLoss, 1, P::ColsAtCompileTime, G::RowsAtCompileTime,
                                                  G::ColsAtCompileTime>()) {
      this->count_targets(logp, target);
      detail::require_shape<NLLLoss>(grad_out, 1, logp.cols());
      for (Eigen::Index j = 0; j < logp.cols(); ++j) {
        const auto t = static_cast<std::int64_t>(target(0, j));
        if (!this->ignored(t)) g(t, j) = -grad_out(0, j);
      }
    }
    return g;
  }

  static constexpr std::string_view repr_name = "NLLLoss";
};

}  // namespace ctnn
