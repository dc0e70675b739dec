/// @file Defines detail::FusesActivation and detail::infer_fused: how Sequential's inference
/// runs a layer and the elementwise activation after it in one pass, act(W x + b), instead of
/// writing W x + b and reading it back (Linear's forward_into takes the activation as an
/// epilogue; see detail/affine.hpp).
#pragma once

#include <type_traits>

#include "ctnn/core/shape.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/layers/pointwise.hpp"

namespace ctnn::detail {

/// Activation layer A as an epilogue on an Eigen array expression.
template <class A>
struct activation_epilogue {
  const A& act;
  template <class Z>
  auto operator()(const Z& z) const {
    return act.map(z);
  }
};

/// L writes act(L(x)) in one pass when it takes an epilogue, and A is a plain Pointwise layer
/// (one that does not replace Pointwise's forward with an infer of its own).
template <class L, class A, class X>
concept FusesActivation =
    L::out_features != any && std::is_base_of_v<Pointwise<A>, A> && !requires(const A& a, const X& x) { a.infer(x); } &&
    requires(const L& l, const A& a, const X& x, batch_like<X, L::out_features>& y) {
      l.forward_into(x, y, activation_epilogue<A>{a});
    };

/// act(layer(x)), in one pass.
template <class L, class A, class X>
batch_like<X, L::out_features> infer_fused(const L& layer, const A& act, const X& x) {
  batch_like<X, L::out_features> y(L::out_features, x.cols());
  layer.forward_into(x, y, activation_epilogue<A>{act});
  return y;
}

}  // namespace ctnn::detail
