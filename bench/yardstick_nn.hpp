// What the yardsticks of issues 12 and 13 share: parameters with their gradient and Adam
// moments, loaded from bench::nn::params, and Adam's update (the formula of yardstick.hpp's
// Dense::adam, PyTorch's within an ulp).
#pragma once

#include <cstring>

#include "nn_common.hpp"
#include "yardstick.hpp"

namespace yardstick::nn {

using Eigen::Index;

/// An R x C parameter (column-major), with its gradient and Adam's moments.
template <int R, int C>
struct Param {
  Mat<R, C> w = Mat<R, C>::Zero(R, C), g = w, m = w, v = w;

  /// From a PyTorch tensor whose row-major bytes are this matrix's column-major ones (a conv
  /// weight (Out, In, K...) becomes (In K..., Out): im2col's right-hand side; a bias (C) a row).
  void load_same_bytes(const bench::nn::Tensor& t) {
    if (t.numel() != std::size_t(R) * C) std::abort();
    std::memcpy(w.data(), t.v.data(), sizeof(float) * t.numel());
  }
  /// From a PyTorch (R, C) row-major tensor (a Linear weight (Out, In)).
  void load_transposed_bytes(const bench::nn::Tensor& t) {
    if (t.numel() != std::size_t(R) * C) std::abort();
    for (int r = 0; r < R; ++r)
      for (int c = 0; c < C; ++c) w(r, c) = t.v[std::size_t(r) * C + c];
  }
  void adam(const AdamClock& c) {
    const float bc1 = 1.0f - std::pow(c.beta1, float(c.t)), bc2 = 1.0f - std::pow(c.beta2, float(c.t));
    const float step = c.lr / bc1, root_bc2 = std::sqrt(bc2);
    m = c.beta1 * m + (1.0f - c.beta1) * g;
    v = c.beta2 * v + (1.0f - c.beta2) * g.cwiseProduct(g);
    w.array() -= step * m.array() / (v.array().sqrt() / root_bc2 + c.eps);
    g.setZero();
  }
};

}  // namespace yardstick::nn
