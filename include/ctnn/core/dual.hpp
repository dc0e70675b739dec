/// @file Defines ctnn::Dual<S>: a forward-mode dual number v + d ε (ε² = 0). A function
/// written once, generically, evaluated at Dual(x, 1) gives f(x) in .v and f'(x) in .d;
/// ctnn::Elementwise derives its backward this way.
///
/// Write such functions with unqualified calls after `using std::exp;` (and the others):
/// for S the std function is chosen, for Dual<S> the overload here, found by ADL.
#pragma once

#include <cmath>

namespace ctnn {

template <class S>
struct Dual {
  S v{};  ///< value
  S d{};  ///< derivative

  constexpr Dual() = default;
  constexpr Dual(S value, S derivative = S(0)) : v(value), d(derivative) {}  // NOLINT: constants mix in

  // arithmetic: the rules of differentiation
  friend constexpr Dual operator+(const Dual& a) { return a; }
  friend constexpr Dual operator-(const Dual& a) { return {-a.v, -a.d}; }
  friend constexpr Dual operator+(const Dual& a, const Dual& b) { return {a.v + b.v, a.d + b.d}; }
  friend constexpr Dual operator-(const Dual& a, const Dual& b) { return {a.v - b.v, a.d - b.d}; }
  friend constexpr Dual operator*(const Dual& a, const Dual& b) { return {a.v * b.v, a.d * b.v + a.v * b.d}; }
  friend constexpr Dual operator/(const Dual& a, const Dual& b) {
    return {a.v / b.v, (a.d * b.v - a.v * b.d) / (b.v * b.v)};
  }
  constexpr Dual& operator+=(const Dual& b) { return *this = *this + b; }
  constexpr Dual& operator-=(const Dual& b) { return *this = *this - b; }
  constexpr Dual& operator*=(const Dual& b) { return *this = *this * b; }
  constexpr Dual& operator/=(const Dual& b) { return *this = *this / b; }

  // comparisons look at values only (a branch picks one piece of a piecewise function)
  friend constexpr bool operator<(const Dual& a, const Dual& b) { return a.v < b.v; }
  friend constexpr bool operator>(const Dual& a, const Dual& b) { return a.v > b.v; }
  friend constexpr bool operator<=(const Dual& a, const Dual& b) { return a.v <= b.v; }
  friend constexpr bool operator>=(const Dual& a, const Dual& b) { return a.v >= b.v; }
  friend constexpr bool operator==(const Dual& a, const Dual& b) { return a.v == b.v; }

  // elementary functions: f(v) + f'(v) d ε
  friend Dual exp(const Dual& a) {
    const S e = std::exp(a.v);
    return {e, e * a.d};
  }
  friend Dual expm1(const Dual& a) { return {std::expm1(a.v), std::exp(a.v) * a.d}; }
  friend Dual log(const Dual& a) { return {std::log(a.v), a.d / a.v}; }
  friend Dual log1p(const Dual& a) { return {std::log1p(a.v), a.d / (S(1) + a.v)}; }
  friend Dual sqrt(const Dual& a) {
    const S r = std::sqrt(a.v);
    return {r, a.d / (S(2) * r)};
  }
  friend Dual pow(const Dual& a, S k) { return {std::pow(a.v, k), k * std::pow(a.v, k - S(1)) * a.d}; }
  friend Dual sin(const Dual& a) { return {std::sin(a.v), std::cos(a.v) * a.d}; }
  friend Dual cos(const Dual& a) { return {std::cos(a.v), -std::sin(a.v) * a.d}; }
  friend Dual tanh(const Dual& a) {
    const S t = std::tanh(a.v);
    return {t, (S(1) - t * t) * a.d};
  }
  friend Dual sinh(const Dual& a) { return {std::sinh(a.v), std::cosh(a.v) * a.d}; }
  friend Dual cosh(const Dual& a) { return {std::cosh(a.v), std::sinh(a.v) * a.d}; }
  friend Dual atan(const Dual& a) { return {std::atan(a.v), a.d / (S(1) + a.v * a.v)}; }
  friend Dual erf(const Dual& a) {
    constexpr double two_over_sqrt_pi = 1.1283791670955125738961589031215;
    return {std::erf(a.v), S(two_over_sqrt_pi) * std::exp(-a.v * a.v) * a.d};
  }
  /// |x|, with derivative sign(x) (0 at 0, as torch.abs).
  friend Dual abs(const Dual& a) { return {std::abs(a.v), a.v > S(0) ? a.d : a.v < S(0) ? -a.d : S(0)}; }
  friend Dual fabs(const Dual& a) { return abs(a); }
  /// max and min take the derivative of the larger (smaller) argument, the first one on ties.
  friend Dual fmax(const Dual& a, const Dual& b) { return b.v > a.v ? b : a; }
  friend Dual fmin(const Dual& a, const Dual& b) { return b.v < a.v ? b : a; }
};

}  // namespace ctnn
