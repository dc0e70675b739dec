/// @file Defines ctnn::Concat<Branches...>: every branch fed the same input, their outputs
/// concatenated along the channel dimension (torch.cat(dim=1) of the batched tensors), as in
/// Inception, U-Net and DenseNet blocks. PyTorch has no built-in for it; ctnn's names,
/// state_dict and print(model) are those of the module a PyTorch user writes:
///
///   class Concat(nn.ModuleList):
///       def forward(self, x):
///           return torch.cat([b(x) for b in self], 1)
///
/// Storage: a sample is its elements in row-major order, so dimension 0 of a sample (the
/// channels) is the outermost: branch i's output (C_i, ...) is one contiguous block of rows of
/// each column, after those of branches 0 .. i-1. Forward writes each branch's output into its
/// block; backward hands each branch its block of the gradient and sums their input gradients.
#pragma once

#include "ctnn/detail/eigen.hpp"
#include <array>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ctnn/core/layer.hpp"
#include "ctnn/core/module.hpp"
#include "ctnn/core/scalar.hpp"
#include "ctnn/core/sequential.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/detail/shape_check.hpp"

namespace ctnn {

namespace detail {

/// Named so that the notes under Concat's checks read as sentences with the shapes.
template <int Index, class Branch>
struct concat_branch {
  template <int... Expected>
  struct expects_input_shape {
    template <int... Given>
    static constexpr bool but_the_input_shape_is = accepts<Branch>(Shape(Given...));
  };
  template <int... Produced>
  struct produces_shape {
    template <int Other, class OtherBranch>
    struct but_branch {
      template <int... OtherProduced>
      static constexpr bool produces = false;
    };
  };
};

template <int I, class B, class Expected, class Given>
struct check_concat_input;
template <int I, class B, int... E, int... G>
struct check_concat_input<I, B, dims<E...>, dims<G...>> {
  // Fix: every branch receives the Concat's input; make each branch's first layer take it.
  static_assert(concat_branch<I, B>::template expects_input_shape<E...>::template but_the_input_shape_is<G...>,
                "ctnn::Concat<Branches...>: every branch receives the Concat's input, and a branch does not take "
                "its shape (the note below names the branch, the shape it expects and the input's)");
};

template <int I, class B, class P, class B0, class P0>
struct check_concat_outputs;
template <int I, class B, int... P, class B0, int... P0>
struct check_concat_outputs<I, B, dims<P...>, B0, dims<P0...>> {
  // Fix: the branches may differ in their channels (the first dimension) only; make the other
  // dimensions agree (the same length, the same height and width).
  static_assert(concat_branch<I, B>::template produces_shape<P...>::template but_branch<0, B0>::template produces<P0...>,
                "ctnn::Concat<Branches...>: the branches' outputs must agree on every dimension but the first (the "
                "channels) to be concatenated along it (the note below names two branches and their shapes)");
};

template <std::size_t I>
struct concat_ok {};

/// Whether outputs a and b can be concatenated along their first dimension.
constexpr bool concatenable(Shape a, Shape b) {
  if (!a.known() || !b.known()) return true;
  if (a.rank != b.rank) return false;
  for (int d = 1; d < a.rank; ++d)
    if (a[d] != b[d]) return false;
  return true;
}

/// Concat's arguments taken apart: the input shape (given by a leading input_shape_tag, else
/// that of the first branch fixing one), the branches bound to it, their output shapes and
/// where each output's rows start.
template <Shape In, bool Given, class... Bs>
struct concat_parts_of {
  static constexpr std::size_t n = sizeof...(Bs);
  static constexpr Shape in_shape = In;
  static constexpr bool given = Given;
  using branches = std::tuple<Bs...>;

