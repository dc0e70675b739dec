/// @file Defines ctnn::Shared<I>: layer I of the enclosing Sequential, used again. PyTorch
/// shares parameters by placing one module object at several places,
///
///   shared = nn.Linear(8, 8)
///   net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), shared, nn.ReLU(), shared, nn.ReLU(), nn.Linear(8, 1))
///
/// and ctnn says the same in the type: `Sequential<Linear<4, 8>, ReLU, Linear<8, 8>, ReLU,
/// Shared<2>, ReLU, Linear<8, 1>>`. Position 4 computes with layer 2's object: one set of
/// parameters, the gradients of both uses adding up in its .grad, updated once by an
/// optimizer, listed once by named_parameters and parameter_count (PyTorch's
/// remove_duplicate), and present under both names, "2.weight" and "4.weight", in the
/// state_dict, files and print(model), as PyTorch's.
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>

namespace ctnn {

/// Layer I (an earlier position) of the enclosing Sequential, used again at this position.
template <std::size_t I>
struct Shared {};

namespace detail {

inline constexpr std::size_t not_shared = static_cast<std::size_t>(-1);

template <class T>
inline constexpr std::size_t shared_index = not_shared;
template <std::size_t I>
inline constexpr std::size_t shared_index<Shared<I>> = I;

/// What a Sequential holds at a position that reuses layer I (of type L): nothing of its own.
/// Walks over parameters skip it; walks over the state_dict and print(model) see layer I
/// under this position's name.
template <std::size_t I, class L>
struct shared_child {
  static constexpr std::size_t target = I;
  using layer_type = L;
};

template <class T>
inline constexpr bool is_shared_child = false;
template <std::size_t I, class L>
inline constexpr bool is_shared_child<shared_child<I, L>> = true;

/// Named so that the note under the check reads as a sentence.
template <std::size_t Position>
struct shared_at_position {
  template <std::size_t I>
  static constexpr bool names_an_earlier_layer = I < Position;
};

/// The position whose object position K of Ls... computes with (Shared<J> at K: J's, followed
/// through further Shared), and the type that object has.
template <std::size_t K, class Tuple>
struct shared_target {
  using T = std::tuple_element_t<K, Tuple>;
  static constexpr std::size_t index = K;
  using type = T;
};
template <std::size_t K, class Tuple>
  requires(shared_index<std::tuple_element_t<K, Tuple>> != not_shared)
struct shared_target<K, Tuple> {
  static constexpr std::size_t J = shared_index<std::tuple_element_t<K, Tuple>>;
  // Fix: Shared<I> reuses an earlier layer: I is the index of a layer before this position.
  static_assert(shared_at_position<K>::template names_an_earlier_layer<J>,
                "ctnn::Shared<I>: I must be the index of an earlier layer of the same Sequential (the note "
                "names this position and I)");
  using next = shared_target<(J < K ? J : 0), Tuple>;
  static constexpr std::size_t index = next::index;
  using type = typename next::type;
};

}  // namespace detail
}  // namespace ctnn
