/// @file Defines ctnn::init, torch.nn.init: uniform_, normal_, constant_, zeros_, ones_,
/// xavier_uniform_, xavier_normal_, kaiming_uniform_, kaiming_normal_ and calculate_gain,
/// with PyTorch's formulas and fans.
///
/// Each takes one tensor (a ctnn::Parameter or ctnn::Buffer) or a whole model. On a model,
/// uniform_, normal_, constant_, zeros_ and ones_ fill every parameter; the fan-based xavier_*
/// and kaiming_* fill every parameter of two or more dimensions (the weights, N-D ones with
/// PyTorch's fans, see fans()) and leave the 0-D and 1-D ones (biases) as they are, which is what `for p in model.parameters(): if p.dim() > 1: ...` does
/// in PyTorch. Random values come from `gen` (this thread's default generator unless given)
/// in PyTorch's element order (row-major), so the same seed gives the same numbers.
#pragma once

#include <cmath>
#include <optional>
#include <type_traits>

#include "ctnn/core/buffer.hpp"
#include "ctnn/core/error.hpp"
#include "ctnn/core/module.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/init/generator.hpp"

namespace ctnn::init {

/// torch.nn.init's `mode`: which fan kaiming_* preserve the variance of.
enum class FanMode { fan_in, fan_out };

/// torch.nn.init's `nonlinearity` names, for calculate_gain and kaiming_*.
enum class Nonlinearity { linear, conv1d, conv2d, conv3d, sigmoid, tanh, relu, leaky_relu, selu };

/// torch.nn.init.calculate_gain: 1 for linear, conv and sigmoid, 5/3 for tanh, sqrt(2) for
/// relu, sqrt(2 / (1 + slope^2)) for leaky_relu (slope `param`, 0.01 if not given), 3/4 for selu.
inline double calculate_gain(Nonlinearity nonlinearity, std::optional<double> param = std::nullopt) {
  switch (nonlinearity) {
    case Nonlinearity::tanh: return 5.0 / 3.0;
    case Nonlinearity::relu: return std::sqrt(2.0);
    case Nonlinearity::leaky_relu: {
      const double slope = param.value_or(0.01);
      return std::sqrt(2.0 / (1.0 + slope * slope));
    }
    case Nonlinearity::selu: return 3.0 / 4.0;
    default: return 1.0;
  }
}

/// A tensor init writes into: a Parameter or a Buffer.
template <class T>
concept InitTarget = ParameterType<T> || BufferType<T>;

namespace detail {
/// Named so that the note under fans' static_assert shows the tensor's shape (Cols 1: 1-D).
template <int Rows, int Cols>
struct fans_of_tensor_with_shape {
  template <bool Has>
  static constexpr bool has_two_dimensions = Has;
};
}  // namespace detail

/// fan_in and fan_out of a tensor, as torch.nn.init._calculate_fan_in_and_fan_out: for
/// PyTorch's shape (d0, d1, d2, ...), receptive field r = d2 * d3 * ... (1 for a 2-D tensor),
/// fan_in = d1 * r and fan_out = d0 * r. Linear's weight (out, in) has fan_in = in; a Conv2d
/// weight (out, in / groups, kH, kW) has fan_in = in / groups * kH * kW. Stored as rows = d0
/// and cols = d1 * r, so fan_in is cols. Tensors of fewer than 2 dimensions do not compile.
struct Fans {
  int fan_in, fan_out;
};
template <InitTarget T>
constexpr Fans fans() {
  using P = std::remove_cvref_t<T>;
  // Fix: fan-based initialisation needs a weight (2-D or more); give a bias uniform_, normal_ or zeros_.
  static_assert(detail::fans_of_tensor_with_shape<P::rows, P::cols>::template has_two_dimensions<P::ndim >= 2>,
                "ctnn::init: fan in and fan out can not be computed for a tensor with fewer than 2 "
                "dimensions (xavier_* and kaiming_* need a 2-D weight, not a 1-D bias)");
  if constexpr (P::ndim >= 2) {
    constexpr int receptive_field = P::cols / P::shape()[1];
    return {P::cols, P::rows * receptive_field};
  } else {
    return {0, 0};  // the static_assert above has spoken
  }
}

namespace detail {
/// Calls f(tensor) on t itself, or on every parameter of the model t (only those of 2 or
/// more dimensions, the weights, when TwoDimOnly).
template <bool TwoDimOnly = false, class T, class F>
void each_tensor(T& t, F&& f) {
  if constexpr (InitTarget<T>) {
    f(t);
  } else {
    parameters(t, [&](auto& p) {
      if constexpr (!TwoDimOnly || std::remove_cvref_t<decltype(p)>::ndim >= 2) f(p);
    });
  }
}
/// Sets every element to draw(), in PyTorch's (row-major) order.
template <class P, class Draw>
void fill_row_major(P& p, Draw&& draw) {
  using S = typename std::remove_cvref_t<P>::scalar_type;
  for (Eigen::Index r = 0; r < p.value.rows(); ++r)
    for (Eigen::Index c = 0; c < p.value.cols(); ++c) p.value(r, c) = static_cast<S>(draw());
}
}  // namespace detail

/// Fills with U(a, b).
template <class T>
void uniform_(T& t, double a = 0.0, double b = 1.0, Generator& gen = default_generator()) {
  if (!(a <= b)) ctnn::detail::fail("ctnn::init::uniform_: expects a <= b, got a = " + std::to_string(a) + ", b = " + std::to_string(b));
  detail::each_tensor(t, [&](auto& p) { detail::fill_row_major(p, [&] { return gen.uniform(a, b); }); });
}

/// Fills with N(mean, std^2).
template <class T>
void normal_(T& t, double mean = 0.0, double std = 1.0, Generator& gen = default_generator()) {
  if (!(std >= 0.0)) ctnn::detail::fail("ctnn::init::normal_: expects std >= 0, got " + std::to_string(std));
  detail::each_tensor(t, [&](auto& p) { detail::fill_row_major(p, [&] { return gen.normal(mean, std); }); });
}

/// Fills with val.
template <class T>
void constant_(T& t, double val) {
  detail::each_tensor(t, [&](auto& p) { p.value.setConstant(static_cast<typename std::remove_cvref_t<decltype(p)>::scalar_type>(val)); });
}
template <class T>
void zeros_(T& t) {
  constant_(t, 0.0);
}
template <class T>
void ones_(T& t) {
  constant_(t, 1.0);
}

/// U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out)) (Glorot and Bengio, 2010).
template <class T>
void xavier_uniform_(T& t, double gain = 1.0, Generator& gen = default_generator()) {
  detail::each_tensor<true>(t, [&](auto& p) {
    constexpr Fans f = fans<std::remove_cvref_t<decltype(p)>>();
    const double a = gain * std::sqrt(6.0 / double(f.fan_in + f.fan_out));
    detail::fill_row_major(p, [&] { return gen.uniform(-a, a); });
  });
}

/// N(0, std^2) with std = gain * sqrt(2 / (fan_in + fan_out)).
template <class T>
void xavier_normal_(T& t, double gain = 1.0, Generator& gen = default_generator()) {
  detail::each_tensor<true>(t, [&](auto& p) {
    constexpr Fans f = fans<std::remove_cvref_t<decltype(p)>>();
    const double std = gain * std::sqrt(2.0 / double(f.fan_in + f.fan_out));
    detail::fill_row_major(p, [&] { return gen.normal(0.0, std); });
  });
}

namespace detail {
template <class P>
double kaiming_std(double a, FanMode mode, Nonlinearity nonlinearity) {
  constexpr Fans f = fans<P>();
  const int fan = mode == FanMode::fan_in ? f.fan_in : f.fan_out;
  return calculate_gain(nonlinearity, a) / std::sqrt(double(fan));
}
}  // namespace detail

/// U(-bound, bound) with bound = gain * sqrt(3 / fan), gain = calculate_gain(nonlinearity, a)
/// (He et al., 2015). nn.Linear's default weight init is kaiming_uniform_(w, sqrt(5)).
template <class T>
void kaiming_uniform_(T& t, double a = 0.0, FanMode mode = FanMode::fan_in,
                      Nonlinearity nonlinearity = Nonlinearity::leaky_relu, Generator& gen = default_generator()) {
  detail::each_tensor<true>(t, [&](auto& p) {
    const double bound = std::sqrt(3.0) * detail::kaiming_std<std::remove_cvref_t<decltype(p)>>(a, mode, nonlinearity);
    detail::fill_row_major(p, [&] { return gen.uniform(-bound, bound); });
  });
}

/// N(0, std^2) with std = gain / sqrt(fan).
template <class T>
void kaiming_normal_(T& t, double a = 0.0, FanMode mode = FanMode::fan_in,
                     Nonlinearity nonlinearity = Nonlinearity::leaky_relu, Generator& gen = default_generator()) {
  detail::each_tensor<true>(t, [&](auto& p) {
    const double std = detail::kaiming_std<std::remove_cvref_t<decltype(p)>>(a, mode, nonlinearity);
    detail::fill_row_major(p, [&] { return gen.normal(0.0, std); });
  });
}

}  // namespace ctnn::init
