/// @file Defines ctnn::clip_grad_norm and ctnn::clip_grad_value, as
/// torch.nn.utils.clip_grad_norm_ and clip_grad_value_: applied to a model's gradients between
/// backward and the optimizer's step. Parameters with requires_grad == false are left alone
/// (PyTorch skips parameters without a gradient).
#pragma once

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <type_traits>

#include "ctnn/core/error.hpp"
#include "ctnn/core/module.hpp"

namespace ctnn {

/// Scales every gradient by min(1, max_norm / (total_norm + 1e-6)), total_norm being the
/// norm_type-norm of all gradients together (2 by default; infinity for the largest |g|).
/// Returns total_norm (before clipping), as PyTorch. Throws ctnn::Error for a non-finite norm
/// when error_if_nonfinite, leaving the gradients as they were.
template <class Model>
double clip_grad_norm(Model& model, double max_norm, double norm_type = 2.0, bool error_if_nonfinite = false) {
  // Accumulated in double whatever the parameters' scalar: at least as exact as PyTorch.
  const bool inf = std::isinf(norm_type);
  double acc = 0.0;  // max |g| (infinity norm) or sum |g|^p
  parameters(model, [&](auto& p) {
    if (!p.requires_grad) return;
    const auto g = p.grad.template cast<double>().array().abs();
    if (inf) {
      acc = std::max(acc, g.maxCoeff());
    } else if (norm_type == 2.0) {
      acc += g.square().sum();
    } else {
      acc += g.pow(norm_type).sum();
    }
  });
  const double total = inf ? acc : norm_type == 2.0 ? std::sqrt(acc) : std::pow(acc, 1.0 / norm_type);
  if (error_if_nonfinite && !std::isfinite(total))
    detail::fail("ctnn::clip_grad_norm: the total norm of the gradients is " + std::to_string(total) +
                ", so they cannot be clipped (pass error_if_nonfinite = false to scale them anyway)");
  const double coef = std::min(max_norm / (total + 1e-6), 1.0);
  parameters(model, [coef](auto& p) {
    using S = typename std::remove_reference_t<decltype(p)>::scalar_type;
    if (p.requires_grad) p.grad *= S(coef);
  });
  return total;
}

/// Clamps every gradient element to [-clip_value, clip_value] (clip_grad_value_).
template <class Model>
void clip_grad_value(Model& model, double clip_value) {
  parameters(model, [clip_value](auto& p) {
    using S = typename std::remove_reference_t<decltype(p)>::scalar_type;
    if (p.requires_grad) p.grad = p.grad.cwiseMax(S(-clip_value)).cwiseMin(S(clip_value));
  });
}

}  // namespace ctnn
