/// @file Defines ctnn::MSELoss: l = (x - y)^2, as torch.nn.MSELoss.
#pragma once

#include <string_view>

#include "ctnn/loss/elementwise.hpp"

namespace ctnn {

/// torch.nn.MSELoss(reduction): squared error per element, then mean (default), sum or none.
template <ReductionMode R = ReductionMode::mean>
struct MSELoss : ElementwiseLoss<MSELoss<R>, R> {
  constexpr MSELoss() = default;
  constexpr explicit MSELoss(ReductionTag<R>) {}

  // l = (x - y)^2, dl/dx = 2 (x - y)
  template <class S> S value(S x, S y) const { return (x - y) * (x - y); }
  template <class S> S derivative(S x, S y) const { return S(2) * (x - y); }

  static constexpr std::string_view repr_name = "MSELoss";
};

}  // namespace ctnn
