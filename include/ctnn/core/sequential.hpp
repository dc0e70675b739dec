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

#include <Eigen/Core>
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
#include "ctnn/core/tensor.hpp"
#include "ctnn/detail/activation_buffer.hpp"
#include "ctnn/detail/fuse.hpp"
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
/// that the widths chain.
template <class... Ls>
using sequential_checks =
    std::conditional_t<(Layer<Ls> && ...), link_checks<Ls...>,
                       argument_checks<std::index_sequence_for<Ls...>, Ls...>>;

/// Stands in for the layers when one of them is not a layer, so that only that is reported.
struct not_a_chain {
  static constexpr int in_features = any;
  static constexpr int out_features = any;
};
}  // namespace detail

template <class... Layers>
class Sequential : detail::sequential_checks<Layers...>,
                   public detail::sequential_scalar<typename detail::first_scalar<Layers...>::type> {
  static_assert(sizeof...(Layers) > 0, "ctnn::Sequential<Layers...>: give at least one layer");

  using chain = std::conditional_t<(Layer<Layers> && ...), detail::chain_widths<Layers...>,
                                   detail::chain_widths<detail::not_a_chain>>;
  static constexpr std::size_t n = sizeof...(Layers);

 public:
  using child_types = std::tuple<Layers...>;
  static_assert(detail::same_scalars<typename detail::first_scalar<Layers...>::type, Layers...>(),
                "ctnn::Sequential: all layers with parameters must use the same scalar type "
                "(use ctnn::with_scalar<Net, double> to change them together)");

  /// Widths deduced from the layers (ctnn::any when every layer is shape-polymorphic).
  static constexpr int in_features = chain::in_features();
  static constexpr int out_features = chain::out_features;
  /// Number of layers, as len(nn.Sequential).
  static constexpr std::size_t size = n;
  static constexpr std::string_view repr_name = "Sequential";

  template <class S>
  using with_scalar = Sequential<ctnn::with_scalar<Layers, S>...>;

  Sequential() = default;
  /// ctnn::skip_init: every layer made by skip_init; no activation buffer is
  /// allocated until a forward needs one, so a model that only infers never touches the heap.
  explicit Sequential(skip_init_t) : layers_(detail::skip_init_arg<Layers>{}...), buffers_{} {}

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
      cols_ = 0;  // until this forward completes, backward has nothing to use
      shape_buffers<0, S, X::RowsAtCompileTime, B>(checked_rows(x.rows()), x.cols()) = x;
      forward_from<0, S, X::RowsAtCompileTime, B>();
      cols_ = x.cols();
      out_t y = view<n, S, X::RowsAtCompileTime, B>();
      return y;
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

  // ---- backward --------------------------------------------------------------------------

  /// Given dLoss/dOutput (out_features x B, B as in the last forward), adds every
  /// parameter's gradient to its .grad and returns dLoss/dInput (in_features x B).
  template <class G>
  auto backward(const Eigen::MatrixBase<G>& grad_out) {
    using S = typename G::Scalar;
    constexpr int B = G::ColsAtCompileTime;
    // Rows of the input: fixed by the chain, or (all layers polymorphic) those of the gradient.
    constexpr int XR = chain::widths.w[0] != any ? chain::widths.w[0] : G::RowsAtCompileTime;
    using in_t = Matrix<S, width<XR>(0), B>;
    if constexpr (!check_gradient<G>()) {
      return in_t{};
    } else {
      check_backward_call<S>(grad_out.rows(), grad_out.cols());
      return backward_from<n - 1, S, XR, B>(grad_out.derived());
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
    constexpr int XR = chain::widths.w[0] != any ? chain::widths.w[0] : G::RowsAtCompileTime;
    if constexpr (check_gradient<G>()) {
      check_backward_call<S>(grad_out.rows(), grad_out.cols());
      constexpr std::size_t first = first_with_parameters();
      if constexpr (first < n) backward_parameters_from<n - 1, first, S, XR, B>(grad_out.derived());
    }
  }

  /// The layer forms of backward, used when this Sequential is a layer of another one: the
  /// activations it needs are its own.
  template <class X, class Y, class G>
  auto backward(const X&, const Y&, const G& grad_out) {
    return backward(grad_out);
  }
  template <class X, class Y, class G>
  void backward(const X&, const Y&, const G& grad_out, parameters_only_t) {
    backward(grad_out, parameters_only);
  }

  // ---- modes -----------------------------------------------------------------------------

  /// Training mode for this Sequential and every layer in it (model.train()).
  void train(bool on = true) { ctnn::train(*this, on); }
  /// Evaluation mode (model.eval()).
  void eval() { ctnn::train(*this, false); }
  bool is_training() const { return training_; }
  void set_training(bool on) { training_ = on; }

  // ---- children --------------------------------------------------------------------------

  template <std::size_t I>
  auto& get() {
    static_assert(I < n, "ctnn::Sequential::get<I>: I is past the last layer");
    return std::get<I>(layers_);
  }
  template <std::size_t I>
  const auto& get() const {
    static_assert(I < n, "ctnn::Sequential::get<I>: I is past the last layer");
    return std::get<I>(layers_);
  }

  /// Calls f("0", layer0), f("1", layer1), ...: the names PyTorch gives Sequential's children.
  template <class F>
  void for_each_child(F&& f) {
    for_each_child_impl(*this, f, std::make_index_sequence<n>{});
  }
  template <class F>
  void for_each_child(F&& f) const {
    for_each_child_impl(*this, f, std::make_index_sequence<n>{});
  }

  /// Bytes of the activations a_0..a_n this Sequential keeps from its last forward (its own
  /// buffers, not those of nested modules; 0 before the first forward). ctnn::summary's
  /// activation count is checked against it (tests/unit/modules_print_test.cpp).
  std::size_t activation_bytes() const {
    std::size_t bytes = 0;
    for (const auto& b : buffers_) bytes += static_cast<std::size_t>(b.rows() * b.cols()) * b.element_size();
    return bytes;
  }

 private:
  template <class Self, class F, std::size_t... Is>
  static void for_each_child_impl(Self& self, F& f, std::index_sequence<Is...>) {
    (f(detail::index_name<Is>::value, std::get<Is>(self.layers_)), ...);
  }

  /// Width of activation i when the input has XR rows at compile time (Dynamic: run time).
  template <int XR>
  static constexpr int width(std::size_t i) {
    int w = chain::widths.w[0] != any ? chain::widths.w[0] : (XR == Eigen::Dynamic ? any : XR);
    int k = 0;
    ((static_cast<std::size_t>(k) < i ? (w = output_width<Layers>(w), ++k) : k), ...);
    return w == any ? Eigen::Dynamic : w;
  }

  template <class X>
  static constexpr bool check_input() {
    using S = typename detail::first_scalar<Layers...>::type;
    return detail::check_input_scalar<Sequential, std::conditional_t<std::is_void_v<S>, typename X::Scalar, S>,
                                      typename X::Scalar>() &&
           detail::check_forward_input<Sequential, in_features, X::RowsAtCompileTime>();
  }
  template <class G>
  static constexpr bool check_gradient() {
    return detail::check_backward_gradient<Sequential, out_features, G::RowsAtCompileTime>();
  }

  /// backward's run-time checks: a forward happened, and the gradient matches its output.
  template <class S>
  void check_backward_call(Eigen::Index rows, Eigen::Index cols) const {
    const auto& out = buffers_[n];
    if (cols_ == 0) detail::fail("ctnn::Sequential::backward: call forward first (no activations are kept)");
    if (cols != cols_ || rows != out.rows())
      detail::fail("ctnn::Sequential::backward: the gradient is ", rows, " x ", cols, " but the last forward produced ",
                   out.rows(), " x ", cols_);
    if (out.element_size() != sizeof(S))
      detail::fail("ctnn::Sequential::backward: the gradient's scalar type differs from the last forward's");
  }

  /// Index of the first layer with parameters (n when none has).
  static constexpr std::size_t first_with_parameters() {
    constexpr std::array<std::size_t, n> counts{parameter_count<Layers>...};
    for (std::size_t i = 0; i < n; ++i)
      if (counts[i] > 0) return i;
    return n;
  }

  static Eigen::Index checked_rows(Eigen::Index rows) {
    if (in_features != any && rows != in_features)
      detail::fail("ctnn::Sequential::forward: expected an input with ", in_features, " features (rows), got ", rows);
    return rows;
  }

  // Activation buffers: a_i, of chain width w_i; room for one sample of a known width from
  // construction on, so single-sample training allocates nothing after construction.
  template <std::size_t... Is>
  static std::array<detail::ActivationBuffer, n + 1> make_buffers(std::index_sequence<Is...>) {
    constexpr bool all_layers = (Layer<Layers> && ...);
    return {detail::ActivationBuffer(all_layers ? static_cast<std::size_t>(chain::widths.w[all_layers ? Is : 0]) : 0)...};
  }

  /// Gives buffers I..n their shapes for a batch of `cols` with `rows` arriving at layer I;
  /// returns the view of buffer I.
  template <std::size_t I, class S, int XR, int B>
  auto shape_buffers(Eigen::Index rows, Eigen::Index cols) {
    auto v = buffers_[I].template shape<S, width<XR>(I), B>(rows, cols);
    if constexpr (I < n) {
      using L = std::tuple_element_t<I, child_types>;
      shape_buffers<I + 1, S, XR, B>(L::out_features == any ? rows : L::out_features, cols);
    }
    return v;
  }

  template <std::size_t I, class S, int XR, int B>
  auto view() {
    return buffers_[I].template view<S, width<XR>(I), B>();
  }

  template <std::size_t I, class S, int XR, int B>
  void forward_from() {
    auto x = view<I, S, XR, B>();
    auto y = view<I + 1, S, XR, B>();
    detail::forward_into(std::get<I>(layers_), x, y);
    if constexpr (I + 1 < n) forward_from<I + 1, S, XR, B>();
  }

  /// Whether layer I and the activation after it run as one pass (detail/fuse.hpp).
  template <std::size_t I, class X>
  static constexpr bool fuses_next() {
    if constexpr (I + 1 < n) {
      return detail::FusesActivation<std::tuple_element_t<I, child_types>, std::tuple_element_t<I + 1, child_types>, X>;
    } else {
      return false;
    }
  }

  template <std::size_t I, class X>
  auto infer_from(const X& x) const {
    if constexpr (fuses_next<I, X>()) {
      // a layer and the activation after it in one pass: act(W x + b) (detail/fuse.hpp)
      auto y = detail::infer_fused(std::get<I>(layers_), std::get<I + 1>(layers_), x);
      if constexpr (I + 2 < n) {
        return infer_from<I + 2>(y);
      } else {
        return y;
      }
    } else {
      auto y = detail::infer(std::get<I>(layers_), x);
      if constexpr (I + 1 < n) {
        return infer_from<I + 1>(y);
      } else {
        return y;
      }
    }
  }

  template <std::size_t I, class S, int XR, int B, class G>
  auto backward_from(const G& grad) {
    auto dx = detail::backward(std::get<I>(layers_), view<I, S, XR, B>(), view<I + 1, S, XR, B>(), grad);
    if constexpr (I == 0) {
      return dx;
    } else {
      return backward_from<I - 1, S, XR, B>(dx);
    }
  }

  /// Layers I down to First, ending with only First's parameter gradients.
  template <std::size_t I, std::size_t First, class S, int XR, int B, class G>
  void backward_parameters_from(const G& grad) {
    if constexpr (I == First) {
      detail::backward_parameters(std::get<I>(layers_), view<I, S, XR, B>(), view<I + 1, S, XR, B>(), grad);
    } else {
      auto dx = detail::backward(std::get<I>(layers_), view<I, S, XR, B>(), view<I + 1, S, XR, B>(), grad);
      backward_parameters_from<I - 1, First, S, XR, B>(dx);
    }
  }

  std::tuple<Layers...> layers_;
  std::array<detail::ActivationBuffer, n + 1> buffers_ = make_buffers(std::make_index_sequence<n + 1>{});
  Eigen::Index cols_ = 0;  // batch size of the last forward; 0 before the first
  bool training_ = true;
};

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
