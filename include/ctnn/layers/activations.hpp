/// @file Defines the elementwise activations of torch.nn: ReLU, LeakyReLU, Sigmoid, Tanh,
/// GELU (erf form and tanh approximation), SiLU, ELU, Softplus, Identity. Each is
/// shape-polymorphic and states only f and its derivative; ctnn::Pointwise does the rest.
/// Every formula stays finite for inputs of magnitude 1e4 where PyTorch's does.
#pragma once

#include <cmath>
#include <numbers>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "ctnn/layers/pointwise.hpp"

namespace ctnn {

namespace detail {
/// 1 / (1 + exp(-x)) without overflow: exp of a non-positive number only.
template <class S>
S stable_sigmoid(S x) {
  if (x >= S(0)) return S(1) / (S(1) + std::exp(-x));
  const S e = std::exp(x);
  return e / (S(1) + e);
}

/// Formats a double as Python's repr does for the values torch prints (0.01, 1.0, 0.2).
inline std::string python_float(double v) {
  char buf[32];
  for (int precision = 1; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string s = buf;
  if (s.find_first_of(".eEn") == std::string::npos) s += ".0";
  return s;
}
}  // namespace detail

/// max(0, x). relu'(0) = 0, as in PyTorch.
struct ReLU : Pointwise<ReLU> {
  template <class S> S f(S x) const { return x > S(0) ? x : S(0); }
  template <class S> S df(S x, S) const { return x > S(0) ? S(1) : S(0); }
  // vectorised: max keeps NaN as PyTorch does; the gradient passes where x > 0
  template <class A> auto array_f(const A& x) const { return x.max(typename A::Scalar(0)); }
  template <class X, class Y, class G>
  auto array_backward(const X& x, const Y&, const G& dy) const {
    return (x > typename X::Scalar(0)).select(dy, typename G::Scalar(0));
  }
  // x > 0 exactly where y > 0: backward is the same from y, so training may overwrite x
  // (detail/fuse.hpp)
  static constexpr bool forward_in_place = true;
  static constexpr std::string_view repr_name = "ReLU";
};

/// x for x > 0, negative_slope * x otherwise (negative_slope 0.01 by default).
struct LeakyReLU : Pointwise<LeakyReLU> {
  double negative_slope = 0.01;
  LeakyReLU() = default;
  explicit LeakyReLU(double slope) : negative_slope(slope) {}
  template <class S> S f(S x) const { return x > S(0) ? x : S(negative_slope) * x; }
  template <class S> S df(S x, S) const { return x > S(0) ? S(1) : S(negative_slope); }
  static constexpr std::string_view repr_name = "LeakyReLU";
  std::string extra_repr() const { return "negative_slope=" + detail::python_float(negative_slope); }
};

/// 1 / (1 + exp(-x)); derivative y (1 - y).
struct Sigmoid : Pointwise<Sigmoid> {
  template <class S> S f(S x) const { return detail::stable_sigmoid(x); }
  template <class S> S df(S, S y) const { return y * (S(1) - y); }
  static constexpr std::string_view repr_name = "Sigmoid";
};

/// tanh(x); derivative 1 - y^2.
struct Tanh : Pointwise<Tanh> {
  template <class S> S f(S x) const { return std::tanh(x); }
  template <class S> S df(S, S y) const { return S(1) - y * y; }
  // vectorised: Eigen's tanh (a rational approximation within a few ulp in float)
  template <class A> auto array_f(const A& x) const { return x.tanh(); }
  template <class X, class Y, class G>
  auto array_backward(const X&, const Y& y, const G& dy) const {
    return dy * (typename Y::Scalar(1) - y.square());
  }
  static constexpr std::string_view repr_name = "Tanh";
};

/// How GELU computes Phi(x), as GELU's `approximate` argument.
enum class Approximate { none, tanh };

/// x * Phi(x): exact (erf) or the tanh approximation, as torch.nn.GELU(approximate=...).
template <Approximate A>
struct BasicGELU : Pointwise<BasicGELU<A>> {
  template <class S>
  S f(S x) const {
    if constexpr (A == Approximate::none) {
      return S(0.5) * x * (S(1) + std::erf(x * S(std::numbers::sqrt2 / 2)));
    } else {
      return S(0.5) * x * (S(1) + std::tanh(inner(x)));
    }
  }
  template <class S>
  S df(S x, S) const {
    if constexpr (A == Approximate::none) {
      const S cdf = S(0.5) * (S(1) + std::erf(x * S(std::numbers::sqrt2 / 2)));
      const S pdf = std::exp(S(-0.5) * x * x) * S(std::numbers::inv_sqrtpi * std::numbers::sqrt2 / 2);  // 1/sqrt(2 pi)
      return cdf + x * pdf;
    } else {
      const S t = std::tanh(inner(x));
      const S dinner = S(kBeta) * (S(1) + S(3 * kKappa) * x * x);
      return S(0.5) * (S(1) + t) + S(0.5) * x * (S(1) - t * t) * dinner;
    }
  }
  static constexpr std::string_view repr_name = "GELU";
  std::string extra_repr() const { return A == Approximate::none ? "approximate='none'" : "approximate='tanh'"; }

