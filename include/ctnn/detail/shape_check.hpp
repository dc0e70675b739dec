/// @file The only file that emits shape diagnostics. GCC 12 cannot format numbers into a
/// static_assert message, so each check is a type whose name reads as a sentence with the
/// numbers in it; the compiler prints that name in the note under the error.
/// docs/errors.md lists every message here with the compile-fail test that pins it.
#pragma once

#include <cstddef>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ctnn/core/shape.hpp"

namespace ctnn::detail {

// ---- Sequential: adjacent layers ------------------------------------------------------------

template <int Index, class Layer>
struct layer {
  template <int Expected>
  struct expects_input_features {
    template <int PrevIndex, class Prev>
    struct but_layer {
      template <int Produced>
      static constexpr bool produces = Expected == any || Produced == any || Expected == Produced;
    };
  };
};

template <int I, class Layer, class Prev, int Expected, int Produced>
struct check_layer_input {
  // Fix: make layer I's input width equal the width layer I-1 produces (change one of the
  // two Linear sizes, or insert a layer that maps one width to the other).
  static_assert(layer<I, Layer>::template expects_input_features<Expected>::template but_layer<
                    I - 1, Prev>::template produces<Produced>,
                "ctnn::Sequential: adjacent layers disagree on the number of features (the note "
                "below names them)");
};

template <std::size_t I, class... Ls>
struct link_check {
  using types = std::tuple<Ls...>;
  using type = check_layer_input<static_cast<int>(I), std::tuple_element_t<I, types>,
                                 std::tuple_element_t<I - 1, types>,
                                 std::tuple_element_t<I, types>::in_features,
                                 chain_widths<Ls...>::widths.w[I]>;
};

template <class Seq, class... Ls>
struct link_checks_impl;
template <std::size_t... Is, class... Ls>
struct link_checks_impl<std::index_sequence<Is...>, Ls...> : link_check<Is + 1, Ls...>::type... {};

/// Sequential<Ls...> derives from this: one base per link 1..n-1, each with its own
/// static_assert, so a bad link is reported once, at the line where the user names the type.
template <class... Ls>
struct link_checks : link_checks_impl<std::make_index_sequence<sizeof...(Ls) - 1>, Ls...> {};

// ---- forward / backward arguments ------------------------------------------------------------

template <class Model>
struct forward_of {
  template <int Expected>
  struct expects_input_features {
    template <int Given>
    static constexpr bool but_was_given = Expected == any || Given == -1 || Expected == Given;
  };
};

template <class Model>
struct backward_of {
  template <int Expected>
  struct expects_gradient_features {
    template <int Given>
    static constexpr bool but_was_given = Expected == any || Given == -1 || Expected == Given;
  };
};

/// Checks that an input with `Given` rows (Eigen::Dynamic = -1: checked at run time) fits a
/// model expecting `Expected` features. Evaluates to the check's result.
template <class Model, int Expected, int Given>
constexpr bool check_forward_input() {
  // Fix: pass a sample (or batch) with as many rows as the model's in_features.
  static_assert(forward_of<Model>::template expects_input_features<Expected>::template but_was_given<Given>,
                "ctnn: forward was given an input with the wrong number of features (the note below "
                "names the model, the expected and the given width)");
  return forward_of<Model>::template expects_input_features<Expected>::template but_was_given<Given>;
}

template <class Model, int Expected, int Given>
constexpr bool check_backward_gradient() {
  // Fix: backward takes dLoss/dOutput, which has as many rows as the model's out_features.
  static_assert(backward_of<Model>::template expects_gradient_features<Expected>::template but_was_given<Given>,
                "ctnn: backward was given a gradient with the wrong number of features (the note "
                "below names the model, the expected and the given width)");
  return backward_of<Model>::template expects_gradient_features<Expected>::template but_was_given<Given>;
}

template <class Model, class Expected, class Given>
struct forward_expects_scalar {
  template <class>
  static constexpr bool but_was_given = std::is_same_v<Expected, Given>;
};

template <class Model, class Expected, class Given>
constexpr bool check_input_scalar() {
  // Fix: convert the input with .template cast<Scalar>(), or instantiate the model with
  // ctnn::with_scalar<Model, Scalar>.
  static_assert(forward_expects_scalar<Model, Expected, Given>::template but_was_given<Given>,
                "ctnn: the input's scalar type differs from the model's (float vs double?)");
  return std::is_same_v<Expected, Given>;
}

}  // namespace ctnn::detail
