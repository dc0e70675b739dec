/// @file Defines the ctnn::Layer concept: what a layer provides, and every optional hook ctnn
/// asks a layer or container for (the same list, with more words: docs/concepts.md#hooks).
///
/// Required (docs/concepts.md#layer):
/// - shape rule: `static constexpr int in_features, out_features` (element counts; ctnn::any
///   for a layer that takes what arrives);
/// - `forward(x)`: x is in_features x B (any Eigen expression); returns out_features x B;
/// - `backward(x, y, grad_y)`: adds the parameters' gradients to .grad, returns dLoss/dx; a
///   module keeping its own activations may provide `backward(grad_y)` instead.
///
/// Optional hooks, by what asks for them:
/// - shapes (core/shape.hpp): `static constexpr Shape in_shape` (the input shape the layer
///   takes when nothing else decides), `static constexpr bool accepts(Shape)`,
///   `static constexpr Shape output_shape(Shape)`, `static constexpr Shape
///   expected_input(Shape)` (for diagnostics), `template <Shape In> using bind = ...` (the
///   layer as it computes on samples of shape In);
/// - Sequential: `infer(x) const`, `forward_into(x, out)` and `forward_into(x, out,
///   epilogue)` (writes act(f(x)) in one pass), `epilogue() const` (an elementwise layer
///   offering itself to the layer before it), `infer_in_place(y) const` (infer written over
///   an activation Sequential owns) and `infer_in_place(y, epilogue) const` (the same, then
///   the next layer's activation in the same pass), `static constexpr bool
///   forward_in_place` and `static constexpr bool backward_reads_output` (training forward
///   over its input: detail/fuse.hpp),
///   `backward(x, y, g, parameters_only_t)`,
///   `backward_into(x, y, g, dx)` (backward writing dLoss/dx into the caller's dx, so that
///   Sequential's gradient buffers serve every call and a large map allocates nothing);
/// - containers (one walker, core/module.hpp): `using child_types = std::tuple<...>`,
///   `for_each_child(f)` calling f(name, child), `static constexpr std::array<Shape, N + 1>
///   child_input_shapes` (the shape each child sees, and the output's), and `static constexpr
///   std::array<detail::short_name, N> child_names` when they are not "0", "1", ...;
/// - modes and initialisation: `set_training(bool)`, `reset_parameters(Generator&)`;
/// - scalar types: `using scalar_type`, `template <class S> using with_scalar = ...`;
/// - print and summary: `repr_name`, `extra_repr() const`, `static constexpr long long
///   flops(Shape in)`, `static constexpr long long mask_bytes_per_element` (bytes a forward
///   keeps per element for backward, beyond the activations its owner keeps), and for a
///   container other than Sequential `static constexpr long long kept_values(Shape in)`
///   (values per sample it keeps itself for backward, beyond its children's; -1 unknown);
/// - fingerprint (io/fingerprint.hpp): `template <class A> static constexpr void describe(A&
///   args)`, the layer's arguments (`args.arg(8)`, `args.arg("stride", 2)`) in place of its widths;
/// - streaming (core/streaming.hpp): `static constexpr int step_in_features, step_out_features`,
///   `step(x)` on a (step_in_features x n) block of time steps, returning step_out_features x
///   n and keeping the state, `void reset_state()`, `static constexpr long long state_bytes`;
///   `static constexpr bool streams` (a container saying whether its children all stream) and
///   `using cannot_stream_because = ...` (a sentence type: why this layer cannot).
#pragma once

#include "ctnn/detail/eigen.hpp"
#include <concepts>
#include <type_traits>

#include "ctnn/core/scalar.hpp"
#include "ctnn/core/shape.hpp"

