/// @file Shapes and the shape rule of a layer: pure constexpr, no Eigen.
///
/// A sample has a shape, PyTorch's without the batch dimension: (F) for an MLP, (C, L) for a
/// 1-D convolution, (C, H, W) for a 2-D one, (T, F) for a recurrent layer. It is a
/// compile-time value (ctnn::Shape) that flows through a network; the element counts are what
/// `in_features` and `out_features` mean. Storage never depends on it: a sample is its
/// elements contiguous in row-major order, a batch is `elements x B` with sample j in column j.
///
/// A layer states its shape rule in one of two ways:
/// - widths only: `in_features = 8, out_features = 128` (a layer on flat samples), or
///   `in_features = ctnn::any, out_features = ctnn::any` (takes any shape, gives it back);
/// - a rule over shapes, with the hooks of docs/concepts.md#shape-hooks:
///   `static constexpr bool accepts(Shape in)`, `static constexpr Shape output_shape(Shape in)`
///   and, for the diagnostic, `static constexpr Shape expected_input(Shape in)`; a layer whose
///   type depends on the shape it receives (Linear<any, N>) also has `template <Shape In>
///   using bind = ...`.
/// The functions below answer those questions for every layer, with the widths-only defaults.
#pragma once

#include <cstddef>
#include <type_traits>
#include <utility>

namespace ctnn {

/// "Whatever arrives": the width of a shape-polymorphic layer, or a dimension a layer takes
/// from its input.
inline constexpr int any = 0;

/// The most dimensions a sample has: (C, D, H, W).
inline constexpr int max_rank = 4;

/// A per-sample shape, PyTorch's order without the batch dimension. Rank 0 means "not known
/// at compile time" (the input of a network of shape-polymorphic layers only).
struct Shape {
  int rank = 0;
  int dims[max_rank] = {};

  constexpr Shape() = default;
  template <class... D>
    requires(sizeof...(D) >= 1 && sizeof...(D) <= max_rank && (std::is_convertible_v<D, int> && ...))
  constexpr explicit Shape(D... d) : rank(static_cast<int>(sizeof...(D))), dims{static_cast<int>(d)...} {}

