/// @file Streaming: running a model one time step (or one block of time steps) at a time, with
/// the state of its stateful layers carried between calls (docs/concepts.md#streaming).
///
/// In streaming a time step is one column of features and a block of n steps is a
/// (features x n) matrix, column t = step t. A layer takes part in one of two ways:
/// - stateful (GRU, LSTM, causal Conv1d): `static constexpr int step_in_features,
///   step_out_features`, `step(x)` on a (step_in_features x n) block, `reset_state()`, and
///   `static constexpr long long state_bytes`; its state is plain members, no parameter or buffer;
/// - stateless per time step (Linear, activations, Softmax, LayerNorm): no step; its shape
///   rule maps (F) to (F'), and its inference forward runs on the block's columns.
/// This header holds the rule that chains step widths through a Sequential, its diagnostics,
/// and the walkers ctnn::reset_state(model) and ctnn::state_bytes<Model>, which go through the
/// one walker of core/module.hpp.
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <string_view>
#include <tuple>
#include <type_traits>

#include "ctnn/core/layer.hpp"
#include "ctnn/core/module.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/shared.hpp"

namespace ctnn {

/// A layer with a step of its own: it states its features per time step and keeps state
/// between steps (a container that streams, such as a Sequential of such layers, too). A
/// container that says `streams = false` has the widths but no working step.
template <class L>
concept Steps = requires {
  { L::step_in_features } -> std::convertible_to<int>;
  { L::step_out_features } -> std::convertible_to<int>;
} && (!requires { L::streams; } || L::streams);

namespace detail {

/// Whether M is a layer that keeps its own state, not a container of layers: it lists no
/// children, or the children it lists are only its parameters and buffers (GRU, LSTM and RNN
/// list theirs for state_dict). A container's state is its children's, which the walker
/// reaches itself (and a container's reset_state() calls the walker: it must not be called
/// from it).
template <class M>
constexpr bool keeps_own_state() {
  if constexpr (ListsChildTypes<M>) {
    return []<class... Cs>(std::type_identity<std::tuple<Cs...>>) {
      return (true && ... && (ParameterType<Cs> || BufferType<Cs>));
    }(std::type_identity<child_type_list_t<M>>{});
  } else {
    return !ListsChildren<M>;
  }
}

/// A leaf whose own state ctnn::reset_state zeroes: it has reset_state() and keeps its own
/// state (keeps_own_state).
template <class M>
concept ResetsOwnState = requires(M& m) { m.reset_state(); } && keeps_own_state<M>();

// ---- the chain of step widths -----------------------------------------------------------------

/// Why a layer cannot take part in a stream (the first reason found).
enum class step_failure { none, width, no_step, container, shared_state };

/// One layer in a stream fed `in` features per step (ctnn::any: whatever arrives).
struct step_link {
  int in = any;   ///< features per step the layer takes (any: those that arrive)
  int out = any;  ///< features per step it gives
  step_failure failure = step_failure::none;
};

/// The stateless rule: a layer without step streams when its shape rule maps one time step
/// (F) to one time step (F'); its inference forward then runs on the block's columns.
template <class L>
constexpr step_link stateless_link(int f) {
  step_link r;
  if constexpr (!HasShapeRule<L>) {
    r.failure = step_failure::no_step;  // no layer at all: Sequential reports that on its own
    return r;
  } else {
    const Shape own = natural_input_shape<L>();
    r.in = f != any ? f : (own.known() ? own.last() : any);
    if (r.in == any) {
      // nothing fixes the width yet: a layer taking any width passes it on (an activation);
      // one with a shape rule of its own cannot be told to map a time step to one
      if (StatesShapes<L>) r.failure = step_failure::no_step;
      return r;
    }
    const Shape out = output_shape<L>(Shape(r.in));
    if (!accepts<L>(Shape(r.in)) || out.rank != 1) r.failure = step_failure::no_step;
    r.out = out.rank == 1 ? out.size() : any;
    return r;
  }
}

/// Layer C of a Sequential (its child type: a ctnn::Shared position holds a shared_child) fed
/// f features per step.
template <class C>
constexpr step_link link_for(int f) {
  if constexpr (is_shared_child<C>) {
    using L = typename C::layer_type;
    if constexpr (Steps<L>) {
      // one object stepped at two positions would advance its state twice per time step
      step_link r{L::step_in_features, L::step_out_features, step_failure::shared_state};
      return r;
    } else {
      return link_for<L>(f);
    }
  } else if constexpr (Steps<C>) {
    step_link r{C::step_in_features, C::step_out_features, step_failure::none};
    if (f != any && f != r.in) r.failure = step_failure::width;
    return r;
  } else if constexpr (ListsChildren<C> || ListsChildTypes<C>) {
    step_link r{f, any, step_failure::container};
    return r;
  } else {
    return stateless_link<C>(f);
  }
}

/// The stream through the children Cs... of a Sequential: links[i] for child i, the
/// features per step in (those of the first layer that fixes them) and out, the first child
/// that cannot stream (N when all can).
template <std::size_t N>
struct step_chain_t {
  std::array<step_link, N> links{};
  int in = any;
  int out = any;
  std::size_t first_failure = N;
  constexpr bool streams() const { return first_failure == N; }
};

template <class... Cs>
constexpr step_chain_t<sizeof...(Cs)> step_chain() {
  step_chain_t<sizeof...(Cs)> c;
  int f = any;
  std::size_t i = 0;
  ((c.links[i] = link_for<Cs>(f), f = c.links[i].out, ++i), ...);
  for (std::size_t k = 0; k < sizeof...(Cs); ++k) {
    if (c.in == any && c.links[k].in != any) c.in = c.links[k].in;
    if (c.first_failure == sizeof...(Cs) && c.links[k].failure != step_failure::none) c.first_failure = k;
  }
  c.out = f;
  return c;
}

template <class Tuple>
struct step_chain_of;
template <class... Cs>
struct step_chain_of<std::tuple<Cs...>> {
  static constexpr auto value = step_chain<Cs...>();
};

// ---- diagnostics (sentence types: the note under the error reads as the reason) ---------------

/// The reasons a layer gives for not streaming. A layer may name its own with
/// `using cannot_stream_because = <a type whose name is the sentence>;` (a non-causal Conv1d:
/// "only a causal Conv1d keeps its past inputs ..."); these are the generic ones.
template <int Features>
struct it_keeps_no_state_and_its_forward_does_not_map_one_time_step_of_features_to_one;
struct it_is_a_container_whose_layers_do_not_all_stream;
template <std::size_t Position>
struct it_keeps_state_and_is_also_used_at_a_later_position_so_it_would_step_twice_per_time_step;

template <int Index, class Layer>
struct streamed_layer {
  template <class Reason>
  struct cannot_stream_because {
    template <bool Streams>
    static constexpr bool streams = Streams;
  };
  template <int Takes>
  struct takes_features_per_step {
    template <int PrevIndex, class Prev>
    struct but_layer {
      template <int Gives>
      static constexpr bool gives = Takes == Gives;
    };
  };
};

template <int I, class L, class Reason>
struct check_streams {
  // Fix: use a layer that keeps its past (a GRU, an LSTM, a causal Conv1d with
  // ctnn::ConvOptions{.padding = ctnn::causal}) or one that maps one time step to one
  // (Linear, activations, LayerNorm), or run this model on whole sequences with forward.
  static_assert(streamed_layer<I, L>::template cannot_stream_because<Reason>::template streams<false>,
                "ctnn::Sequential::step: a layer cannot stream: it has no step of its own and does not map one time "
                "step to one (the note below names the layer, its position and why)");
  static constexpr bool value = false;
};

template <int I, class L, int Takes, class Prev, int Gives>
struct check_step_width {
  // Fix: make the features per step agree (a Linear between the two maps one width to the other).
  static_assert(streamed_layer<I, L>::template takes_features_per_step<Takes>::template but_layer<
                    I - 1, Prev>::template gives<Gives>,
                "ctnn::Sequential::step: adjacent layers disagree on the number of features per time step (the note "
                "below names both layers and both widths)");
  static constexpr bool value = false;
};

/// The layer a child type stands for (a Shared position: the layer it reuses).
template <class C>
struct stream_layer_type {
  using type = C;
};
template <class C>
  requires is_shared_child<C>
struct stream_layer_type<C> {
  using type = typename C::layer_type;
};

template <class L, step_failure Failure, int F, std::size_t Position>
constexpr auto failure_reason() {
  if constexpr (Failure == step_failure::shared_state) {
    return std::type_identity<
        it_keeps_state_and_is_also_used_at_a_later_position_so_it_would_step_twice_per_time_step<Position>>{};
  } else if constexpr (requires { typename L::cannot_stream_because; }) {
    return std::type_identity<typename L::cannot_stream_because>{};
  } else if constexpr (Failure == step_failure::container) {
    return std::type_identity<it_is_a_container_whose_layers_do_not_all_stream>{};
  } else {
    return std::type_identity<it_keeps_no_state_and_its_forward_does_not_map_one_time_step_of_features_to_one<F>>{};
  }
}

/// One error for the first child of Children (a std::tuple) that cannot stream; true when all can.
template <class Children>
constexpr bool check_stream() {
  constexpr auto c = step_chain_of<Children>::value;
  constexpr std::size_t i = c.first_failure;
  if constexpr (i == std::tuple_size_v<Children>) {
    return true;
  } else {
    using C = std::tuple_element_t<i, Children>;
    using L = typename stream_layer_type<C>::type;
    constexpr step_link link = c.links[i];
    if constexpr (link.failure == step_failure::width) {
      using Prev = typename stream_layer_type<std::tuple_element_t<i - 1, Children>>::type;
      return check_step_width<static_cast<int>(i), L, link.in, Prev, c.links[i - 1].out>::value;
    } else {
      using Reason = typename decltype(failure_reason<L, link.failure, link.in, i>())::type;
      return check_streams<static_cast<int>(i), L, Reason>::value;
    }
  }
}

// ---- walkers ----------------------------------------------------------------------------------

/// Bytes of state in the tree of T: a container's are its children's; a leaf's are its own
/// `state_bytes` and those of its reflected members (the children child_type_list names).
template <class T>
constexpr long long count_state_bytes() {
  if constexpr (is_shared_child<T>) {
    return 0;  // counted where the layer is defined
  } else {
    long long own = 0;
    if constexpr (keeps_own_state<T>() && requires { T::state_bytes; }) own = static_cast<long long>(T::state_bytes);
    return own + []<class... Cs>(std::type_identity<std::tuple<Cs...>>) {
      return (0LL + ... + count_state_bytes<Cs>());
    }(std::type_identity<child_type_list_t<T>>{});
  }
}

}  // namespace detail

/// Zeroes the state of every stateful layer in model (a Sequential, a Residual, a user's
/// struct, any tree the walker of core/module.hpp reaches): hidden vectors, ring buffers and
/// their positions. Allocates nothing, throws nothing: safe on an audio thread.
template <class Model>
void reset_state(Model& model) noexcept {
  for_each_module(model, [](auto& m) {
    if constexpr (detail::ResetsOwnState<std::remove_cvref_t<decltype(m)>>) m.reset_state();
  });
}

/// Bytes of state that Model's stateful layers keep between steps (what ctnn::summary prints;
/// 0 for a model without state). Parameters and buffers are not state.
template <class Model>
inline constexpr long long state_bytes = detail::count_state_bytes<std::remove_cvref_t<Model>>();

}  // namespace ctnn
