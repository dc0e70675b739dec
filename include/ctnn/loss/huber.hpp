/// @file Defines ctnn::HuberLoss and ctnn::SmoothL1Loss: quadratic near zero, linear beyond, as
/// torch.nn.HuberLoss(delta) and torch.nn.SmoothL1Loss(beta). The two differ by a factor:
/// Huber(delta) = delta * SmoothL1(beta = delta).
#pragma once

#include <cmath>
#include <string_view>

#include "ctnn/core/error.hpp"
#include "ctnn/layers/activations.hpp"
#include "ctnn/loss/elementwise.hpp"

namespace ctnn {

/// torch.nn.HuberLoss(reduction, delta=1): with d = x - y,
/// l = d^2 / 2 where |d| < delta, delta (|d| - delta / 2) elsewhere.
template <ReductionMode R = ReductionMode::mean>
struct HuberLoss : ElementwiseLoss<HuberLoss<R>, R> {
  double delta = 1.0;

  HuberLoss() = default;
  explicit HuberLoss(double d) : delta(d) { validate(); }
  explicit HuberLoss(ReductionTag<R>, double d = 1.0) : delta(d) { validate(); }

  template <class S>
  S value(S x, S y) const {
    const S z = std::abs(x - y), dl = S(delta);
    return z < dl ? S(0.5) * z * z : dl * (z - S(0.5) * dl);
  }
  // dl/dx = d clamped to [-delta, delta]
  template <class S>
  S derivative(S x, S y) const {
    const S d = x - y, dl = S(delta);
    return d <= -dl ? -dl : d >= dl ? dl : d;
  }

  static constexpr std::string_view repr_name = "HuberLoss";
  std::string extra_repr() const { return "delta=" + detail::python_float(delta); }

 private:
  void validate() const {
    if (!(delta > 0)) detail::fail("ctnn::HuberLoss: delta must be positive, got " + detail::python_float(delta));
  }
};

/// torch.nn.SmoothL1Loss(reduction, beta=1): with d = x - y,
/// l = d^2 / (2 beta) where |d| < beta, |d| - beta / 2 elsewhere; beta = 0 is L1Loss.
template <ReductionMode R = ReductionMode::mean>
struct SmoothL1Loss : ElementwiseLoss<SmoothL1Loss<R>, R> {
  double beta = 1.0;

  SmoothL1Loss() = default;
  explicit SmoothL1Loss(double b) : beta(b) { validate(); }
  explicit SmoothL1Loss(ReductionTag<R>, double b = 1.0) : beta(b) { validate(); }

  template <class S>
  S value(S x, S y) const {
    const S z = std::abs(x - y), b = S(beta);
    if (beta == 0) return z;
    return z < b ? S(0.5) * z * z / b : z - S(0.5) * b;
  }
  // dl/dx = d / beta clamped to [-1, 1]; with beta = 0, -1 for d <= 0 and 1 otherwise:
  // PyTorch 1.13's backward takes its first branch at d = 0 (L1Loss gives 0 there)
  template <class S>
  S derivative(S x, S y) const {
    const S d = x - y, b = S(beta);
    return d <= -b ? S(-1) : d >= b ? S(1) : d / b;
  }

  static constexpr std::string_view repr_name = "SmoothL1Loss";
  std::string extra_repr() const { return "beta=" + detail::python_float(beta); }

 private:
  void validate() const {
    if (!(beta >= 0)) detail::fail("ctnn::SmoothL1Loss: beta must not be negative, got " + detail::python_float(beta));
  }
};

}  // namespace ctnn
