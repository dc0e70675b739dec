/// @file Defines ctnn::Elementwise<F>: a layer applying a scalar function F to every element,
/// whose derivative is computed automatically (forward-mode dual numbers, ctnn::Dual): write
/// f once, get forward and backward. Mish, x * tanh(softplus(x)), is three lines:
///
///   struct Mish {
///     template <class T> T operator()(T x) const {
///       using std::exp, std::log1p, std::tanh;
///       return x * tanh(x > T(20) ? x : log1p(exp(x)));
///     }
///   };
///   using MishLayer = ctnn::Elementwise<Mish>;   // prints as "Mish()"
#pragma once

#include <string_view>
#include <type_traits>

#include "ctnn/core/dual.hpp"
#include "ctnn/layers/pointwise.hpp"
#include "ctnn/detail/type_name.hpp"

namespace ctnn {

namespace detail {
/// Named so that the note under Elementwise's static_assert names F.
template <class F>
struct elementwise_function {
  template <bool Accepts>
  static constexpr bool accepts_dual_numbers = Accepts;
};

/// The name an Elementwise<F> prints: F::repr_name, else F's class name (Elementwise for a lambda).
template <class F>
constexpr std::string_view elementwise_name() {
  constexpr std::string_view name = repr_name_of<F>();
  if constexpr (requires { std::string_view(F::repr_name); }) return name;
  const bool identifier = !name.empty() && ((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z') ||
                                            name[0] == '_') && name.find("lambda") == std::string_view::npos;
  return identifier ? name : std::string_view("Elementwise");
}
}  // namespace detail

/// y = F(x) element by element, shape-polymorphic; dx = dy * F'(x) with F' from ctnn::Dual.
/// F is a default-constructible function object (or pass one to the constructor, e.g. a
/// lambda with captures), callable with S and with ctnn::Dual<S>: write it as a template on
/// its argument type and call math functions unqualified after `using std::exp;` etc.
template <class F>
struct Elementwise : Pointwise<Elementwise<F>> {
  F fn{};

  Elementwise() = default;
  explicit Elementwise(F f) : fn(f) {}

  // forward: F(x)
  template <class S>
  S f(S x) const {
    return static_cast<S>(fn(x));
  }
  // backward: F'(x), the ε part of F(x + ε)
  template <class S>
  S df(S x, S) const {
    // Fix: write F generically, `template <class T> T operator()(T x) const`, with unqualified
    // calls (using std::exp; ... exp(x)) so that ctnn::Dual<S>'s overloads are found.
    static_assert(detail::elementwise_function<F>::template accepts_dual_numbers<requires { fn(Dual<S>(x, S(1))).d; }>,
                  "ctnn::Elementwise<F>: F must also accept ctnn::Dual<S>, from which the derivative is "
                  "computed (write it as a template on its argument type)");
    if constexpr (requires { fn(Dual<S>(x, S(1))).d; }) return static_cast<S>(fn(Dual<S>(x, S(1))).d);
    else return S(0);
  }

  static constexpr std::string_view repr_name = detail::elementwise_name<F>();
};

}  // namespace ctnn
