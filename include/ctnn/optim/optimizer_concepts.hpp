/// @file Defines the ctnn::optim::Optimizer concept and the per-parameter state every
/// optimizer keeps, with compile-time sizes that mirror the model's parameters.
///
/// An optimizer (torch.optim.Optimizer with one parameter group) is constructed over a model,
/// `ctnn::optim::Adam opt{net, {.lr = 1e-4}}`, and holds references to the model's parameters
/// (so the model must outlive it and stay where it is, as with torch.optim). It provides
/// - `zero_grad()`, `step()`: PyTorch's update rule, on every parameter that requires a
///   gradient (frozen ones are skipped and their state does not change);
/// - `lr()`, `set_lr(lr)`: param_groups[0]['lr'], read and written between steps (schedulers
///   use them); `options()`: every hyper-parameter of the group;
/// - `named_state(f)`: calls `f(name, t)` for each piece of state, `t` an Eigen matrix shaped
///   like its parameter or a `double` / `std::int64_t` lvalue, named as in PyTorch's
///   optimizer.state_dict(): "state.<i>.exp_avg", ..., "param_groups.0.lr", i the parameter's
///   index in ctnn::parameters() order. Every parameter's state is visited, zero until its
///   first step ("state.<i>.step" == 0 is PyTorch's "no state yet"). A visitor that also
///   takes a third argument gets, with each matrix, the parameter's PyTorch ndim as a
///   std::integral_constant<int, ndim> (checkpoints use it: see detail::visit_state).
#pragma once

#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ctnn/core/error.hpp"
#include "ctnn/core/module.hpp"
#include "ctnn/core/parameter.hpp"

namespace ctnn::optim {

namespace detail {
struct ignore_state {
  template <class T>
  void operator()(std::string_view, T&) const {}
};
}  // namespace detail

/// What schedulers and training loops need of an optimizer (docs/training.md#optimizers).
template <class O>
concept Optimizer = requires(O& o, const O& co, double lr) {
  o.zero_grad();
  o.step();
  { co.lr() } -> std::convertible_to<double>;
  o.set_lr(lr);
  o.named_state(detail::ignore_state{});
};

namespace detail {

/// Throws ctnn::Error(what) unless ok (PyTorch raises ValueError for these).
inline void require(bool ok, const std::string& what) {
  if (!ok) ctnn::detail::fail(what);
}

/// PyTorch's "Invalid <name> value" check for a hyperparameter that must be >= 0, worded
/// "<who>: <name> must not be negative, got <value>".
inline void require_non_negative(const std::string& who, const char* name, double value) {
  require(value >= 0, who + name + " must not be negative, got " + std::to_string(value));
}

/// A zero matrix shaped like parameter P (fixed-size or heap-stored as P's own value).
template <class P>
typename P::matrix_type zeros_like() {
  return ctnn::detail::zero_matrix<typename P::matrix_type, P::rows, P::cols>();
}

/// One parameter of the model and the optimizer's state for it (State<P>).
template <class P, template <class> class State>
struct Slot {
  P* param = nullptr;
  State<P> state;
};

template <class Tuple, template <class> class State>
struct slots_of;
template <class... Ps, template <class> class State>
struct slots_of<std::tuple<Ps...>, State> {
  using type = std::tuple<Slot<Ps, State>...>;
};

/// The parameters of Model, each with a State<P>, in ctnn::parameters() order: a tuple whose
/// element types are known at compile time, so a step is a fold over it with no allocation.
template <class Model, template <class> class State>
class ParameterSlots {
  using types = ctnn::detail::parameter_types<Model>;

 public:
  static constexpr std::size_t size = std::tuple_size_v<types>;

  explicit ParameterSlots(Model& model) {
    std::size_t i = 0;
    ctnn::parameters(model, [&](auto& p) { bind(i++, p, std::make_index_sequence<size>{}); });
    // parameter_types and the walk must agree, or a slot would stay unbound
    if (i != size) ctnn::detail::fail("ctnn::optim: the model's parameter walk and its parameter types disagree");
  }

  /// Calls f(index, slot) for every parameter; index is a std::integral_constant.
  template <class F>
  void for_each(F&& f) {
    for_each_impl(f, std::make_index_sequence<size>{});
  }

 private:
  template <class P, std::size_t... Is>
  void bind(std::size_t i, P& p, std::index_sequence<Is...>) {
    (
        [&] {
          if constexpr (std::is_same_v<std::tuple_element_t<Is, types>, P>) {
            if (i == Is) std::get<Is>(slots_).param = &p;
          }
        }(),
        ...);
  }
  template <class F, std::size_t... Is>
  void for_each_impl(F& f, std::index_sequence<Is...>) {
    (f(std::integral_constant<std::size_t, Is>{}, std::get<Is>(slots_)), ...);
  }

  typename slots_of<types, State>::type slots_;
};

/// What every optimizer shares: the slots, the options of its one parameter group, lr and
/// zero_grad.
template <class Model, template <class> class State, class Options>
class OptimizerBase {
 public:
  /// param_groups[0]['lr'].
  double lr() const { return options_.lr; }
  /// Sets param_groups[0]['lr'] for the next steps (what a scheduler does).
  void set_lr(double lr) {
    // not require(): a scheduler calls this every step, and the message would allocate
    if (!(lr >= 0)) ctnn::detail::fail("ctnn::optim: the learning rate must not be negative, got " + std::to_string(lr));
    options_.lr = lr;
  }
  /// Every hyper-parameter of the group, readable and writable between steps.
  Options& options() { return options_; }
  const Options& options() const { return options_; }

  /// optimizer.zero_grad(): sets the gradient of every parameter to zero.
  void zero_grad() {
    slots_.for_each([](auto, auto& slot) { slot.param->zero_grad(); });
  }

  /// Number of parameters (tensors) the optimizer updates, frozen ones included.
  static constexpr std::size_t parameter_count = ParameterSlots<Model, State>::size;

 protected:
  OptimizerBase(Model& model, const Options& options) : slots_(model), options_(options) {}

  ParameterSlots<Model, State> slots_;
  Options options_;
};

/// "state.<i>.<what>", PyTorch's state_dict key.
inline std::string state_key(std::size_t i, std::string_view what) {
  return "state." + std::to_string(i) + "." + std::string(what);
}

/// f("state.<i>.<what>", t), the name passed as a std::string_view.
template <class F, class T>
void visit_state(F& f, std::size_t i, std::string_view what, T& t) {
  const std::string key = state_key(i, what);
  f(std::string_view(key), t);
}

/// The same for a matrix t that mirrors parameter p: a visitor that takes a third argument is
/// given p's PyTorch ndim, std::integral_constant<int, P::ndim>, so that the state tensor can
/// have the parameter's shape (PyTorch's exp_avg of nn.Linear(1, 8).weight is (8, 1), 2-D,
/// though a one-column matrix is 1-D by default). Other visitors get f(name, t).
template <class F, class T, class P>
void visit_state(F& f, std::size_t i, std::string_view what, T& t, const P&) {
  using ndim = std::integral_constant<int, P::ndim>;
  const std::string key = state_key(i, what);
  if constexpr (std::is_invocable_v<F&, std::string_view, T&, ndim>) {
    f(std::string_view(key), t, ndim{});
  } else {
    f(std::string_view(key), t);
  }
}


}  // namespace detail
}  // namespace ctnn::optim