  constexpr bool known() const { return rank > 0; }
  /// Number of elements (ctnn::any when not known).
  constexpr int size() const {
    if (!known()) return any;
    int n = 1;
    for (int i = 0; i < rank; ++i) n *= dims[i];
    return n;
  }
  constexpr int operator[](int i) const { return dims[i]; }
  constexpr int last() const { return known() ? dims[rank - 1] : any; }
  /// The same shape with its last dimension replaced (Linear's rule).
  constexpr Shape with_last(int d) const {
    Shape s = *this;
    s.dims[s.rank - 1] = d;
    return s;
  }
  friend constexpr bool operator==(const Shape&, const Shape&) = default;
};

/// The shape (D...), e.g. `ctnn::shape_of<1, 28, 28>`.
template <int... D>
inline constexpr Shape shape_of = Shape(D...);

/// The flat shape of n elements: (n), or unknown for ctnn::any.
constexpr Shape flat_shape(int n) { return n == any ? Shape{} : Shape(n); }

namespace detail {

template <class L>
concept StatesShapes = requires(Shape s) {
  { L::accepts(s) } -> std::convertible_to<bool>;
  { L::output_shape(s) } -> std::convertible_to<Shape>;
};

}  // namespace detail

/// The shape layer L takes when nothing else decides it: (in_features) for a fixed-width
/// layer, L::in_shape when it declares one, unknown for a layer that takes what arrives.
template <class L>
constexpr Shape natural_input_shape() {
  if constexpr (requires { Shape(L::in_shape); }) {
    return L::in_shape;
  } else if constexpr (detail::StatesShapes<L>) {
    return Shape{};
  } else {
    return flat_shape(L::in_features);
  }
}

/// Whether layer L takes a sample of shape `in` (unknown: whether it can work without knowing).
template <class L>
constexpr bool accepts(Shape in) {
  if constexpr (detail::StatesShapes<L>) {
    return L::accepts(in);
  } else {
    const Shape e = natural_input_shape<L>();
    return !e.known() || !in.known() || e == in;
  }
}

/// The shape layer L produces from a sample of shape `in` (which it accepts).
template <class L>
constexpr Shape output_shape(Shape in) {
  if constexpr (detail::StatesShapes<L>) {
    return L::output_shape(in);
  } else if constexpr (L::out_features != any) {
    return Shape(L::out_features);
  } else {
    return in.known() ? in : natural_input_shape<L>();
  }
}

/// The shape L would have taken where `in` arrived (for diagnostics).
template <class L>
constexpr Shape expected_input(Shape in) {
  if constexpr (requires { Shape(L::expected_input(in)); }) {
    return L::expected_input(in);
  } else {
    const Shape e = natural_input_shape<L>();
    return e.known() ? e : in;
  }
}

/// Width of the output of layer L when `in` features arrive as a flat sample (`any` if not
/// known yet).
template <class L>
constexpr int output_width(int in) {
  return output_shape<L>(flat_shape(in)).size();
}

/// L as it computes on samples of shape In: `L::bind<In>` when L has it (Linear<any, N> on
/// (400) is Linear<400, N>), else L.
template <class L, Shape In>
struct bind_shape {
  using type = L;
};
template <class L, Shape In>
  requires requires { typename L::template bind<In>; }
struct bind_shape<L, In> {
  using type = typename L::template bind<In>;
};
template <class L, Shape In>
using bound = typename bind_shape<L, In>::type;

/// Whether layer L only reshapes (Flatten, Unflatten: `static constexpr bool reshapes_only`):
/// its output is its input's bytes, so its owner may keep one buffer for both.
template <class L>
inline constexpr bool reshapes_only = requires { requires L::reshapes_only; };

namespace detail {

/// The shapes of a chain Ls... fed a sample of shape `in`: shapes[i] arrives at layer i,
/// shapes[n] leaves the chain; ok[i] says whether layer i accepts what arrives (the shapes
/// after the first refusal are what the layer would have made of it, for a single error).
template <class... Ls>
struct chain_shapes_t {
  Shape shapes[sizeof...(Ls) + 1];
  bool ok[sizeof...(Ls) + 1];
};

template <class... Ls>
constexpr chain_shapes_t<Ls...> chain_shapes(Shape in) {
  chain_shapes_t<Ls...> r{};
  std::size_t i = 0;
  r.shapes[0] = in;
  ((r.ok[i] = accepts<Ls>(r.shapes[i]),
    r.shapes[i + 1] = r.ok[i] ? output_shape<Ls>(r.shapes[i]) : output_shape<Ls>(expected_input<Ls>(r.shapes[i])),
    ++i),
   ...);
  r.ok[sizeof...(Ls)] = true;
  return r;
}

/// The input shape of a chain: that of its first layer that fixes one, which every
/// shape-polymorphic layer before it passes through unchanged (unknown when a layer with a
/// shape rule of its own, such as Flatten, comes first).
template <class... Ls>
constexpr Shape chain_input_shape() {
  Shape in{};
  bool open = true;
  ((open ? (natural_input_shape<Ls>().known() ? (in = natural_input_shape<Ls>(), open = false)
                                               : (open = !StatesShapes<Ls>))
         : false),
   ...);
  return in;
}

}  // namespace detail

namespace detail {
template <Shape In, class... Ls>
constexpr bool chainable_from() {
  constexpr auto c = chain_shapes<Ls...>(In);
  for (std::size_t i = 0; i < sizeof...(Ls); ++i)
    if (!c.ok[i]) return false;
  return true;
}
}  // namespace detail

/// True when every layer of Ls... takes the shape that reaches it from the one before. The
/// pure predicate behind Sequential's diagnostic (usable in requires-expressions and static
/// tests). `ChainableFrom<In, Ls...>` starts the chain at the shape In.
template <Shape In, class... Ls>
concept ChainableFrom = sizeof...(Ls) > 0 && detail::chainable_from<In, Ls...>();

template <class... Ls>
concept Chainable = ChainableFrom<detail::chain_input_shape<Ls...>(), Ls...>;

}  // namespace ctnn
