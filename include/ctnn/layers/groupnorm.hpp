/// @file Defines ctnn::GroupNorm, torch.nn.GroupNorm(num_groups, num_channels): the channels
/// of a sample split into groups of num_channels / num_groups, each group (its channels at
/// every position) normalised by its own mean and biased variance, then scaled and shifted
/// per channel.
#pragma once

#include "ctnn/core/reflect.hpp"
#include <string>
#include <string_view>
#include <type_traits>

#include "ctnn/core/parameter.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/detail/shape_check.hpp"
#include "ctnn/init/generator.hpp"
#include "ctnn/layers/layernorm.hpp"  // detail::moments, detail::normalise_backward

namespace ctnn {

/// The compile-time keyword arguments of GroupNorm: `ctnn::GroupNorm<2, 8,
/// ctnn::GroupNormOptions{.affine = false}>`. eps is a run-time member.
struct GroupNormOptions {
  bool affine = true;  ///< weight and bias per channel, learnt
};

namespace detail {
template <int NumGroups>
struct group_norm_num_groups {
  template <int NumChannels>
  static constexpr bool divides_num_channels = NumGroups > 0 && NumChannels > 0 && NumChannels % NumGroups == 0;
};
}  // namespace detail

/// torch.nn.GroupNorm(G, C, eps=1e-5, affine) on samples (C, *): (C), (C, L), (C, H, W).
/// Alike in training and eval (no running statistics).
template <int G, int C, GroupNormOptions O = GroupNormOptions{}, class Scalar = float>
struct GroupNorm {
  // Fix: choose num_groups dividing num_channels (PyTorch: "num_channels must be divisible by
  // num_groups").
  static_assert(detail::group_norm_num_groups<G>::template divides_num_channels<C>,
                "ctnn::GroupNorm<num_groups, num_channels>: num_channels must be divisible by num_groups, and both "
                "positive (the note below names both)");
  static constexpr int num_groups = G;
  static constexpr int num_channels = C;
  static constexpr int group_channels = G > 0 && C % G == 0 ? C / G : 1;

  // shape rule: (C, *) kept as it is
  static constexpr int in_features = any;
  static constexpr int out_features = any;
  static constexpr Shape in_shape = Shape(C);
  static constexpr bool accepts(Shape s) { return s.rank >= 1 && s[0] == C; }
  static constexpr Shape output_shape(Shape s) { return s; }
  static constexpr Shape expected_input(Shape s) {
    Shape e = s.known() ? s : Shape(C);
    e.dims[0] = C;
    return e;
  }
  using scalar_type = Scalar;
  template <class S>
  using with_scalar = GroupNorm<G, C, O, S>;
  static constexpr bool affine = O.affine;

  BOOST_HANA_DEFINE_STRUCT(GroupNorm, (std::conditional_t<affine, TensorParameter<Scalar, C>, NoParameter>, weight),
                           (std::conditional_t<affine, TensorParameter<Scalar, C>, NoParameter>, bias));

  /// Added to the variance before the square root (PyTorch's eps, 1e-5).
  double eps = 1e-5;

  GroupNorm() { reset_parameters(); }
  /// PyTorch's reset_parameters: weight ones, bias zeros (nothing drawn).
  void reset_parameters(Generator&) { reset_parameters(); }
  void reset_parameters() {
    if constexpr (affine) {
      weight.value.setOnes();
      bias.value.setZero();
    }
  }

