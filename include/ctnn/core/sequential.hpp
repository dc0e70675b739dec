/// @file Defines ctnn::Sequential<Layers...>, torch.nn.Sequential as a type: the chain of
/// widths is checked when the type is named, and forward and backward are composed at
/// compile time (no virtual calls, no type erasure).
///
/// Sequential owns the activations a_0 (its input) ... a_n (its output) of the last forward,
/// so its layers stay pure: layer i computes a_{i+1} = forward(a_i) and
/// d a_i = backward(a_i, a_{i+1}, d a_{i+1}). The activation buffers hold one sample from
/// construction on; a larger batch grows them once, on the first forward with that size.
/// Inside forward and backward they are viewed with their compile-time shapes. A Sequential
/// of parameter-free layers has no scalar type of its own: it computes in the input's.
#pragma once

#include "ctnn/detail/eigen.hpp"
#include <algorithm>
#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ctnn/core/error.hpp"
#include "ctnn/core/layer.hpp"
#include "ctnn/core/module.hpp"
#include "ctnn/core/scalar.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/shared.hpp"
#include "ctnn/core/streaming.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/detail/activation_buffer.hpp"
#include "ctnn/detail/fuse.hpp"
#include "ctnn/detail/reshape.hpp"
#include "ctnn/detail/shape_check.hpp"

namespace ctnn {

namespace detail {
/// The scalar type of the first layer of Ls... that has one; void when none has.
template <class... Ls>
struct first_scalar {
  using type = void;
};
template <class L, class... Ls>
struct first_scalar<L, Ls...> {
  using type = std::conditional_t<requires { typename L::scalar_type; }, scalar_of<L>,
                                  typename first_scalar<Ls...>::type>;
};

/// Sequential's scalar_type, present only when one of its layers has parameters.
template <class S>
struct sequential_scalar {
  using scalar_type = S;
};
template <>
struct sequential_scalar<void> {};

template <class S, class... Ls>
constexpr bool same_scalars() {
  return ((!requires { typename Ls::scalar_type; } || std::is_same_v<scalar_of<Ls>, S>)&&...);
}
}  // namespace detail

namespace detail {
/// What Sequential<Ls...> checks when it is named: that every argument is a layer, and then
/// that the shapes chain from In.
template <Shape In, class... Ls>
using sequential_checks =
    std::conditional_t<(Layer<Ls> && ...), link_checks<In, Ls...>,
                       argument_checks<std::index_sequence_for<Ls...>, Ls...>>;
template <Shape In, class... Ls>
using sequential_input_checks = std::conditional_t<(Layer<Ls> && ...), input_known_checks<In, Ls...>, link_ok<0>>;

/// The first argument of a Sequential made by ctnn::with_input: the shape of one sample. It is
/// no layer and has no index, so state_dict names stay PyTorch's ("0.weight").
template <Shape In>
struct input_shape_tag {};

template <class... Ls>
inline constexpr bool all_layers = (Layer<Ls> && ...);

/// The shapes arriving at each layer of Ls... fed `in` (all unknown when an argument is no
/// layer: that is reported on its own).
template <class... Ls>
constexpr std::array<Shape, sizeof...(Ls) + 1> sequential_shapes(Shape in) {
  std::array<Shape, sizeof...(Ls) + 1> a{};
  if constexpr (all_layers<Ls...>) {
    const auto c = chain_shapes<Ls...>(in);
    for (std::size_t i = 0; i <= sizeof...(Ls); ++i) a[i] = c.shapes[i];
  }
  return a;
}
template <class... Ls>
constexpr bool sequential_chains(Shape in) {
  if constexpr (all_layers<Ls...>) {
    const auto c = chain_shapes<Ls...>(in);
    for (std::size_t i = 0; i < sizeof...(Ls); ++i)
      if (!c.ok[i]) return false;
    return true;
  } else {
    return false;
  }
}
template <class... Ls>
constexpr Shape sequential_input_shape() {
  if constexpr (all_layers<Ls...>) {
    return chain_input_shape<Ls...>();
  } else {
    return Shape{};
  }
}

/// Sequential's arguments taken apart: the layers, the input shape (given, or that of the
/// first layer fixing one), and the layers as they compute on the shapes that reach them.
template <Shape In, bool Given, class... Ls>
struct sequential_parts_of {
  static constexpr Shape in_shape = In;
  using layers = std::tuple<Ls...>;
  static constexpr bool given = Given;
  static constexpr bool well_formed = sequential_chains<Ls...>(In);
  static constexpr auto shapes = sequential_shapes<Ls...>(In);
  using checks = sequential_checks<In, Ls...>;
  using input_checks = sequential_input_checks<In, Ls...>;
  static constexpr bool chains(Shape s) { return sequential_chains<Ls...>(s); }
  static constexpr Shape output_for(Shape s) { return sequential_shapes<Ls...>(s)[sizeof...(Ls)]; }

  /// Ls... bound to the shapes that reach them from S (Ls... themselves when that is unknown
  /// or the chain is broken).
  template <Shape S>
  static constexpr auto bind_to() {
    if constexpr (S.known() && sequential_chains<Ls...>(S)) {
      constexpr auto at = sequential_shapes<Ls...>(S);
      return [&]<std::size_t... Is>(std::index_sequence<Is...>) {
        return std::type_identity<std::tuple<bound<Ls, at[Is]>...>>{};
      }(std::index_sequence_for<Ls...>{});
    } else {
      return std::type_identity<layers>{};
    }
  }
  using bound_layers = typename decltype(bind_to<In>())::type;

