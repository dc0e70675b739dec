/// @file Scalar types of layers and models: ctnn::scalar_of and ctnn::with_scalar.
#pragma once

#include <cstddef>
#include <type_traits>

namespace ctnn {

namespace detail {
template <class L>
struct scalar_of_impl {
  using type = float;
};
template <class L>
  requires requires { typename L::scalar_type; }
struct scalar_of_impl<L> {
  using type = typename L::scalar_type;
};

template <class T>
constexpr std::size_t count_parameters();  // core/module.hpp

/// Named so that the note under with_scalar's check reads as a sentence.
template <class L>
struct layer_with_parameters_in_another_scalar {
  template <class S>
  static constexpr bool has_no_with_scalar_to_become =
      count_parameters<L>() == 0 || std::is_same_v<typename scalar_of_impl<L>::type, S>;
};

template <class L, class S>
constexpr bool check_keeps_scalar() {
  // Fix: in the layer, declare `template <class S> using with_scalar = MyLayer<..., S>;` (its
  // parameters in scalar S), as ctnn::Linear does.
  static_assert(layer_with_parameters_in_another_scalar<L>::template has_no_with_scalar_to_become<S>,
                "ctnn::with_scalar<Net, S>: a layer with parameters has no `template <class S> using "
                "with_scalar = ...;` and would keep its scalar type (the note names the layer and S)");
  return true;
}

template <class L, class S>
struct with_scalar_impl {
  // parameter-free layers work with any scalar as they are
  using type = std::conditional_t<check_keeps_scalar<L, S>(), L, L>;
};
template <class L, class S>
  requires requires { typename L::template with_scalar<S>; }
struct with_scalar_impl<L, S> {
  using type = typename L::template with_scalar<S>;
};
}  // namespace detail

/// The scalar type a layer or model computes in: its `scalar_type`, float when it has none
/// (parameter-free layers take whatever scalar arrives).
template <class L>
using scalar_of = typename detail::scalar_of_impl<std::remove_cvref_t<L>>::type;

/// The same architecture with every parameter in scalar type S, e.g.
/// `ctnn::with_scalar<Net, double>` for gradient checks. A layer with parameters supports it
/// by declaring `template <class S> using with_scalar = MyLayer<..., S>;`.
template <class L, class S>
using with_scalar = typename detail::with_scalar_impl<L, S>::type;

}  // namespace ctnn