  // forward: per group of group_channels x L rows of a column, xh = (x - mean) invstd; then
  // y = xh weight[c] + bias[c] per channel
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
      const Eigen::Index L = x.rows() / C, n = group_channels * L;
      for (Eigen::Index j = 0; j < x.cols(); ++j)
        for (int g = 0; g < G; ++g) {
          S mean, invstd;
          detail::moments(x.derived().col(j).segment(g * n, n).array(), static_cast<S>(eps), mean, invstd);
          for (int c = g * group_channels; c < (g + 1) * group_channels; ++c) {
            S k = invstd, b = S(0);
            if constexpr (affine) {
              k *= weight.value(c);
              b = bias.value(c);
            }
            y.col(j).segment(c * L, L) = ((x.derived().col(j).segment(c * L, L).array() - mean) * k + b).matrix();
          }
        }
    }
  }

  // backward, per group: g = dy weight[c], dx = invstd (g - mean(g) - xh mean(g xh));
  // dweight[c] += sum(dy xh), dbias[c] += sum(dy) over the channel's positions and the batch
  template <class X, class Y, class Gr>
  batch_like<Gr, Gr::RowsAtCompileTime> backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>& y,
                                                 const Eigen::MatrixBase<Gr>& dy) {
    batch_like<Gr, Gr::RowsAtCompileTime> dx(dy.rows(), dy.cols());
    backward_into(x, y, dy, dx);
    return dx;
  }
  /// backward writing dLoss/dx into dx (a matrix or Map of x's shape).
  template <class X, class Y, class Gr, class DX>
  void backward_into(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>&,
                     const Eigen::MatrixBase<Gr>& dy, DX&& dx) {
    if constexpr (check_input<X>()) {
      using S = typename Gr::Scalar;
      const Eigen::Index L = x.rows() / C, n = group_channels * L;
      for (Eigen::Index j = 0; j < x.cols(); ++j)
        for (int g = 0; g < G; ++g) {
          const auto xg = x.derived().col(j).segment(g * n, n).array();
          S mean, invstd;
          detail::moments(xg, static_cast<S>(eps), mean, invstd);
          if constexpr (affine) {
            // the sums of g and g xh over the group first, then dx channel by channel
            S sum_g = 0, sum_g_xh = 0;
            for (int c = g * group_channels; c < (g + 1) * group_channels; ++c) {
              const auto dyc = dy.derived().col(j).segment(c * L, L).array();
              const S sum_dy = dyc.sum();
              const S sum_dy_xh = (dyc * (x.derived().col(j).segment(c * L, L).array() - mean)).sum() * invstd;
              if (weight.requires_grad) weight.grad(c) += sum_dy_xh;
              if (bias.requires_grad) bias.grad(c) += sum_dy;
              sum_g += weight.value(c) * sum_dy;
              sum_g_xh += weight.value(c) * sum_dy_xh;
            }
            const S mean_g = sum_g / static_cast<S>(n), mean_g_xh = sum_g_xh / static_cast<S>(n);
            for (int c = g * group_channels; c < (g + 1) * group_channels; ++c) {
              const auto xc = x.derived().col(j).segment(c * L, L).array();
              const auto dyc = dy.derived().col(j).segment(c * L, L).array();
              dx.col(j).segment(c * L, L) =
                  (invstd * (dyc * weight.value(c) - mean_g - (xc - mean) * (invstd * mean_g_xh))).matrix();
            }
          } else {
            detail::normalise_backward(xg, dy.derived().col(j).segment(g * n, n).array(),
                                       dx.col(j).segment(g * n, n).array(), mean, invstd);
          }
        }
    }
  }

  /// FLOPs of one sample of shape `in`: as LayerNorm's, per element.
  static constexpr long long flops(Shape in) {
    return static_cast<long long>(in.known() ? in.size() : C) * (affine ? 7 : 5);
  }

  /// PyTorch's extra_repr: "2, 8, eps=1e-05, affine=True".
  std::string extra_repr() const {
    return std::to_string(G) + ", " + std::to_string(C) + ", eps=" + detail::python_float(eps) +
           ", affine=" + (affine ? "True" : "False");
  }
  static constexpr std::string_view repr_name = "GroupNorm";
  /// The fingerprint's arguments (ctnn/io/fingerprint.hpp).
  template <class A>
  static constexpr void describe(A& args) {
    args.arg(G);
    args.arg(C);
    if (!O.affine) args.arg("affine", "False");
  }

 private:
  template <class X>
  static constexpr bool check_input() {
    constexpr int R = X::RowsAtCompileTime;
    constexpr bool rows_ok = detail::check_forward_input<GroupNorm, C, R == Eigen::Dynamic || R % C != 0 ? R : C>();
    constexpr bool scalar_ok = detail::check_input_scalar<GroupNorm, Scalar, typename X::Scalar>();
    return rows_ok && scalar_ok && C % G == 0;
  }
};

}  // namespace ctnn