  static constexpr bool takes(Shape s) { return (accepts<Bs>(s) && ...); }
  /// The output shapes of the branches fed s.
  static constexpr std::array<Shape, n> outputs(Shape s) { return {output_shape<Bs>(s)...}; }
  static constexpr bool agree(Shape s) {
    const auto o = outputs(s);
    for (std::size_t i = 1; i < n; ++i)
      if (!concatenable(o[i], o[0])) return false;
    return true;
  }
  /// The concatenated output for s (unknown when a branch's output is).
  static constexpr Shape output_for(Shape s) {
    const auto o = outputs(s);
    Shape r = o[0];
    for (std::size_t i = 0; i < n; ++i)
      if (!o[i].known()) return Shape{};
    for (std::size_t i = 1; i < n; ++i) r.dims[0] += o[i][0];
    return r;
  }
  static constexpr bool well_formed = !In.known() || (takes(In) && agree(In));

  /// The check of branch I: it takes In, and its output concatenates with branch 0's.
  template <std::size_t I>
  struct check {
    using B = std::tuple_element_t<I, branches>;
    using B0 = std::tuple_element_t<0, branches>;
    static constexpr Shape input = In;
    // a Concat bound to a shape (Given) was checked by whoever bound it: only ctnn's probe of
    // the Layer concept binds it to a shape it may refuse, and that must not speak
    static constexpr bool takes_input = !In.known() || Given || accepts<B>(In);
    static constexpr Shape expected = expected_input<B>(In);
    static constexpr Shape produced = In.known() && takes(In) ? output_shape<B>(In) : Shape{};
    static constexpr Shape produced0 = In.known() && takes(In) ? output_shape<B0>(In) : Shape{};
    static constexpr auto pick() {
      if constexpr (!takes_input) {
        return std::type_identity<check_concat_input<static_cast<int>(I), B, dims_of<expected>, dims_of<input>>>{};
      } else if constexpr (!concatenable(produced, produced0)) {
        return std::type_identity<check_concat_outputs<static_cast<int>(I), B, dims_of<produced>, B0, dims_of<produced0>>>{};
      } else {
        return std::type_identity<concat_ok<I>>{};
      }
    }
    using type = typename decltype(pick())::type;
  };
  template <std::size_t... Is>
  static auto checks_of(std::index_sequence<Is...>) -> std::tuple<typename check<Is>::type...>;
  template <class Tuple>
  struct inherit;
  template <class... Cs>
  struct inherit<std::tuple<Cs...>> : Cs... {};
  using checks = inherit<decltype(checks_of(std::index_sequence_for<Bs...>{}))>;

