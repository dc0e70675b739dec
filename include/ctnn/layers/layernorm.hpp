/// @file Defines ctnn::LayerNorm, torch.nn.LayerNorm(normalized_shape): every block of a
/// sample spanning its last dimensions is normalised by its own mean and biased variance,
/// then scaled and shifted elementwise by a weight and bias of the normalised shape.
///
///   y = (x - mean) / sqrt(var + eps) * weight + bias
///
/// It has no running statistics and behaves alike in training and eval.
#pragma once

#include "ctnn/core/reflect.hpp"
#include <cmath>
#include <cstddef>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

#include "ctnn/core/parameter.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/detail/shape_check.hpp"
#include "ctnn/init/generator.hpp"
#include "ctnn/layers/activations.hpp"  // detail::python_float

namespace ctnn {

/// The compile-time keyword arguments of LayerNorm: `ctnn::LayerNorm<8,
/// ctnn::LayerNormOptions{.elementwise_affine = false}>`. eps is a run-time member.
struct LayerNormOptions {
  bool elementwise_affine = true;  ///< weight and bias of the normalised shape, learnt
};

namespace detail {

/// A normalised shape spelt as one int (8) or as a Shape (ctnn::shape_of<4, 8>).
constexpr Shape as_shape(int n) { return Shape(n); }
constexpr Shape as_shape(Shape s) { return s; }

/// TensorParameter<S, dims of N...>.
template <class S, Shape N, std::size_t... I>
auto tensor_parameter_of(std::index_sequence<I...>) -> TensorParameter<S, N.dims[I]...>;
template <class S, Shape N>
using tensor_parameter_of_shape =
    decltype(tensor_parameter_of<S, N>(std::make_index_sequence<static_cast<std::size_t>(N.rank)>{}));

/// PyTorch's tuple: "(8,)", "(4, 8)".
inline std::string python_tuple(Shape s) {
  std::string r = "(";
  for (int i = 0; i < s.rank; ++i) r += (i ? ", " : "") + std::to_string(s[i]);
  return r + (s.rank == 1 ? ",)" : ")");
}

template <int... Dims>
struct normalized_shape {
  template <bool Positive>
  static constexpr bool has_positive_dimensions = Positive;
};
template <class D>
struct check_normalized_shape;
template <int... Ds>
struct check_normalized_shape<dims<Ds...>> {
  // Fix: every dimension of the normalised shape is at least 1.
  static_assert(normalized_shape<Ds...>::template has_positive_dimensions<((Ds > 0) && ...)>,
                "ctnn::LayerNorm<normalized_shape>: every dimension of normalized_shape must be positive (the "
                "note below names them)");
  static constexpr bool value = ((Ds > 0) && ...);
};

/// The mean and 1 / sqrt(biased var + eps) of the n values of a (a column segment or block).
template <class A, class S>
void moments(const A& a, S eps, S& mean, S& invstd) {
  const S n = static_cast<S>(a.size());
  mean = a.sum() / n;
  invstd = S(1) / std::sqrt((a - mean).square().sum() / n + eps);
}

/// The input gradient of xh = (x - mean) invstd through its own mean and variance, given
/// g = dLoss/dxh: invstd (g - mean(g) - xh mean(g xh)).
template <class X, class G, class DX, class S>
void normalise_backward(const X& x, const G& g, DX&& dx, S mean, S invstd) {
  const S n = static_cast<S>(x.size());
  const S mean_g = g.sum() / n;
  const S mean_g_xh = (g * (x - mean)).sum() * invstd / n;
  dx = invstd * (g - mean_g - (x - mean) * (invstd * mean_g_xh));
}

}  // namespace detail

/// torch.nn.LayerNorm(normalized_shape, eps=1e-5, elementwise_affine) in scalar type Scalar:
/// `ctnn::LayerNorm<8>` over the last dimension of size 8, `ctnn::LayerNorm<ctnn::shape_of<4,
/// 8>>` over the last two (4, 8). It acts on every such block of a sample: a (T, 8) sample
/// has T blocks, each normalised alone. weight (ones) and bias (zeros) have the normalised
/// shape (a 2-D TensorParameter for two dimensions).
template <auto NormalizedShape, LayerNormOptions O = LayerNormOptions{}, class Scalar = float>
struct LayerNorm {
  static constexpr Shape normalized_shape = detail::as_shape(NormalizedShape);
  static constexpr bool shape_ok = detail::check_normalized_shape<detail::dims_of<normalized_shape>>::value;
  // elements of one normalised block (1 after the static_assert has spoken, to stop the cascade)
  static constexpr int K = shape_ok ? normalized_shape.size() : 1;

  // shape rule: samples ending with normalized_shape, kept as they are
  static constexpr int in_features = any;
  static constexpr int out_features = any;
  static constexpr Shape in_shape = normalized_shape;
  static constexpr bool accepts(Shape s) {
    if (s.rank < normalized_shape.rank) return false;
    for (int i = 1; i <= normalized_shape.rank; ++i)
      if (s[s.rank - i] != normalized_shape[normalized_shape.rank - i]) return false;
    return true;
  }
  static constexpr Shape output_shape(Shape s) { return s; }
  /// s with its last dimensions replaced by normalized_shape (normalized_shape itself when s
  /// has fewer dimensions).
  static constexpr Shape expected_input(Shape s) {
    if (s.rank < normalized_shape.rank) return normalized_shape;
    Shape e = s;
    for (int i = 1; i <= normalized_shape.rank; ++i) e.dims[s.rank - i] = normalized_shape[normalized_shape.rank - i];
    return e;
  }
  using scalar_type = Scalar;
  template <class S>
  using with_scalar = LayerNorm<NormalizedShape, O, S>;
  static constexpr bool elementwise_affine = O.elementwise_affine;