 private:
  static constexpr double kBeta = std::numbers::sqrt2 * std::numbers::inv_sqrtpi;  // sqrt(2 / pi)
  static constexpr double kKappa = 0.044715;
  template <class S>
  static S inner(S x) {
    return S(kBeta) * (x + S(kKappa) * x * x * x);
  }
};
/// torch.nn.GELU(): x * Phi(x) with the exact normal CDF.
using GELU = BasicGELU<Approximate::none>;
/// torch.nn.GELU(approximate='tanh').
using GELUTanh = BasicGELU<Approximate::tanh>;

/// x * sigmoid(x) (also called swish).
struct SiLU : Pointwise<SiLU> {
  template <class S> S f(S x) const { return x * detail::stable_sigmoid(x); }
  template <class S>
  S df(S x, S) const {
    const S s = detail::stable_sigmoid(x);
    return s * (S(1) + x * (S(1) - s));
  }
  static constexpr std::string_view repr_name = "SiLU";
};

/// x for x > 0, alpha * (exp(x) - 1) otherwise (alpha 1 by default).
struct ELU : Pointwise<ELU> {
  double alpha = 1.0;
  ELU() = default;
  explicit ELU(double a) : alpha(a) {}
  template <class S> S f(S x) const { return x > S(0) ? x : S(alpha) * std::expm1(x); }
  template <class S> S df(S x, S) const { return x > S(0) ? S(1) : S(alpha) * std::exp(x); }
  static constexpr std::string_view repr_name = "ELU";
  std::string extra_repr() const { return "alpha=" + detail::python_float(alpha); }
};

/// log(1 + exp(beta x)) / beta, and x itself where beta x > threshold (beta 1, threshold 20),
/// as torch.nn.Softplus.
struct Softplus : Pointwise<Softplus> {
  double beta = 1.0;
  double threshold = 20.0;
  Softplus() = default;
  Softplus(double b, double t) : beta(b), threshold(t) {}
  template <class S>
  S f(S x) const {
    const S bx = S(beta) * x;
    return bx > S(threshold) ? x : std::log1p(std::exp(bx)) / S(beta);
  }
  template <class S>
  S df(S x, S) const {
    const S bx = S(beta) * x;
    return bx > S(threshold) ? S(1) : detail::stable_sigmoid(bx);
  }
  static constexpr std::string_view repr_name = "Softplus";
  std::string extra_repr() const {
    // torch stores the defaults as the ints 1 and 20 and prints them so
    auto num = [](double v) { return v == std::floor(v) ? std::to_string(static_cast<long long>(v)) : detail::python_float(v); };
    return "beta=" + num(beta) + ", threshold=" + num(threshold);
  }
};

/// y = x.
struct Identity : Pointwise<Identity> {
  template <class S> S f(S x) const { return x; }
  template <class S> S df(S, S) const { return S(1); }
  static constexpr std::string_view repr_name = "Identity";
};

}  // namespace ctnn
