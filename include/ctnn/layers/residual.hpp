/// @file Defines ctnn::Residual<Layers...>: y = x + f(x), the body f a chain of layers whose
/// output shape is its input shape. PyTorch has no built-in for it; ctnn's names, state_dict
/// and print(model) are those of the module a PyTorch user writes:
///
///   class Residual(nn.Sequential):
///       def forward(self, x):
///           return x + super().forward(x)
///
/// The body is a ctnn::Sequential<Layers...> held by the Residual: its chaining, checks,
/// activation buffers, forward and backward are Sequential's; the Residual adds the identity
/// path (dx = g + body.backward(g)) and answers the container protocol with the body's
/// children, so that its layers are "0", "1", ... as in the Python class.
#pragma once

#include "ctnn/detail/eigen.hpp"
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

template <class... Layers>
class Residual;

namespace detail {

/// Named so that the note under Residual's check reads as a sentence with both shapes.
template <class... Layers>
struct residual_body {
  template <int... In>
  struct takes_shape {
    template <int... Out>
    static constexpr bool but_produces_shape = Shape(In...) == Shape(Out...);
  };
};

template <class Body, class In, class Out>
struct check_residual_shape;
template <class... Ls, int... I, int... O>
struct check_residual_shape<std::tuple<Ls...>, dims<I...>, dims<O...>> {
  // Fix: make the body end in the shape it starts with (e.g. Linear<Hidden, In> last), so
  // that x + f(x) adds like to like.
  static_assert(residual_body<Ls...>::template takes_shape<I...>::template but_produces_shape<O...>,
                "ctnn::Residual<Layers...>: the body's output shape must equal its input shape, to be added "
                "to it (the note below names the body and both shapes)");
};
template <std::size_t>
struct residual_ok {};

/// Residual<Ls...>'s check, made a base so that it speaks when the type is named: the body's
/// output shape is its input's (once the body chains and its input shape is known).
/// Computed from the body's parts, not its Sequential: naming the Sequential's members would
/// instantiate it, and a body whose first layer needs its input shape (a Conv1d: its length)
/// is an error as a Sequential of its own until a Sequential around the Residual gives it one.
template <class... Ls>
struct residual_check {
  using parts = sequential_parts<Ls...>;
  static constexpr bool chains = parts::well_formed;
  static constexpr Shape in = chains ? parts::in_shape : Shape{};
  static constexpr Shape out = chains && in.known() ? parts::output_for(in) : Shape{};
  static constexpr bool ok = !in.known() || out == in;
  static constexpr auto pick() {
    if constexpr (ok) {
      return std::type_identity<residual_ok<0>>{};
    } else {
      return std::type_identity<check_residual_shape<std::tuple<Ls...>, dims_of<in>, dims_of<out>>>{};
    }
  }
  using type = typename decltype(pick())::type;
};

/// The streaming constants of a Residual: its body's, when the body streams.
template <class Body>
struct residual_streaming {};
template <class Body>
  requires requires {
    Body::step_in_features;
    Body::step_out_features;
  }
struct residual_streaming<Body> {
  static constexpr int step_in_features = Body::step_in_features;
  static constexpr int step_out_features = Body::step_out_features;
};

}  // namespace detail

