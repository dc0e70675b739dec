/// @file Defines ctnn::L1Loss: l = |x - y|, as torch.nn.L1Loss.
#pragma once

#include <cmath>
#include <string_view>

#include "ctnn/loss/elementwise.hpp"

namespace ctnn {

/// torch.nn.L1Loss(reduction): absolute error per element, then mean (default), sum or none.
template <ReductionMode R = ReductionMode::mean>
struct L1Loss : ElementwiseLoss<L1Loss<R>, R> {
  constexpr L1Loss() = default;
  constexpr explicit L1Loss(ReductionTag<R>) {}

  // l = |x - y|, dl/dx = sign(x - y), 0 where x == y (PyTorch's sgn)
  template <class S> S value(S x, S y) const { return std::abs(x - y); }
  template <class S> S derivative(S x, S y) const { return x > y ? S(1) : x < y ? S(-1) : S(0); }

  static constexpr std::string_view repr_name = "L1Loss";
};

}  // namespace ctnn