  using parameter_type = detail::tensor_parameter_of_shape<Scalar, shape_ok ? normalized_shape : Shape(1)>;
  BOOST_HANA_DEFINE_STRUCT(LayerNorm, (std::conditional_t<elementwise_affine, parameter_type, NoParameter>, weight),
                           (std::conditional_t<elementwise_affine, parameter_type, NoParameter>, bias));

  /// Added to the variance before the square root (PyTorch's eps, 1e-5).
  double eps = 1e-5;

  LayerNorm() { reset_parameters(); }
  /// PyTorch's reset_parameters: weight ones, bias zeros (nothing drawn).
  void reset_parameters(Generator&) { reset_parameters(); }
  void reset_parameters() {
    if constexpr (elementwise_affine) {
      weight.value.setOnes();
      bias.value.setZero();
    }
  }

  // forward: each block of K elements, y = (x - mean) invstd weight + bias
  template <class X>
  batch_like<X, X::RowsAtCompileTime> forward(const Eigen::MatrixBase<X>& x) const {
    batch_like<X, X::RowsAtCompileTime> y(x.rows(), x.cols());
    forward_into(x, y);
    return y;
  }
  template <class X, class Y>
  void forward_into(const Eigen::MatrixBase<X>& x, Y&& y) const {
    if constexpr (check_input<X>()) {
      using S = typename X::Scalar;
      for (Eigen::Index j = 0; j < x.cols(); ++j)
        for (Eigen::Index o = 0; o < x.rows(); o += K) {
          const auto xb = x.derived().col(j).template segment<K>(o).array();
          S mean, invstd;
          detail::moments(xb, static_cast<S>(eps), mean, invstd);
          if constexpr (elementwise_affine) {
            y.col(j).template segment<K>(o) =
                ((xb - mean) * invstd * flat(weight.value) + flat(bias.value)).matrix();
          } else {
            y.col(j).template segment<K>(o) = ((xb - mean) * invstd).matrix();
          }
        }
    }
  }

  // backward, per block: g = dy weight, dx = invstd (g - mean(g) - xh mean(g xh));
  // dweight += dy xh, dbias += dy
  template <class X, class Y, class G>
  batch_like<G, G::RowsAtCompileTime> backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>& y,
                                               const Eigen::MatrixBase<G>& dy) {
    batch_like<G, G::RowsAtCompileTime> dx(dy.rows(), dy.cols());
    backward_into(x, y, dy, dx);
    return dx;
  }
  /// backward writing dLoss/dx into dx (a matrix or Map of x's shape).
  template <class X, class Y, class G, class DX>
  void backward_into(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>&,
                     const Eigen::MatrixBase<G>& dy, DX&& dx) {
    if constexpr (check_input<X>()) {
      using S = typename G::Scalar;
      for (Eigen::Index j = 0; j < x.cols(); ++j)
        for (Eigen::Index o = 0; o < x.rows(); o += K) {
          const auto xb = x.derived().col(j).template segment<K>(o).array();
          const auto gb = dy.derived().col(j).template segment<K>(o).array();
          S mean, invstd;
          detail::moments(xb, static_cast<S>(eps), mean, invstd);
          auto dxb = dx.col(j).template segment<K>(o).array();
          if constexpr (elementwise_affine) {
            if (weight.requires_grad) flat(weight.grad) += gb * (xb - mean) * invstd;
            if (bias.requires_grad) flat(bias.grad) += gb;
            detail::normalise_backward(xb, gb * flat(weight.value), dxb, mean, invstd);
          } else {
            detail::normalise_backward(xb, gb, dxb, mean, invstd);
          }
        }
    }
  }

  /// FLOPs of one sample of shape `in`: the mean, the variance (a subtraction and a
  /// multiply-add), the normalisation (2) and the affine multiply-add, per element.
  static constexpr long long flops(Shape in) {
    return static_cast<long long>(in.known() ? in.size() : K) * (elementwise_affine ? 7 : 5);
  }

  /// PyTorch's extra_repr: "(8,), eps=1e-05, elementwise_affine=True".
  std::string extra_repr() const {
    return detail::python_tuple(normalized_shape) + ", eps=" + detail::python_float(eps) +
           ", elementwise_affine=" + (elementwise_affine ? "True" : "False");
  }
  static constexpr std::string_view repr_name = "LayerNorm";
  /// The fingerprint's arguments: the normalised shape's dimensions, then elementwise_affine=False
  /// when so.
  template <class A>
  static constexpr void describe(A& args) {
    for (int i = 0; i < normalized_shape.rank; ++i) args.arg(normalized_shape[i]);
    if (!elementwise_affine) args.arg("elementwise_affine", "False");
  }

 private:
  /// A parameter's K elements in PyTorch's row-major order, as one array.
  template <class M>
  static auto flat(M& m) {
    return m.template reshaped<Eigen::RowMajor>().array();
  }

  template <class X>
  static constexpr bool check_input() {
    constexpr int R = X::RowsAtCompileTime;
    constexpr bool rows_ok = detail::check_forward_input<LayerNorm, K, R == Eigen::Dynamic || R % K != 0 ? R : K>();
    constexpr bool scalar_ok = detail::check_input_scalar<LayerNorm, Scalar, typename X::Scalar>();
    return rows_ok && scalar_ok;
  }
};

}  // namespace ctnn
