/// @file Defines detail::FusesActivation and detail::infer_fused: how Sequential's inference
/// runs a layer and the elementwise activation after it in one pass, act(W x + b), instead of
/// writing W x + b and reading it back; and detail::InfersInPlace (InfersInPlaceFused with the
/// activation after it), the layers it runs over an activation it owns. Both sides declare
/// it (docs/concepts.md#hooks): the activation offers itself as an epilogue (`a.epilogue()`,
/// a function over Eigen arrays: Pointwise layers have it), and the layer takes one
/// (`forward_into(x, y, epilogue)`: Linear, see detail/affine.hpp; `infer_in_place(y,
/// epilogue)`: BatchNorm).
#pragma once

#include <type_traits>

#include "ctnn/core/shape.hpp"
#include "ctnn/core/tensor.hpp"

namespace ctnn::detail {

/// L writes act(L(x)) in one pass when it takes an epilogue and A offers itself as one (and
/// does not replace its forward with an infer of its own).
template <class L, class A, class X>
concept FusesActivation =
    L::out_features != any && requires(const A& a) { a.epilogue(); } && !requires(const A& a, const X& x) { a.infer(x); } &&
    requires(const L& l, const A& a, const X& x, decltype(l.forward(x))& y) { l.forward_into(x, y, a.epilogue()); };

/// L overwrites an activation y that Sequential's inference owns (a plain matrix, never a
/// view of the caller's input) with L's inference of it, where L keeps the shape and each
/// output element needs only its own input element (Pointwise layers, BatchNorm). A chain of
/// them then works on one buffer instead of writing a fresh one each: CNN2's BatchNorm2d and
/// ReLU after each convolution, whose fresh 25 KB maps pushed one sample's maps out of L1.
template <class L, class Y>
concept InfersInPlace = std::is_base_of_v<Eigen::PlainObjectBase<Y>, Y> && requires(const L& l, Y& y) { l.infer_in_place(y); };
/// L infers in place and applies the activation A after it in the same pass
/// (`infer_in_place(y, epilogue)`: BatchNorm), where A offers itself as an epilogue as for
/// FusesActivation: BatchNorm2d, ReLU then read and write the map once, not twice.
template <class L, class A, class Y>
concept InfersInPlaceFused = InfersInPlace<L, Y> && requires(const A& a) { a.epilogue(); } &&
                             !requires(const A& a, const Y& y) { a.infer(y); } &&
                             requires(const L& l, const A& a, Y& y) { l.infer_in_place(y, a.epilogue()); };

/// L's training forward may write over its input, so that Sequential keeps one buffer for
/// both (`static constexpr bool forward_in_place = true`): L promises that its backward gives
/// the same dx when handed its output in place of its input (ReLU: x > 0 exactly where
/// y = max(x, 0) > 0), as PyTorch's ReLU(inplace=True). CNN1's two ReLU maps are 490 KB of
/// a batch of 32: without them its training step's maps fit the L2 cache.
template <class L>
inline constexpr bool forward_in_place = requires { requires L::forward_in_place; };
/// L's backward does not read its output y (`static constexpr bool backward_reads_output =
/// false`: Linear, the convolutions, BatchNorm, the pools), so that the layer after it may
/// overwrite y in place; without the declaration it may read it (Sigmoid, Tanh, Softmax do).
template <class L>
inline constexpr bool backward_ignores_output = requires { requires !L::backward_reads_output; };

/// act(layer(x)), in one pass.
template <class L, class A, class X>
auto infer_fused(const L& layer, const A& act, const X& x) {
  using Y = decltype(layer.forward(x));
  Y y(Y::RowsAtCompileTime == Eigen::Dynamic ? L::out_features : Y::RowsAtCompileTime, x.cols());
  layer.forward_into(x, y, act.epilogue());
  return y;
}

}  // namespace ctnn::detail