namespace ctnn {

namespace detail {
/// The shape of the probe sample a concept tries a layer with: the layer's own input shape,
/// else (3), else what the layer would take where (3) arrives.
template <class L>
constexpr Shape probe_shape() {
  if (natural_input_shape<L>().known()) return natural_input_shape<L>();
  if (accepts<L>(Shape(3))) return Shape(3);
  return expected_input<L>(Shape(3));
}

/// L as a Sequential holds it when the probe sample arrives.
template <class L>
using probe_layer = bound<L, probe_shape<L>()>;
template <class L>
using probe_in = Eigen::Matrix<scalar_of<L>, probe_shape<L>().size(), 1>;
template <class L>
using probe_out = Eigen::Matrix<scalar_of<L>, output_shape<L>(probe_shape<L>()).size(), 1>;
}  // namespace detail

/// States its widths as `in_features` and `out_features` (ctnn::any for "whatever arrives").
template <class L>
concept HasShapeRule = requires {
  { L::in_features } -> std::convertible_to<int>;
  { L::out_features } -> std::convertible_to<int>;
};

/// Has a forward(x) that accepts one sample of its input width.
template <class L>
concept HasForward =
    HasShapeRule<L> && requires(detail::probe_layer<L>& l, const detail::probe_in<L>& x) { l.forward(x); };

/// Has backward(x, y, grad_y) (a pure layer) or backward(grad_y) (a module with its own cache).
template <class L>
concept HasBackward =
    HasShapeRule<L> && (requires(detail::probe_layer<L>& l, const detail::probe_in<L>& x, const detail::probe_out<L>& y) {
                         l.backward(x, y, y);
                       } || requires(detail::probe_layer<L>& l, const detail::probe_out<L>& g) { l.backward(g); });

/// A layer: shape rule, forward and backward.
template <class L>
concept Layer = HasShapeRule<L> && HasForward<L> && HasBackward<L>;

namespace detail {

template <class L, class X, class Out>
void forward_into(L& layer, const X& x, Out&& out) {
  if constexpr (requires { layer.forward_into(x, out); }) {
    layer.forward_into(x, out);
  } else {
    out = layer.forward(x);
  }
}

template <class L, class X>
auto infer(const L& layer, const X& x) {
  if constexpr (requires { layer.infer(x); }) {
    return layer.infer(x);
  } else {
    static_assert(requires { layer.forward(x); },
                  "ctnn: this layer's forward changes the layer, so it needs `infer(x) const` for "
                  "inference (see docs/concepts.md#layer)");
    return layer.forward(x);
  }
}

template <class L, class X, class Y, class G>
auto backward(L& layer, const X& x, const Y& y, const G& g) {
  if constexpr (requires { layer.backward(x, y, g); }) {
    return layer.backward(x, y, g);
  } else {
    return layer.backward(g);
  }
}

/// dLoss/dx written into dx (a matrix or Map of x's shape): the layer's backward_into, else its
/// backward's result copied (which allocates when that result does not fit Eigen's stack limit).
template <class L, class X, class Y, class G, class DX>
void backward_into(L& layer, const X& x, const Y& y, const G& g, DX&& dx) {
  if constexpr (requires { layer.backward_into(x, y, g, dx); }) {
    layer.backward_into(x, y, g, dx);
  } else {
    dx = backward(layer, x, y, g);
  }
}

}  // namespace detail

/// The tag of `backward(grad, ctnn::parameters_only)`: every parameter's gradient, but not the
/// gradient of the input, which PyTorch computes only for an input that requires grad. A layer
/// may provide `backward(x, y, grad_y, parameters_only_t)` (Linear does); otherwise its usual
/// backward runs and the input gradient is dropped.
struct parameters_only_t {
  explicit parameters_only_t() = default;
};
inline constexpr parameters_only_t parameters_only{};

/// The tag of the constructors behind ctnn::skip_init (Linear's, Sequential's).
struct skip_init_t {
  explicit skip_init_t() = default;
};

/// A module M whose parameters are left zero instead of drawn from the default generator, as
/// torch.nn.utils.skip_init(M); a Sequential made so allocates no training buffers until a
/// forward needs them. For weights loaded next (ctnn-embed's make()), where drawing them first
/// costs time and code, and on a microcontroller the heap. Layers without a skip_init_t
/// constructor are default-constructed.
template <class M>
M skip_init() {
  if constexpr (std::is_constructible_v<M, skip_init_t>) {
    return M(skip_init_t{});
  } else {
    return M();
  }
}

namespace detail {

/// Stands for "L made by skip_init" where a container builds L from an argument (a tuple's
/// element): it converts to skip_init_t when L takes one, so L is built in place, else to a
/// default L. Passing skip_init<L>() instead would build every layer first as a temporary on
/// the stack, which for a 64x64 Linear and its gradient is 33 KB, more than a microcontroller
/// may have.
template <class L>
struct skip_init_arg {
  constexpr operator skip_init_t() const
    requires std::is_constructible_v<L, skip_init_t>
  {
    return skip_init_t{};
  }
  operator L() const
    requires(!std::is_constructible_v<L, skip_init_t>)
  {
    return L();
  }
};

/// The parameters' gradients of `layer`, without its input gradient where it can skip it.
template <class L, class X, class Y, class G>
void backward_parameters(L& layer, const X& x, const Y& y, const G& g) {
  if constexpr (requires { layer.backward(x, y, g, parameters_only); }) {
    layer.backward(x, y, g, parameters_only);
  } else {
    (void)backward(layer, x, y, g);
  }
}

}  // namespace detail
}  // namespace ctnn
