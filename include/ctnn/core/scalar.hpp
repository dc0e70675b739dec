/// @file Scalar types of layers and models: ctnn::scalar_of and ctnn::with_scalar.
#pragma once

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

template <class L, class S>
struct with_scalar_impl {
  using type = L;  // parameter-free layers work with any scalar as they are
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