  /// Whether samples of shape S call for this chain bound to S: a shape it did not fix itself.
  template <Shape S>
  static constexpr bool rebinds() {
    return !Given && S.known() && S != In;
  }
};

/// Sequential's arguments with every Shared<I> replaced by the layer it reuses (for shapes,
/// checks and computing), and where each position's object is (targets[k]: k, or the
/// reused layer's index).
template <class... Ls>
struct shared_resolution {
  using raw = std::tuple<Ls...>;
  template <std::size_t... Ks>
  static auto resolve(std::index_sequence<Ks...>) -> std::tuple<typename shared_target<Ks, raw>::type...>;
  using resolved = decltype(resolve(std::index_sequence_for<Ls...>{}));
  static constexpr auto targets = []<std::size_t... Ks>(std::index_sequence<Ks...>) {
    return std::array<std::size_t, sizeof...(Ls)>{shared_target<Ks, raw>::index...};
  }(std::index_sequence_for<Ls...>{});
};

template <Shape In, bool Given, class Resolved>
struct sequential_parts_from;
template <Shape In, bool Given, class... Rs>
struct sequential_parts_from<In, Given, std::tuple<Rs...>> : sequential_parts_of<In, Given, Rs...> {};

template <Shape In, bool Given, class... Ls>
struct sequential_parts_shared : shared_resolution<Ls...>,
                                 sequential_parts_from<In, Given, typename shared_resolution<Ls...>::resolved> {
  using base = sequential_parts_from<In, Given, typename shared_resolution<Ls...>::resolved>;
  using compute_layers = typename base::bound_layers;
  /// The children as walkers see them: a reused position holds a shared_child.
  template <std::size_t... Ks>
  static auto children(std::index_sequence<Ks...>)
      -> std::tuple<std::conditional_t<shared_resolution<Ls...>::targets[Ks] == Ks, std::tuple_element_t<Ks, compute_layers>,
                                       shared_child<shared_resolution<Ls...>::targets[Ks],
                                                    std::tuple_element_t<Ks, compute_layers>>>...>;
  using child_layers = decltype(children(std::index_sequence_for<Ls...>{}));
};

template <class Tuple>
struct tuple_input_shape;
template <class... Rs>
struct tuple_input_shape<std::tuple<Rs...>> {
  static constexpr Shape value = sequential_input_shape<Rs...>();
};

template <class... Ls>
struct sequential_parts
    : sequential_parts_shared<tuple_input_shape<typename shared_resolution<Ls...>::resolved>::value, false, Ls...> {};
template <Shape In, class... Ls>
struct sequential_parts<input_shape_tag<In>, Ls...> : sequential_parts_shared<In, true, Ls...> {};

/// f.template operator()<Ts...>() for the types of std::tuple<Ts...>.
template <class Tuple, class F>
constexpr auto apply_tuple(F f) {
  return [&]<std::size_t... Is>(std::index_sequence<Is...>) {
    return f.template operator()<std::tuple_element_t<Is, Tuple>...>();
  }(std::make_index_sequence<std::tuple_size_v<Tuple>>{});
}

}  // namespace detail

template <class... Layers>
class Sequential : detail::sequential_parts<Layers...>::checks,
                   public detail::sequential_scalar<typename detail::first_scalar<Layers...>::type> {
  static_assert(sizeof...(Layers) > 0, "ctnn::Sequential<Layers...>: give at least one layer");
  using parts = detail::sequential_parts<Layers...>;

 public:
  /// The layers as they compute on the shapes that reach them (Linear<any, 10> after 400
  /// elements is Linear<400, 10>); a position reusing an earlier layer (ctnn::Shared<I>) holds
  /// a detail::shared_child naming it.
  using child_types = typename parts::child_layers;

 private:
  static constexpr std::size_t n = std::tuple_size_v<child_types>;
  static constexpr auto shapes = parts::shapes;
  /// The layer each position computes with (a Shared<I> position: layer I's type).
  using compute_types = typename parts::compute_layers;

 public:
  static_assert(detail::same_scalars<typename detail::first_scalar<Layers...>::type, Layers...>(),
                "ctnn::Sequential: all layers with parameters must use the same scalar type "
                "(use ctnn::with_scalar<Net, double> to change them together)");

  /// Shape of one sample in and out, PyTorch's without the batch dimension (rank 0 when every
  /// layer is shape-polymorphic: the input decides).
  static constexpr Shape in_shape = shapes[0];
  static constexpr Shape out_shape = shapes[n];
  /// Element counts of one sample (ctnn::any when every layer is shape-polymorphic).
  static constexpr int in_features = in_shape.size();
  static constexpr int out_features = out_shape.size();

  // The shape rule of a Sequential used as a layer: its chain, fed what arrives.
  static constexpr bool accepts(Shape in) {
    // no input shape yet (a container's body whose first layer needs one): what chains
    if (!in_shape.known() && !parts::given) return in.known() && parts::chains(in);
    if (!parts::well_formed) return true;  // the checks above have spoken
    if (!in.known() || (in_shape.known() && parts::given)) return !in.known() ? parts::chains(in_shape) : in == in_shape;
    return parts::chains(in);
  }
  static constexpr Shape output_shape(Shape in) {
    if (!in.known() || parts::given) return out_shape;
    return parts::output_for(in);
  }
  static constexpr Shape expected_input(Shape in) {
    if (in_shape.known()) return in_shape;
    return ctnn::expected_input<std::tuple_element_t<0, typename parts::layers>>(in);
  }
  /// The same layers fed samples of shape In, when that changes one of them (a Linear<any, N>
  /// or a layer that acts on the last dimension).
  template <Shape In>
  using bind = std::conditional_t<parts::template rebinds<In>(), Sequential<detail::input_shape_tag<In>, Layers...>,
                                  Sequential>;

  /// The shape reaching each child, and (last) the output's: the container protocol's answer
  /// to "which shape does child i see" (docs/concepts.md#containers).
  static constexpr std::array<Shape, n + 1> child_input_shapes = shapes;

  /// Number of layers, as len(nn.Sequential).
  static constexpr std::size_t size = n;
  static constexpr std::string_view repr_name = "Sequential";

  template <class S>
  using with_scalar = Sequential<ctnn::with_scalar<Layers, S>...>;

  // The constructors check that every layer's input shape is known (detail::link_check).
  Sequential() { static_assert(sizeof(typename parts::input_checks) > 0); }
  /// ctnn::skip_init: every layer made by skip_init; no activation buffer is
  /// allocated until a forward needs one, so a model that only infers never touches the heap.
  explicit Sequential(skip_init_t) : Sequential(skip_init_t{}, std::make_index_sequence<n>{}) {
    static_assert(sizeof(typename parts::input_checks) > 0);
  }

  // ---- forward ---------------------------------------------------------------------------

  /// Runs every layer in order and keeps the activations that backward needs. Takes one
  /// sample (in_features x 1) or a batch (in_features x B; B fixed or Eigen::Dynamic), as a
  /// matrix, a Map or any Eigen expression; returns out_features x B.
  template <class X>
  auto forward(const Eigen::MatrixBase<X>& x) {
    using S = typename X::Scalar;
    constexpr int B = X::ColsAtCompileTime;
    using out_t = Matrix<S, width<X::RowsAtCompileTime>(n), B>;
    if constexpr (!check_input<X>()) {
      return out_t{};  // the static_assert above has spoken; stop the cascade
    } else {
      out_t y = run_forward(x);
      return y;
    }
  }

  /// forward, writing the output into the caller's y (out_features x B, a matrix or a Map of
  /// that size, not aliasing x) instead of returning it: the activations are kept as by
  /// forward (backward may follow). forward's returned matrix is a heap allocation per call
  /// when its batch size is a run-time one (or it is above Eigen's stack limit); this is not.
  /// Batch inference without allocation: eval(), then forward_into (the buffers grow on the
  /// first call with a batch size, never after).
  template <class X, class Y>
  void forward_into(const Eigen::MatrixBase<X>& x, Y&& y) {
    if constexpr (check_input<X>()) {
      if (y.rows() != width<X::RowsAtCompileTime>(n) && width<X::RowsAtCompileTime>(n) != Eigen::Dynamic)
        detail::fail("ctnn::Sequential::forward_into: the output has ", y.rows(), " rows, expected ",
                     width<X::RowsAtCompileTime>(n));
      if (y.cols() != x.cols())
        detail::fail("ctnn::Sequential::forward_into: the output has ", y.cols(), " columns, the input ", x.cols());
      y = run_forward(x);
    }
  }

  /// net(x) is net.forward(x), as in PyTorch.
  template <class X>
  auto operator()(const Eigen::MatrixBase<X>& x) {
    return forward(x);
  }

  /// Inference without keeping anything for backward (torch.inference_mode()): const, so one
  /// model may serve several threads; no buffers touched. Layers with random behaviour in
  /// training (Dropout) act as in eval mode here.
  template <class X>
  auto infer(const Eigen::MatrixBase<X>& x) const {
    constexpr int B = X::ColsAtCompileTime;
    using out_t = Matrix<typename X::Scalar, width<X::RowsAtCompileTime>(n), B>;
    if constexpr (!check_input<X>()) {
      return out_t{};
    } else {
      (void)checked_rows(x.rows());
      return infer_from<0>(x.derived());
    }
  }

  /// infer, writing the output into the caller's y (out_features x B, a matrix or a Map of
  /// that size, not aliasing x): batch inference that allocates nothing. When one sample's
  /// activations all fit Eigen's stack limit (sample_on_stack), it runs the samples one at a
  /// time through the whole chain: each layer's output is a fixed-size matrix on the stack,
  /// and a sample's maps stay in the cache from layer to layer (a whole batch of maps passing
  /// layer by layer would not: CNN2's first 64 maps are 1.6 MB). Otherwise it computes as
  /// infer does (each large layer output a heap matrix) and copies the result into y.
  template <class X, class Y>
  void infer_into(const Eigen::MatrixBase<X>& x, Y&& y) const {
    constexpr int XR = X::RowsAtCompileTime;
    if constexpr (check_input<X>()) {
      (void)checked_rows(x.rows());
      if (y.rows() != width<XR>(n) && width<XR>(n) != Eigen::Dynamic)
        detail::fail("ctnn::Sequential::infer_into: the output has ", y.rows(), " rows, expected ", width<XR>(n));
      if (y.cols() != x.cols())
        detail::fail("ctnn::Sequential::infer_into: the output has ", y.cols(), " columns, the input ", x.cols());
      if constexpr (sample_on_stack<typename X::Scalar, XR>()) {
        for (Eigen::Index j = 0; j < x.cols(); ++j) {
          if constexpr (detail::contiguous_storage<X>) {
            const Eigen::Map<const Eigen::Matrix<typename X::Scalar, XR, 1>> xj(x.derived().data() + j * XR);
            y.col(j) = infer_from<0>(xj);
          } else {
            y.col(j) = infer_from<0>(x.col(j));
          }
        }
      } else {
        y = infer_from<0>(x.derived());
      }
    }
  }

  /// Whether every activation of one sample (input rows XR) is a fixed-size matrix on the
  /// stack, so that infer on one sample allocates nothing.
  template <class S, int XR>
  static constexpr bool sample_on_stack() {
    if constexpr (XR == Eigen::Dynamic) {
      return false;
    } else {
      for (std::size_t i = 0; i <= n; ++i) {
        const int w = width<XR>(i);
        if (w == Eigen::Dynamic || static_cast<std::size_t>(w) * sizeof(S) > EIGEN_STACK_ALLOCATION_LIMIT) return false;
      }
      return true;
    }
  }

  // ---- backward --------------------------------------------------------------------------

  /// Given dLoss/dOutput (out_features x B, B as in the last forward), adds every
  /// parameter's gradient to its .grad and returns dLoss/dInput (in_features x B). The layers'
  /// input gradients go through two gradient buffers kept by this Sequential (grown on the
  /// first backward of a batch size, like the activations), so nothing is allocated after
  /// that. What it returns: a matrix (a value) when in_features x B fits Eigen's stack limit
  /// (ctnn::Matrix is then fixed-size); otherwise a read-only view into a gradient buffer,
  /// valid until the next backward of this Sequential (copy it, `Matrix<...> dx = ...`, to
  /// keep it). backward_into(grad_out, dx) writes it into the caller's matrix instead.
  template <class G>
  auto backward(const Eigen::MatrixBase<G>& grad_out) {
    using S = typename G::Scalar;
    constexpr int B = G::ColsAtCompileTime;
    // Rows of the input: fixed by the chain, or (all layers polymorphic) those of the gradient.
    constexpr int XR = in_features != any ? in_features : G::RowsAtCompileTime;
    using in_t = Matrix<S, width<XR>(0), B>;
    if constexpr (!check_gradient<G>()) {
      return in_t{};
    } else if constexpr (detail::fits_on_stack<S, width<XR>(0), B>) {
      in_t dx;
      check_backward_call<S>(grad_out.rows(), grad_out.cols());
      shape_gradients<S>();
      backward_chain<n - 1, 0, S, XR, B>(grad_out.derived(), dx);
      return dx;
    } else {
      check_backward_call<S>(grad_out.rows(), grad_out.cols());
      shape_gradients<S>();
      // the input gradient lands in the buffer the chain's last step writes
      auto dx = gradient_view<last_parity(), 0, S, XR, B>();
      backward_chain<n - 1, 0, S, XR, B>(grad_out.derived(), dx);
      // typed as the matrix backward returned by value before (run-time columns), so that an
      // expression of it evaluates to a heap matrix, never to a fixed one above the stack limit
      return Eigen::Map<const in_t, Eigen::Aligned64>(dx.data(), dx.rows(), dx.cols());
    }
  }

  /// backward(grad_out) writing dLoss/dInput into dx (in_features x B: a matrix, Map or block).
  template <class G, class DX>
  void backward_into(const Eigen::MatrixBase<G>& grad_out, DX&& dx) {
    using S = typename G::Scalar;
    constexpr int B = G::ColsAtCompileTime;
    constexpr int XR = in_features != any ? in_features : G::RowsAtCompileTime;
    if constexpr (check_gradient<G>()) {
      check_backward_call<S>(grad_out.rows(), grad_out.cols());
      shape_gradients<S>();
      backward_chain<n - 1, 0, S, XR, B>(grad_out.derived(), dx);
    }
  }

  /// backward(grad_out, ctnn::parameters_only): adds every parameter's gradient to its .grad,
  /// as backward(grad_out) does, but computes no input gradient: the first layer with
  /// parameters computes only its own (Linear skips W^T dY), and the layers before it, which
  /// have no parameters, are not run backward at all. For the top of a training step, where
  /// PyTorch's loss.backward() computes no gradient for an input that does not require one.
  template <class G>
  void backward(const Eigen::MatrixBase<G>& grad_out, parameters_only_t) {
    using S = typename G::Scalar;
    constexpr int B = G::ColsAtCompileTime;
    constexpr int XR = in_features != any ? in_features : G::RowsAtCompileTime;
    if constexpr (check_gradient<G>()) {
      check_backward_call<S>(grad_out.rows(), grad_out.cols());
      constexpr std::size_t first = first_with_parameters();
      shape_gradients<S>();
      if constexpr (first < n) backward_parameters_from<n - 1, first, 0, S, XR, B>(grad_out.derived());
    }
  }

  /// The layer forms of backward, used when this Sequential is a layer of another one: the
  /// activations it needs are its own.
  template <class X, class Y, class G>
  auto backward(const X&, const Y&, const G& grad_out) {
    return backward(grad_out);
  }
  template <class X, class Y, class G, class DX>
  void backward_into(const X&, const Y&, const G& grad_out, DX&& dx) {
    backward_into(grad_out, dx);
  }
  template <class X, class Y, class G>
  void backward(const X&, const Y&, const G& grad_out, parameters_only_t) {
    backward(grad_out, parameters_only);
  }

  // ---- streaming (core/streaming.hpp, docs/concepts.md#streaming) ------------------------

 private:
  static constexpr auto stream = detail::step_chain_of<child_types>::value;

 public:
  /// Whether every layer streams: it has a step of its own (GRU, LSTM, causal Conv1d, a nested
  /// Sequential that streams) or maps one time step to one (Linear, activations).
  static constexpr bool streams = stream.streams();
  /// Features of one time step in and out (ctnn::any when no layer fixes them: the input decides).
  static constexpr int step_in_features = stream.in;
  static constexpr int step_out_features = stream.out;

  /// One time step (a step_in_features vector) or a block of n steps (step_in_features x n,
  /// column t = step t; n fixed, or Eigen::Dynamic with a compile-time bound MaxCols): runs
  /// each layer's step, or its inference forward on the columns for a layer without state,
  /// and returns step_out_features x n. The stateful layers' states carry over to the next
  /// call. With n fixed (or bounded) it allocates nothing, throws nothing, locks nothing.
  template <class X>
  auto step(const Eigen::MatrixBase<X>& x) {
    using S = typename X::Scalar;
    constexpr int R = step_out_features != any ? step_out_features : X::RowsAtCompileTime;
    constexpr int C = X::ColsAtCompileTime;
    using out_t = Eigen::Matrix<S, R, C, R == 1 && C != 1 ? Eigen::RowMajor : Eigen::ColMajor, R, X::MaxColsAtCompileTime>;
    if constexpr (!detail::check_stream<child_types>() || !check_step_input<X>()) {
      return out_t{};  // the static_assert has spoken; stop the cascade
    } else if constexpr (C == Eigen::Dynamic) {
      if (step_in_features != any && x.rows() != step_in_features)
        detail::fail("ctnn::Sequential::step: expected ", step_in_features, " features per step (rows), got ", x.rows());
      // a run-time count: one fixed-size step per column (a bounded X keeps the result on the stack)
      out_t y(R == Eigen::Dynamic ? x.rows() : R, x.cols());
      for (Eigen::Index t = 0; t < x.cols(); ++t) y.col(t) = step_from<0>(x.col(t));
      return y;
    } else {
      return step_from<0>(x.derived());
    }
  }

  /// Audio-callback form: the n time steps of `in` (step_in_features x n, a matrix, Map or
  /// block) through the model into `out` (step_out_features x n; may be `in` itself when the
  /// widths agree). Runs blocks of MaxBlock steps, each a fixed-size step(), then the rest
  /// step by step: all intermediate values have compile-time sizes, on the stack.
  template <int MaxBlock = 64, class X, class Y>
  void process(const Eigen::MatrixBase<X>& in, Eigen::MatrixBase<Y> const& out_) {
    static_assert(MaxBlock > 0, "ctnn::Sequential::process<MaxBlock>: MaxBlock must be positive");
    // Eigen's idiom for writing through a temporary (a Map, a block): the object is not const
    auto& out = const_cast<Eigen::MatrixBase<Y>&>(out_);
    constexpr int C = X::ColsAtCompileTime;
    if constexpr (C != Eigen::Dynamic && C <= MaxBlock) {
      out = step(in);
    } else {
      const Eigen::Index n = in.cols();
      Eigen::Index t = 0;
      for (; t + MaxBlock <= n; t += MaxBlock) {
        const auto y = step(in.template middleCols<MaxBlock>(t));
        out.template middleCols<MaxBlock>(t) = y;
      }
      for (; t < n; ++t) {
        const auto y = step(in.col(t));
        out.col(t) = y;
      }
    }
  }

  /// process() on raw arrays, the audio developer's one-liner: n time steps, each
  /// step_in_features contiguous values in `in` (interleaved channels; mono: n samples), and
  /// step_out_features values each in `out`. `out` may be `in` (in-place processing).
  template <int MaxBlock = 64, class S>
  void process(const S* in, S* out, int n) {
    static_assert(step_in_features != any && step_out_features != any,
                  "ctnn::Sequential::process(in, out, n): the features per step must be known (no layer of this "
                  "model fixes them)");
    process<MaxBlock>(Eigen::Map<const Eigen::Matrix<S, step_in_features, Eigen::Dynamic>>(in, step_in_features, n),
                      Eigen::Map<Eigen::Matrix<S, step_out_features, Eigen::Dynamic>>(out, step_out_features, n));
  }

  /// Zeroes the state of every stateful layer (ctnn::reset_state(*this)); as from construction.
  void reset_state() noexcept
    requires streams
  {
    ctnn::reset_state(*this);
  }

  // ---- modes -----------------------------------------------------------------------------

  /// Training mode for this Sequential and every layer in it (model.train()).
  void train(bool on = true) { ctnn::train(*this, on); }
  /// Evaluation mode (model.eval()).
  void eval() { ctnn::train(*this, false); }
  bool is_training() const { return training_; }
  void set_training(bool on) { training_ = on; }

  // ---- children --------------------------------------------------------------------------

  /// Layer I, as net[I] (for a Shared<J> position, layer J itself).
  template <std::size_t I>
  auto& get() {
    static_assert(I < n, "ctnn::Sequential::get<I>: I is past the last layer");
    return layer_at<I>();
  }
  template <std::size_t I>
  const auto& get() const {
    static_assert(I < n, "ctnn::Sequential::get<I>: I is past the last layer");
    return layer_at<I>();
  }

  /// Calls f("0", layer0), f("1", layer1), ...: the names PyTorch gives Sequential's children,
  /// each module once (a Shared<I> position is skipped: its layer was visited under I).
  template <class F>
  void for_each_child(F&& f) {
    for_each_child_impl<false>(*this, f, std::make_index_sequence<n>{});
  }
  template <class F>
  void for_each_child(F&& f) const {
    for_each_child_impl<false>(*this, f, std::make_index_sequence<n>{});
  }
  /// Every position, a Shared<I> one with layer I under its own name: what the state_dict and
  /// print(model) list ("2.weight" and "4.weight" for one shared Linear).
  template <class F>
  void for_each_child_with_shared(F&& f) {
    for_each_child_impl<true>(*this, f, std::make_index_sequence<n>{});
  }
  template <class F>
  void for_each_child_with_shared(F&& f) const {
    for_each_child_impl<true>(*this, f, std::make_index_sequence<n>{});
  }

  /// Bytes of the activations a_0..a_n this Sequential keeps from its last forward (its own
  /// buffers, not those of nested modules; 0 before the first forward). ctnn::summary's
  /// activation count is checked against it (tests/unit/modules_print_test.cpp).
  std::size_t activation_bytes() const {
    std::size_t bytes = 0;
    for (const auto& b : buffers_) bytes += static_cast<std::size_t>(b.rows() * b.cols()) * b.element_size();
    return bytes;
  }
  /// Whether layer i's output a_{i+1} lives in its input's buffer (a reshaping layer, or one
  /// that overwrites its input in training: detail/fuse.hpp), so that summary counts it once.
  static constexpr bool output_in_input_buffer(std::size_t i) { return slots[i + 1] == slots[i]; }

 private:
  template <bool WithShared, class Self, class F, std::size_t... Is>
  static void for_each_child_impl(Self& self, F& f, std::index_sequence<Is...>) {
    ((WithShared || parts::targets[Is] == Is ? f(detail::index_name<Is>::value, self.template layer_at<Is>()) : void()),
     ...);
  }

  template <std::size_t... Is>
  Sequential(skip_init_t, std::index_sequence<Is...>)
      : layers_(detail::skip_init_arg<std::tuple_element_t<Is, child_types>>{}...), buffers_{}, gradients_{} {}

  /// The object position I computes with.
  template <std::size_t I>
  auto& layer_at() {
    return std::get<parts::targets[I]>(layers_);
  }
  template <std::size_t I>
  const auto& layer_at() const {
    return std::get<parts::targets[I]>(layers_);
  }

  /// Width of activation i when the input has XR rows at compile time (Dynamic: run time).
  template <int XR>
  static constexpr int width(std::size_t i) {
    if (in_shape.known() || XR == Eigen::Dynamic) {
      const int w = shapes[i].size();
      return w == any ? Eigen::Dynamic : w;
    }
    // every layer shape-polymorphic: the input's rows decide
    const int w = detail::apply_tuple<compute_types>([]<class... Ls>() {
      return detail::sequential_shapes<Ls...>(Shape(XR));
    })[i].size();
    return w == any ? Eigen::Dynamic : w;
  }

  template <class X>
  static constexpr bool check_input() {
    using S = typename detail::first_scalar<Layers...>::type;
    return detail::check_input_scalar<Sequential, std::conditional_t<std::is_void_v<S>, typename X::Scalar, S>,
                                      typename X::Scalar>() &&
           detail::check_forward_input<Sequential, in_features, X::RowsAtCompileTime>() &&
           parts::well_formed;  // else a link check (or the constructor's) has spoken
  }
  template <class G>
  static constexpr bool check_gradient() {
    return detail::check_backward_gradient<Sequential, out_features, G::RowsAtCompileTime>();
  }

  template <class X>
  static constexpr bool check_step_input() {
    using S = typename detail::first_scalar<Layers...>::type;
    return detail::check_input_scalar<Sequential, std::conditional_t<std::is_void_v<S>, typename X::Scalar, S>,
                                      typename X::Scalar>() &&
           detail::check_forward_input<Sequential, step_in_features, X::RowsAtCompileTime>();
  }

  /// Layers I.. on one fixed-size block: a layer's own step, or its inference forward (fused
  /// with the activation after it, as infer does).
  template <std::size_t I, class X>
  auto step_from(const X& x) {
    using L = std::remove_cvref_t<decltype(layer_at<I>())>;
    constexpr bool fused = !Steps<L> && fuses_next<I, X>();
    auto y = [&] {
      if constexpr (Steps<L>) {
        return layer_at<I>().step(x);
      } else if constexpr (fused) {
        return detail::infer_fused(layer_at<I>(), layer_at<I + 1>(), x);
      } else {
        return detail::infer(std::as_const(layer_at<I>()), x);
      }
    }();
    constexpr std::size_t next = fused ? I + 2 : I + 1;
    if constexpr (next < n) {
      return step_from<next>(y);
    } else {
      return y;
    }
  }

  /// backward's run-time checks: a forward happened, and the gradient matches its output.
  template <class S>
  void check_backward_call(Eigen::Index rows, Eigen::Index cols) const {
    const auto& out = buffers_[slots[n]];  // a reshaping last layer (Unflatten) shares its input's buffer
    if (cols_ == 0) detail::fail("ctnn::Sequential::backward: call forward first (no activations are kept)");
    if (cols != cols_ || rows != out.rows())
      detail::fail("ctnn::Sequential::backward: the gradient is ", rows, " x ", cols, " but the last forward produced ",
                   out.rows(), " x ", cols_);
    if (out.element_size() != sizeof(S))
      detail::fail("ctnn::Sequential::backward: the gradient's scalar type differs from the last forward's");
  }

  /// Index of the first layer with parameters (n when none has).
  static constexpr std::size_t first_with_parameters() {
    constexpr auto counts = detail::apply_tuple<child_types>(
        []<class... Ls>() { return std::array<std::size_t, n>{parameter_count<Ls>...}; });
    for (std::size_t i = 0; i < n; ++i)
      if (counts[i] > 0) return i;
    return n;
  }

  static Eigen::Index checked_rows(Eigen::Index rows) {
    if (in_features != any && rows != in_features)
      detail::fail("ctnn::Sequential::forward: expected an input with ", in_features, " features (rows), got ", rows);
    return rows;
  }

  /// Whether layer I only reshapes (Flatten, Unflatten): its output is its input's bytes.
  template <std::size_t I>
  static constexpr bool reshapes() {
    return reshapes_only<std::tuple_element_t<I, compute_types>>;
  }
  /// Whether layer I's training forward overwrites its input a_I (detail/fuse.hpp): a layer
  /// that may (ReLU) after one whose backward does not read its output, a_I; never the
  /// network's input.
  template <std::size_t I>
  static constexpr bool overwrites_input() {
    if constexpr (I == 0) {
      return false;
    } else {
      return detail::forward_in_place<std::tuple_element_t<I, compute_types>> && !reshapes<I - 1>() &&
             detail::backward_ignores_output<std::tuple_element_t<I - 1, compute_types>>;
    }
  }
  /// slots[i]: the buffer holding a_i; a reshaping layer's output shares its input's, and so
  /// does the output of a layer that overwrites its input.
  static constexpr auto slots = []<std::size_t... Is>(std::index_sequence<Is...>) {
    std::array<std::size_t, n + 1> s{};
    constexpr bool r[] = {(reshapes<Is>() || overwrites_input<Is>())..., false};
    for (std::size_t i = 0; i < n; ++i) s[i + 1] = r[i] ? s[i] : i + 1;
    return s;
  }(std::make_index_sequence<n>{});

  // Activation buffers: a_i, of chain width w_i; room for one sample of a known width from
  // construction on, so single-sample training allocates nothing after construction.
  template <std::size_t... Is>
  static std::array<detail::ActivationBuffer, n + 1> make_buffers(std::index_sequence<Is...>) {
    return {detail::ActivationBuffer(slots[Is] == Is ? static_cast<std::size_t>(shapes[Is].size()) : 0)...};
  }

  /// Gives buffers I..n their shapes for a batch of `cols` with `rows` arriving at layer I;
  /// returns the view of buffer I.
  template <std::size_t I, class S, int XR, int B>
  auto shape_buffers(Eigen::Index rows, Eigen::Index cols) {
    if (slots[I] == I) buffers_[I].template shape<S, width<XR>(I), B>(rows, cols);
    if constexpr (I < n) {
      constexpr int next = width<XR>(I + 1);
      shape_buffers<I + 1, S, XR, B>(next == Eigen::Dynamic ? rows : next, cols);
    }
    return view<I, S, XR, B>();
  }

  /// a_I with its compile-time shape (a reshaped a_I: its slot's bytes with a_I's rows).
  template <std::size_t I, class S, int XR, int B>
  auto view() {
    constexpr int R = width<XR>(I);
    const auto& b = buffers_[slots[I]];
    return b.template view<S, R, B>(R == Eigen::Dynamic ? b.rows() : R, b.cols());
  }

  /// Runs every layer on x into the activation buffers; returns the view of a_n.
  template <class X>
  auto run_forward(const Eigen::MatrixBase<X>& x) {
    using S = typename X::Scalar;
    constexpr int B = X::ColsAtCompileTime;
    cols_ = 0;  // until this forward completes, backward has nothing to use
    shape_buffers<0, S, X::RowsAtCompileTime, B>(checked_rows(x.rows()), x.cols()) = x;
    forward_from<0, S, X::RowsAtCompileTime, B>();
    cols_ = x.cols();
    return view<n, S, X::RowsAtCompileTime, B>();
  }

  template <std::size_t I, class S, int XR, int B>
  void forward_from() {
    if constexpr (!reshapes<I>()) {
      auto x = view<I, S, XR, B>();
      auto y = view<I + 1, S, XR, B>();
      detail::forward_into(layer_at<I>(), x, y);
    }
    if constexpr (I + 1 < n) forward_from<I + 1, S, XR, B>();
  }

  /// Whether layer I and the activation after it run as one pass (detail/fuse.hpp).
  template <std::size_t I, class X>
  static constexpr bool fuses_next() {
    if constexpr (I + 1 < n) {
      return detail::FusesActivation<std::tuple_element_t<I, compute_types>, std::tuple_element_t<I + 1, compute_types>, X>;
    } else {
      return false;
    }
  }

  /// Whether layer I infers in place with the activation after it in the same pass.
  template <std::size_t I, class Y>
  static constexpr bool fuses_next_in_place() {
    if constexpr (I + 1 < n) {
      return detail::InfersInPlaceFused<std::tuple_element_t<I, compute_types>, std::tuple_element_t<I + 1, compute_types>, Y>;
    } else {
      return false;
    }
  }

  template <std::size_t I, class X>
  auto infer_from(const X& x) const {
    constexpr bool fused = fuses_next<I, X>();
    auto y = [&] {
      if constexpr (fused) {
        // a layer and the activation after it in one pass: act(W x + b) (detail/fuse.hpp)
        return detail::infer_fused(layer_at<I>(), layer_at<I + 1>(), x);
      } else {
        return detail::infer(layer_at<I>(), x);
      }
    }();
    constexpr std::size_t next = fused ? I + 2 : I + 1;
    if constexpr (next < n) {
      return infer_on<next>(y);
    } else {
      return y;
    }
  }
  /// Layers I.. on a_I in y, an activation of the chain's own: the layers that can overwrite
  /// it do (detail/fuse.hpp), the next one reads it.
  template <std::size_t I, class Y>
  auto infer_on(Y& y) const {
    if constexpr (fuses_next_in_place<I, Y>()) {
      layer_at<I>().infer_in_place(y, layer_at<I + 1>().epilogue());
      if constexpr (I + 2 < n) {
        return infer_on<I + 2>(y);
      } else {
        return Y(y);
      }
    } else if constexpr (detail::InfersInPlace<std::tuple_element_t<I, compute_types>, Y>) {
      layer_at<I>().infer_in_place(y);
      if constexpr (I + 1 < n) {
        return infer_on<I + 1>(y);
      } else {
        return Y(y);
      }
    } else {
      return infer_from<I>(y);
    }
  }

  /// Whether the step of layer I writes a gradient buffer (a reshaping layer passes its
  /// gradient's bytes on).
  template <std::size_t I>
  static constexpr bool writes_gradient() {
    return I > 0 && !reshapes<I>();
  }
  /// The parity of the gradient buffer that layer 0 writes when the chain ends in a buffer:
  /// the one the step before it did not write.
  static constexpr int last_parity() {
    return []<std::size_t... Is>(std::index_sequence<Is...>) {
      return static_cast<int>((0 + ... + (writes_gradient<Is>() ? 1 : 0)) % 2);
    }(std::make_index_sequence<n>{});
  }

  /// Gives both gradient buffers room for the widest activation a_0..a_{n-1} of the last
  /// forward (no allocation once a batch of that size has been seen); every backward entry
  /// calls it before the chain.
  template <class S>
  void shape_gradients() {
    Eigen::Index rows = 0;
    for (std::size_t i = 0; i < n; ++i) rows = std::max(rows, buffers_[i].rows());
    for (auto& g : gradients_) (void)g.template shape<S, Eigen::Dynamic, Eigen::Dynamic>(rows, cols_);
  }
  /// Gradient buffer P viewed as dLoss/da_I.
  template <int P, std::size_t I, class S, int XR, int B>
  auto gradient_view() {
    constexpr int R = width<XR>(I);
    const auto a = view<I, S, XR, B>();
    return gradients_[P].template view<S, R, B>(a.rows(), a.cols());
  }

  /// dLoss/da_I from dLoss/da_{I+1} (grad) through layers I..0, ending in dx (dLoss/da_0).
  /// Layer I > 0 writes gradient buffer P (the chain alternates, so a layer never writes the
  /// buffer it reads); a reshaping layer passes grad's bytes on under a_I's shape.
  template <std::size_t I, int P, class S, int XR, int B, class G, class DX>
  void backward_chain(const G& grad, DX& dx) {
    if constexpr (reshapes<I>() && !detail::contiguous_storage<G>) {
      const typename G::PlainObject g = grad;  // the view below needs contiguous bytes
      backward_chain<I, P, S, XR, B>(g, dx);
    } else if constexpr (reshapes<I>()) {
      constexpr int R = width<XR>(I);
      const Eigen::Map<const Eigen::Matrix<S, R, B>> g(grad.data(), R == Eigen::Dynamic ? grad.size() / grad.cols() : R,
                                                       grad.cols());
      if constexpr (I > 0) {
        backward_chain<I - 1, P, S, XR, B>(g, dx);
      } else {
        dx = g;
      }
    } else if constexpr (I == 0) {
      detail::backward_into(layer_at<I>(), view<I, S, XR, B>(), view<I + 1, S, XR, B>(), grad, dx);
    } else {
      auto out = gradient_view<P, I, S, XR, B>();
      detail::backward_into(layer_at<I>(), view<I, S, XR, B>(), view<I + 1, S, XR, B>(), grad, out);
      backward_chain<I - 1, 1 - P, S, XR, B>(out, dx);
    }
  }

  /// Layers I down to First, ending with only First's parameter gradients.
  template <std::size_t I, std::size_t First, int P, class S, int XR, int B, class G>
  void backward_parameters_from(const G& grad) {
    if constexpr (I == First) {
      detail::backward_parameters(layer_at<I>(), view<I, S, XR, B>(), view<I + 1, S, XR, B>(), grad);
    } else if constexpr (reshapes<I>() && !detail::contiguous_storage<G>) {
      const typename G::PlainObject g = grad;
      backward_parameters_from<I, First, P, S, XR, B>(g);
    } else if constexpr (reshapes<I>()) {
      constexpr int R = width<XR>(I);
      backward_parameters_from<I - 1, First, P, S, XR, B>(Eigen::Map<const Eigen::Matrix<S, R, B>>(
          grad.data(), R == Eigen::Dynamic ? grad.size() / grad.cols() : R, grad.cols()));
    } else {
      auto out = gradient_view<P, I, S, XR, B>();
      detail::backward_into(layer_at<I>(), view<I, S, XR, B>(), view<I + 1, S, XR, B>(), grad, out);
      backward_parameters_from<I - 1, First, 1 - P, S, XR, B>(out);
    }
  }

  child_types layers_;
  std::array<detail::ActivationBuffer, n + 1> buffers_ = make_buffers(std::make_index_sequence<n + 1>{});
  // dLoss/da_i during backward, alternating between the two: room for one sample of the
  // widest a_i from construction on (as the activations), grown by a larger batch
  static constexpr std::size_t widest_gradient = [] {
    std::size_t w = 0;
    for (std::size_t i = 0; i < n; ++i) w = std::max(w, static_cast<std::size_t>(shapes[i].size()));
    return w;
  }();
  std::array<detail::ActivationBuffer, 2> gradients_{detail::ActivationBuffer(widest_gradient),
                                                     detail::ActivationBuffer(widest_gradient)};
  Eigen::Index cols_ = 0;  // batch size of the last forward; 0 before the first
  bool training_ = true;
};

namespace detail {
template <class Net, Shape In>
struct with_input_impl {
  // Fix: with_input names the input shape of a ctnn::Sequential; a custom model's members
  // have their shapes in their own types.
  static_assert(!std::is_same_v<Net, Net>, "ctnn::with_input<Net, dims...>: Net must be a ctnn::Sequential");
  using type = Net;
};
template <class... Ls, Shape In>
struct with_input_impl<Sequential<Ls...>, In> {
  using type = Sequential<input_shape_tag<In>, Ls...>;
};
template <Shape Old, class... Ls, Shape In>
struct with_input_impl<Sequential<input_shape_tag<Old>, Ls...>, In> {
  using type = Sequential<input_shape_tag<In>, Ls...>;
};
}  // namespace detail

/// Net fed samples of shape (Dims...), PyTorch's order without the batch dimension:
/// `ctnn::with_input<Net, 1, 28, 28>` for a network whose first layer fixes only some of its
/// input's dimensions (a convolution fixes the channels, not the length). The shape is no
/// layer: state_dict names and indices stay those of Net.
template <class Net, int... Dims>
  requires(sizeof...(Dims) >= 1 && sizeof...(Dims) <= max_rank && ((Dims > 0) && ...))
using with_input = typename detail::with_input_impl<std::remove_cvref_t<Net>, shape_of<Dims...>>::type;

/// The I-th layer of a Sequential, as net[I] in PyTorch.
template <std::size_t I, class... Ls>
auto& layer(Sequential<Ls...>& net) {
  return net.template get<I>();
}
template <std::size_t I, class... Ls>
const auto& layer(const Sequential<Ls...>& net) {
  return net.template get<I>();
}

}  // namespace ctnn