/// y = x + f(x) with f = Sequential<Layers...>: ResNet's and the Transformer's skip
/// connection. The body's output shape must equal its input shape (one compile error naming
/// both otherwise). Its layers are its children "0", "1", ... (state_dict "0.weight", print
/// `Residual(\n  (0): Linear(...)\n ...)`), as PyTorch's `class Residual(nn.Sequential)`.
/// Like Sequential it keeps the body's activations from forward for backward(g); inside a
/// Sequential it is a layer like any other (its shape rule: the body's input, unchanged).
template <class... Layers>
class Residual : detail::residual_check<Layers...>::type,
                 public detail::sequential_scalar<typename detail::first_scalar<Layers...>::type>,
                 public detail::residual_streaming<Sequential<Layers...>> {
 public:
  /// The body: the Sequential of the layers (ctnn::Shared<I> and with_input included).
  using body_type = Sequential<Layers...>;

 private:
  static constexpr bool well_formed = detail::residual_check<Layers...>::chains && detail::residual_check<Layers...>::ok;

 public:
  // ---- shape rule: the body's input, given back ------------------------------------------
  static constexpr Shape in_shape = body_type::in_shape;
  static constexpr Shape out_shape = in_shape;
  static constexpr int in_features = in_shape.size();
  static constexpr int out_features = in_features;
  static constexpr bool accepts(Shape in) { return body_type::accepts(in); }
  static constexpr Shape output_shape(Shape in) { return in.known() ? in : in_shape; }
  static constexpr Shape expected_input(Shape in) { return body_type::expected_input(in); }
  /// The Residual whose body is fed samples of shape In, when that changes a layer of it
  /// (Linear<any, N>, a Linear on the last dimension of a (T, F) sample).
  template <Shape In>
  using bind = std::conditional_t<std::is_same_v<bound<body_type, In>, body_type>, Residual,
                                  Residual<detail::input_shape_tag<In>, Layers...>>;

  // ---- container protocol: the body's children, chained ----------------------------------
  using child_types = typename body_type::child_types;
  /// Child i sees what child i-1 made; the last entry, the output, is the input's shape.
  static constexpr auto child_input_shapes = body_type::child_input_shapes;
  static constexpr std::size_t size = body_type::size;

  static constexpr std::string_view repr_name = "Residual";
  template <class S>
  using with_scalar = Residual<ctnn::with_scalar<Layers, S>...>;

  Residual() = default;
  /// ctnn::skip_init: the body made by skip_init (no buffers until a forward needs them).
  explicit Residual(skip_init_t) : body_(skip_init_t{}) {}

  // ---- forward: y = x + f(x) -------------------------------------------------------------

  /// Runs the body (which keeps its activations for backward) and adds the input.
  template <class X>
  auto forward(const Eigen::MatrixBase<X>& x) {
    auto y = body_.forward(x);
    if constexpr (well_formed) y += x;  // else the check above has spoken
    return y;
  }
  template <class X>
  auto operator()(const Eigen::MatrixBase<X>& x) {
    return forward(x);
  }
  /// Inference: x + f(x) without keeping anything (const, as Sequential::infer).
  template <class X>
  auto infer(const Eigen::MatrixBase<X>& x) const {
    // the body's result is a plain matrix already; .eval() on it would copy it
    typename std::decay_t<decltype(body_.infer(x))>::PlainObject y = body_.infer(x);
    if constexpr (well_formed) y += x;
    return y;
  }

  // ---- backward: dx = g + f'(x)^T g ------------------------------------------------------

  /// Given dLoss/dy (as in the last forward), adds every parameter's gradient to its .grad
  /// and returns dLoss/dx: the gradient through the identity plus the body's.
  template <class G>
  auto backward(const Eigen::MatrixBase<G>& grad_out) {
    if constexpr (!well_formed) {
      return typename G::PlainObject(grad_out);  // the check above has spoken; stop the cascade
    } else {
      typename std::decay_t<decltype(body_.backward(grad_out))>::PlainObject dx = body_.backward(grad_out);
      dx += grad_out;
      return dx;
    }
  }
  /// The parameters' gradients only: the identity path has none, so the body's.
  template <class G>
  void backward(const Eigen::MatrixBase<G>& grad_out, parameters_only_t) {
    if constexpr (well_formed) body_.backward(grad_out, parameters_only);
  }
  /// The layer forms, used inside a Sequential: the activations are the body's own.
  template <class X, class Y, class G>
  auto backward(const X&, const Y&, const G& grad_out) {
    return backward(grad_out);
  }
  template <class X, class Y, class G>
  void backward(const X&, const Y&, const G& grad_out, parameters_only_t) {
    backward(grad_out, parameters_only);
  }

  // ---- streaming (the protocol of stateful layers): x + f.step(x) ------------------------

  /// One block of time steps (step_in_features x n): x + body.step(x), the body keeping its
  /// state across calls. Present when the body streams.
  template <class X>
    requires requires(body_type& b, const Eigen::MatrixBase<X>& x) { b.step(x); }
  auto step(const Eigen::MatrixBase<X>& x) {
    auto y = body_.step(x);
    y += x;
    return y;
  }
  /// Zeroes the body's state (ctnn::reset_state(model) reaches the body's layers directly
  /// too; zeroing twice is harmless).
  void reset_state()
    requires requires(body_type& b) { b.reset_state(); }
  {
    body_.reset_state();
  }

  // ---- children, modes, memory -----------------------------------------------------------

  /// Calls f("0", layer0), f("1", layer1), ...: the body's layers, named as in PyTorch.
  template <class F>
  void for_each_child(F&& f) {
    body_.for_each_child(f);
  }
  template <class F>
  void for_each_child(F&& f) const {
    body_.for_each_child(f);
  }
  /// Every position, a Shared<I> one too (the state_dict's and print's view).
  template <class F>
  void for_each_child_with_shared(F&& f) {
    body_.for_each_child_with_shared(f);
  }
  template <class F>
  void for_each_child_with_shared(F&& f) const {
    body_.for_each_child_with_shared(f);
  }

  /// Layer I of the body, as residual[I] in PyTorch.
  template <std::size_t I>
  auto& get() {
    return body_.template get<I>();
  }
  template <std::size_t I>
  const auto& get() const {
    return body_.template get<I>();
  }
  body_type& body() { return body_; }
  const body_type& body() const { return body_; }

  void train(bool on = true) { ctnn::train(*this, on); }
  void eval() { ctnn::train(*this, false); }
  bool is_training() const { return body_.is_training(); }
  void set_training(bool on) { body_.set_training(on); }

  /// Bytes of the activations kept from the last forward: the body's buffers.
  std::size_t activation_bytes() const { return body_.activation_bytes(); }
  /// For ctnn::summary: the values per sample the Residual itself keeps for backward (beyond
  /// what its layers keep): the body's activations a_0 .. a_n, a layer's output that shares
  /// its input's buffer in the body (Sequential::output_in_input_buffer) counted once; -1
  /// while the shape is unknown.
  static constexpr long long kept_values(Shape) {
    long long v = child_input_shapes[0].size();
    for (std::size_t i = 0; i + 1 < child_input_shapes.size(); ++i)
      if (!body_type::output_in_input_buffer(i)) v += child_input_shapes[i + 1].size();
    return child_input_shapes[0].known() ? v : -1;
  }

 private:
  body_type body_;
};

}  // namespace ctnn