  using bound_branches = std::conditional_t<In.known() && well_formed, std::tuple<bound<Bs, In>...>, branches>;
};

/// The input shape of the branches: the first that one of them fixes and all of them take;
/// when they all fix one and disagree, the first (so that the check names the odd branch);
/// else unknown (a branch waits for the shape: ctnn::with_input, or the layer before).
template <class... Bs>
constexpr Shape concat_input_shape() {
  const Shape fixed[] = {natural_input_shape<Bs>()...};
  for (const Shape s : fixed)
    if (s.known() && (accepts<Bs>(s) && ...)) return s;
  for (const Shape s : fixed)
    if (!s.known()) return Shape{};
  return fixed[0];
}

template <class... Bs>
struct concat_parts : concat_parts_of<concat_input_shape<Bs...>(), false, Bs...> {};
template <Shape In, class... Bs>
struct concat_parts<input_shape_tag<In>, Bs...> : concat_parts_of<In, true, Bs...> {};

}  // namespace detail

/// torch.cat([branch(x) for branch in branches], dim=1): each branch (a layer, usually a
/// Sequential) gets the same input; their outputs are concatenated along the channel
/// dimension (dimension 0 of a sample), so (C_0, L), (C_1, L) give (C_0 + C_1, L) and flat
/// outputs (F_0), (F_1) give (F_0 + F_1). The branches must agree on every other dimension
/// (one compile error naming two branches and their shapes otherwise). Children "0", "1", ...
/// as PyTorch's `class Concat(nn.ModuleList)`. A pure layer: inside a Sequential (which keeps
/// its x and y) it needs nothing of its own for backward; its branches keep what they keep.
template <class... Branches>
class Concat : detail::concat_parts<Branches...>::checks,
               public detail::sequential_scalar<typename detail::first_scalar<Branches...>::type> {
  using parts = detail::concat_parts<Branches...>;
  static constexpr std::size_t n = parts::n;
  static_assert(n > 0, "ctnn::Concat<Branches...>: give at least one branch");
  static_assert(detail::same_scalars<typename detail::first_scalar<Branches...>::type, Branches...>(),
                "ctnn::Concat: all branches with parameters must use the same scalar type "
                "(use ctnn::with_scalar<Net, double> to change them together)");

 public:
  /// The branches as they compute on the Concat's input shape (Linear<any, N> bound).
  using child_types = typename parts::bound_branches;

  // ---- shape rule ------------------------------------------------------------------------
  static constexpr Shape in_shape = parts::in_shape;
  static constexpr Shape out_shape = parts::well_formed ? parts::output_for(in_shape) : Shape{};
  static constexpr int in_features = in_shape.size();
  static constexpr int out_features = out_shape.size();
  static constexpr bool accepts(Shape in) {
    if (!in.known() || !parts::well_formed) return true;  // else the checks above have spoken
    if (parts::given) return in == in_shape;
    return parts::takes(in);  // outputs that do not concatenate: the bound Concat's check speaks
  }
  static constexpr Shape output_shape(Shape in) {
    if (!in.known() || parts::given) return out_shape;
    return parts::takes(in) ? parts::output_for(in) : Shape{};
  }
  static constexpr Shape expected_input(Shape in) { return in_shape.known() ? in_shape : in; }
  /// The same branches fed samples of shape In, when the Concat did not fix it itself.
  template <Shape In>
  using bind = std::conditional_t<!parts::given && In.known() && In != in_shape,
                                  Concat<detail::input_shape_tag<In>, Branches...>, Concat>;

  // ---- container protocol: every branch sees the input -----------------------------------
  static constexpr std::array<Shape, n + 1> child_input_shapes = [] {
    std::array<Shape, n + 1> a{};
    for (std::size_t i = 0; i < n; ++i) a[i] = in_shape;
    a[n] = out_shape;
    return a;
  }();
  static constexpr std::size_t size = n;

  static constexpr std::string_view repr_name = "Concat";
  template <class S>
  using with_scalar = Concat<ctnn::with_scalar<Branches, S>...>;

  Concat() = default;
  explicit Concat(skip_init_t) : Concat(skip_init_t{}, std::make_index_sequence<n>{}) {}

  // ---- forward: each branch into its block of rows ---------------------------------------

  template <class X>
  auto forward(const Eigen::MatrixBase<X>& x) {
    out_t<X> y(layout<X>().total, x.cols());
    forward_into(x, y);
    return y;
  }
  template <class X>
  auto operator()(const Eigen::MatrixBase<X>& x) {
    return forward(x);
  }
  /// Writes branch i's output into rows [offset_i, offset_i + rows_i) of y (what Sequential
  /// calls with a view of its activation buffer).
  template <class X, class Y>
  void forward_into(const Eigen::MatrixBase<X>& x, Y&& y) {
    if constexpr (well_formed_for<X>()) {
      [&]<std::size_t... Is>(std::index_sequence<Is...>) {
        ((block<Is, X>(y) = std::get<Is>(branches_).forward(x)), ...);
      }(std::make_index_sequence<n>{});
    }
  }
  template <class X>
  auto infer(const Eigen::MatrixBase<X>& x) const {
    out_t<X> y(layout<X>().total, x.cols());
    if constexpr (well_formed_for<X>()) {
      [&]<std::size_t... Is>(std::index_sequence<Is...>) {
        ((block<Is, X>(y) = detail::infer(std::get<Is>(branches_), x)), ...);
      }(std::make_index_sequence<n>{});
    }
    return y;
  }

  // ---- backward: each branch its block of the gradient; the input gradients add up -------

  template <class X, class Y, class G>
  auto backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>& y, const Eigen::MatrixBase<G>& g) {
    using dx_t = Matrix<typename G::Scalar, X::RowsAtCompileTime, G::ColsAtCompileTime>;
    dx_t dx(x.rows(), g.cols());
    if constexpr (well_formed_for<X>()) {
      [&]<std::size_t... Is>(std::index_sequence<Is...>) {
        dx = branch_backward<0, X>(x, y, g);
        ((Is > 0 ? void(dx += branch_backward<Is, X>(x, y, g)) : void()), ...);
      }(std::make_index_sequence<n>{});
    }
    return dx;
  }
  /// The branches' parameter gradients only (the Concat first in a network with parameters).
  template <class X, class Y, class G>
  void backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>& y, const Eigen::MatrixBase<G>& g,
                parameters_only_t) {
    if constexpr (well_formed_for<X>()) {
      [&]<std::size_t... Is>(std::index_sequence<Is...>) {
        (detail::backward_parameters(std::get<Is>(branches_), x.derived(), block<Is, X>(y.derived()),
                                     block<Is, X>(g.derived())),
         ...);
      }(std::make_index_sequence<n>{});
    }
  }

  // ---- children --------------------------------------------------------------------------

  /// Calls f("0", branch0), f("1", branch1), ...: the names of nn.ModuleList's children.
  template <class F>
  void for_each_child(F&& f) {
    for_each_child_impl(*this, f, std::make_index_sequence<n>{});
  }
  template <class F>
  void for_each_child(F&& f) const {
    for_each_child_impl(*this, f, std::make_index_sequence<n>{});
  }
  /// Branch I, as concat[I] in PyTorch.
  template <std::size_t I>
  auto& get() {
    return std::get<I>(branches_);
  }
  template <std::size_t I>
  const auto& get() const {
    return std::get<I>(branches_);
  }

 private:
  template <class Self, class F, std::size_t... Is>
  static void for_each_child_impl(Self& self, F& f, std::index_sequence<Is...>) {
    (f(detail::index_name<Is>::value, std::get<Is>(self.branches_)), ...);
  }
  template <std::size_t... Is>
  Concat(skip_init_t, std::index_sequence<Is...>)
      : branches_(detail::skip_init_arg<std::tuple_element_t<Is, child_types>>{}...) {}

  /// The input shape for an input of XR rows: the Concat's, or (branches that all take what
  /// arrives) a flat sample of XR.
  template <int XR>
  static constexpr Shape input_for() {
    return in_shape.known() || XR == Eigen::Dynamic ? in_shape : Shape(XR);
  }
  template <class X>
  static constexpr bool well_formed_for() {
    constexpr Shape in = input_for<X::RowsAtCompileTime>();
    return parts::well_formed && in.known() && parts::takes(in) && parts::agree(in);
  }
  struct layout_t {
    std::array<int, n> rows{}, offsets{};
    int total = 0;
  };
  /// Rows and first row of each branch's output, for an input X.
  template <class X>
  static constexpr layout_t layout() {
    layout_t l;
    constexpr Shape in = input_for<X::RowsAtCompileTime>();
    if constexpr (well_formed_for<X>()) {
      const auto o = parts::outputs(in);
      for (std::size_t i = 0; i < n; ++i) {
        l.rows[i] = o[i].size();
        l.offsets[i] = l.total;
        l.total += l.rows[i];
      }
    }
    return l;
  }
  template <class X>
  using out_t = Matrix<typename X::Scalar, layout<X>().total == 0 ? 1 : layout<X>().total, X::ColsAtCompileTime>;

  /// Branch I's rows of a batch (its output in y, its gradient in g).
  template <std::size_t I, class X, class M>
  static auto block(M&& m) {
    constexpr layout_t l = layout<X>();
    return m.template middleRows<l.rows[I]>(l.offsets[I]);
  }
  template <std::size_t I, class X, class Y, class G>
  auto branch_backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>& y, const Eigen::MatrixBase<G>& g) {
    return detail::backward(std::get<I>(branches_), x.derived(), block<I, X>(y.derived()), block<I, X>(g.derived()));
  }

  child_types branches_;
};

}  // namespace ctnn
