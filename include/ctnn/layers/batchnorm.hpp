/// @file Defines ctnn::BatchNorm1d and ctnn::BatchNorm2d, torch.nn.BatchNorm1d/2d: each
/// channel normalised by the statistics of the batch (training) or by running estimates of
/// them (eval), then scaled and shifted by a learnt weight and bias.
///
///   y = (x - mean[c]) / sqrt(var[c] + eps) * weight[c] + bias[c]
///
/// A channel's statistics run over the batch and every spatial position: the C rows of a (C)
/// sample, the C blocks of L rows of a (C, L) sample, the C blocks of H W rows of a (C, H, W)
/// sample, in every column of the batch.
#pragma once

#include "ctnn/core/reflect.hpp"
#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>

#include "ctnn/core/buffer.hpp"
#include "ctnn/core/error.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/detail/gemm.hpp"  // detail::no_epilogue
#include "ctnn/detail/shape_check.hpp"
#include "ctnn/detail/simd.hpp"  // sqrt_exact_op
#include "ctnn/init/generator.hpp"
#include "ctnn/layers/activations.hpp"  // detail::python_float

namespace ctnn {

/// The compile-time keyword arguments of BatchNorm1d/2d (they decide which parameters and
/// buffers exist): `ctnn::BatchNorm2d<8, ctnn::BatchNormOptions{.affine = false}>`. eps and
/// momentum are run-time members, as PyTorch's attributes.
struct BatchNormOptions {
  bool affine = true;               ///< weight and bias, learnt
  bool track_running_stats = true;  ///< running_mean, running_var, num_batches_tracked
};

namespace detail {
/// T (a parameter or buffer) when Enabled, else nothing: PyTorch registers None.
template <bool Enabled, class T>
using optional_member = std::conditional_t<Enabled, T, NoParameter>;
}  // namespace detail

/// torch.nn.BatchNorm1d (Dim = 1: samples (C) or (C, L)) and torch.nn.BatchNorm2d (Dim = 2:
/// samples (C, H, W)) over C channels; spelled ctnn::BatchNorm1d<C> and ctnn::BatchNorm2d<C>.
///
/// Modes (model.train() / model.eval(), or set_training):
/// - training: normalises with the batch's mean and biased variance per channel; when
///   track_running_stats, also running_mean = (1 - m) running_mean + m mean and running_var =
///   (1 - m) running_var + m unbiased variance, m = momentum, or 1 / num_batches_tracked when
///   momentum is std::nullopt (PyTorch's momentum=None, the cumulative average), and
///   num_batches_tracked += 1;
/// - eval: normalises with running_mean and running_var (with the batch's statistics, as in
///   training, when !track_running_stats: there are no running ones).
/// `infer(x) const` is eval mode whatever the mode (as Dropout's and Sequential's infer): it
/// cannot update the buffers, and inference is what it is for.
template <int Dim, int C, BatchNormOptions O = BatchNormOptions{}, class Scalar = float>
struct BasicBatchNorm {
  static_assert(Dim == 1 || Dim == 2, "ctnn::BasicBatchNorm<Dim, C>: Dim is 1 (BatchNorm1d) or 2 (BatchNorm2d)");
  static_assert(C > 0, "ctnn::BatchNorm1d/2d<C>: the number of channels C must be positive");

  // shape rule: (C) or (C, L) for BatchNorm1d, (C, H, W) for BatchNorm2d; the shape is kept
  static constexpr int num_features = C;
  static constexpr int in_features = any;
  static constexpr int out_features = any;
  static constexpr bool backward_reads_output = false;  // detail/fuse.hpp
  static constexpr bool accepts(Shape s) {
    const bool rank_ok = Dim == 1 ? (s.rank == 1 || s.rank == 2) : s.rank == 3;
    return rank_ok && s[0] == C;
  }
  static constexpr Shape output_shape(Shape s) { return s; }
  /// What would have been taken where s arrived: s with C channels (the rank PyTorch's input
  /// check asks for when s has another).
  static constexpr Shape expected_input(Shape s) {
    if (Dim == 1) return s.rank == 2 ? Shape(C, s[1]) : Shape(C);
    return s.rank == 3 ? Shape(C, s[1], s[2]) : Shape(C, 1, 1);
  }
  using scalar_type = Scalar;
  template <class S>
  using with_scalar = BasicBatchNorm<Dim, C, O, S>;
  static constexpr bool affine = O.affine;
  static constexpr bool track_running_stats = O.track_running_stats;

  // parameters and buffers, in PyTorch's state_dict order; absent ones are None in PyTorch
  BOOST_HANA_DEFINE_STRUCT(BasicBatchNorm,
                           (detail::optional_member<affine, TensorParameter<Scalar, C>>, weight),
                           (detail::optional_member<affine, TensorParameter<Scalar, C>>, bias),
                           (detail::optional_member<track_running_stats, TensorBuffer<Scalar, C>>, running_mean),
                           (detail::optional_member<track_running_stats, TensorBuffer<Scalar, C>>, running_var),
                           (detail::optional_member<track_running_stats, ScalarBuffer<std::int64_t>>,
                            num_batches_tracked));

  /// Added to the variance before the square root (PyTorch's eps, 1e-5).
  double eps = 1e-5;
  /// Weight of the new batch in the running statistics (0.1); std::nullopt is PyTorch's
  /// momentum=None: the cumulative moving average, weight 1 / num_batches_tracked.
  std::optional<double> momentum = 0.1;

  BasicBatchNorm() { reset_parameters(); }

  /// PyTorch's reset_parameters: running statistics reset, weight ones, bias zeros (nothing is
  /// drawn, so the generator is not advanced).
  void reset_parameters(Generator&) { reset_parameters(); }
  void reset_parameters() {
    reset_running_stats();
    if constexpr (affine) {
      weight.value.setOnes();
      bias.value.setZero();
    }
  }
  /// PyTorch's reset_running_stats: running_mean 0, running_var 1, num_batches_tracked 0.
  void reset_running_stats() {
    if constexpr (track_running_stats) {
      running_mean.value.setZero();
      running_var.value.setOnes();
      num_batches_tracked.item() = 0;
    }
  }

  // modes: model.train() / model.eval() reach this through set_training
  bool is_training() const { return training_; }
  void set_training(bool on) { training_ = on; }
  void train(bool on = true) { training_ = on; }
  void eval() { training_ = false; }

  // forward: y = (x - mean) * invstd * weight + bias, per channel
  template <class X>
  batch_like<X, X::RowsAtCompileTime> forward(const Eigen::MatrixBase<X>& x) {
    batch_like<X, X::RowsAtCompileTime> y(x.rows(), x.cols());
    forward_into(x, y);
    return y;
  }
  template <class X, class Y>
  void forward_into(const Eigen::MatrixBase<X>& x, Y&& y) {
    if constexpr (check_input<X>()) {
      batch_stats_ = training_ || !track_running_stats;
      if (batch_stats_) {
        batch_statistics(x.derived(), mean_, invstd_, &var_);
        if (training_) update_running_statistics(mean_, var_, x.rows() / C * x.cols());
      } else {
        running_statistics(mean_, invstd_);
      }
      normalise(x.derived(), y, mean_, invstd_);
    }
  }

  /// Eval mode, whatever the mode (see the class comment); changes nothing.
  template <class X>
  batch_like<X, X::RowsAtCompileTime> infer(const Eigen::MatrixBase<X>& x) const {
    batch_like<X, X::RowsAtCompileTime> y(x.rows(), x.cols());
    if constexpr (check_input<X>()) eval_into(x.derived(), y);
    return y;
  }

  /// infer over y itself (Sequential's inference on an activation it owns, detail/fuse.hpp):
  /// the statistics come first, then each element is normalised from itself.
  template <class Y>
  void infer_in_place(Y& y) const {
    if constexpr (check_input<Y>()) eval_into(y, y);
  }
  /// The same followed by the next layer's activation in one pass (Sequential's inference of
  /// BatchNorm2d, ReLU: detail/fuse.hpp), as Linear takes it.
  template <class Y, class Epi>
  void infer_in_place(Y& y, const Epi& epi) const {
    if constexpr (check_input<Y>()) eval_into(y, y, epi);
  }

  // backward, with xh = (x - mean) * invstd and g = dy * weight, sums over a channel's n values:
  // batch statistics: dx = invstd (g - sum(g) / n - xh sum(g xh) / n) (through mean and var);
  // running ones: dx = invstd g. Both: dweight += sum(dy xh), dbias += sum(dy).
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
      const Eigen::Index L = x.rows() / C;
      const S n = static_cast<S>(L * x.cols());
      for (int c = 0; c < C; ++c) {
        const auto xc = x.derived().middleRows(c * L, L).array();
        const auto gc = dy.derived().middleRows(c * L, L).array();
        const S mean = mean_(c), invstd = invstd_(c);
        const S sum_dy = gc.sum();
        const S sum_dy_xh = (gc * (xc - mean)).sum() * invstd;
        S w = S(1);
        if constexpr (affine) {
          w = weight.value(c);
          if (weight.requires_grad) weight.grad(c) += sum_dy_xh;
          if (bias.requires_grad) bias.grad(c) += sum_dy;
        }
        auto dxc = dx.middleRows(c * L, L).array();
        if (batch_stats_) {
          const S k = w * invstd;
          dxc = k * (gc - sum_dy / n - (xc - mean) * (invstd * sum_dy_xh / n));
        } else {
          dxc = gc * (w * invstd);
        }
      }
    }
  }

  /// FLOPs of one sample of shape `in` as eval mode computes it: a subtraction and a
  /// multiplication per element, and the affine multiply-add.
  static constexpr long long flops(Shape in) { return static_cast<long long>(in.size()) * (affine ? 4 : 2); }

  /// PyTorch's extra_repr: "8, eps=1e-05, momentum=0.1, affine=True, track_running_stats=True".
  std::string extra_repr() const {
    return std::to_string(C) + ", eps=" + detail::python_float(eps) +
           ", momentum=" + (momentum ? detail::python_float(*momentum) : std::string("None")) +
           ", affine=" + (affine ? "True" : "False") +
           ", track_running_stats=" + (track_running_stats ? "True" : "False");
  }
  static constexpr std::string_view repr_name = Dim == 1 ? "BatchNorm1d" : "BatchNorm2d";
  /// The fingerprint's arguments: C and the options that decide the parameters and buffers.
  template <class A>
  static constexpr void describe(A& args) {
    args.arg(C);
    if (!O.affine) args.arg("affine", "False");
    if (!O.track_running_stats) args.arg("track_running_stats", "False");
  }

 private:
  using stats_t = Matrix<Scalar, C, 1>;

  /// A batch has C channels of L rows each (the static_assert names the widths otherwise).
  template <class X>
  static constexpr bool check_input() {
    constexpr int R = X::RowsAtCompileTime;
    constexpr bool rows_ok = detail::check_forward_input<BasicBatchNorm, C, R == Eigen::Dynamic || R % C != 0 ? R : C>();
    constexpr bool scalar_ok = detail::check_input_scalar<BasicBatchNorm, Scalar, typename X::Scalar>();
    return rows_ok && scalar_ok;
  }

  /// The batch's mean and 1 / sqrt(biased var + eps) per channel, and (var not null) the
  /// biased variance itself.
  template <class X>
  void batch_statistics(const X& x, stats_t& mean, stats_t& invstd, stats_t* var = nullptr) const {
    const Eigen::Index L = x.rows() / C;
    const Eigen::Index n = L * x.cols();
    if (n <= 1) {
      // PyTorch's ValueError, with what it means here
      detail::fail(repr_name, ": Expected more than 1 value per channel when training, got ",
                   static_cast<long long>(x.cols()), " sample of ", C,
                   " channels with 1 value each (one value has no variance; eval() uses the running statistics)");
    }
    for (int c = 0; c < C; ++c) {
      const auto xc = x.middleRows(c * L, L).array();
      const Scalar m = xc.sum() / static_cast<Scalar>(n);
      const Scalar v = (xc - m).square().sum() / static_cast<Scalar>(n);
      mean(c) = m;
      invstd(c) = Scalar(1) / std::sqrt(v + static_cast<Scalar>(eps));
      if (var) (*var)(c) = v;
    }
  }
  /// running = (1 - f) running + f batch (the unbiased variance), f = momentum or 1 / the
  /// count of batches including this one (PyTorch increments num_batches_tracked first).
  void update_running_statistics(const stats_t& mean, const stats_t& var, Eigen::Index n) {
    if constexpr (track_running_stats) {
      ++num_batches_tracked.item();
      const double f = momentum ? *momentum : 1.0 / static_cast<double>(num_batches_tracked.item());
      const double bessel = static_cast<double>(n) / static_cast<double>(n - 1);
      for (int c = 0; c < C; ++c) {
        auto& rm = running_mean.value(c);
        auto& rv = running_var.value(c);
        rm = static_cast<Scalar>((1.0 - f) * static_cast<double>(rm) + f * static_cast<double>(mean(c)));
        rv = static_cast<Scalar>((1.0 - f) * static_cast<double>(rv) + f * static_cast<double>(var(c)) * bessel);
      }
    }
  }
  /// Eval mode's normalisation of x into y (y may be x): running statistics, or the batch's
  /// without them.
  template <class X, class Y, class Epi = detail::no_epilogue>
  void eval_into(const X& x, Y& y, const Epi& epi = {}) const {
    stats_t mean(C, 1), invstd(C, 1);
    if constexpr (track_running_stats) {
      running_statistics(mean, invstd);
    } else {
      batch_statistics(x, mean, invstd);
    }
    normalise(x, y, mean, invstd, epi);
  }

  void running_statistics(stats_t& mean, stats_t& invstd) const {
    if constexpr (track_running_stats) {
      mean = running_mean.value;
      // 1 / sqrt, both correctly rounded as PyTorch's (Eigen's rsqrt() is an estimate)
      invstd = (running_var.value.array() + static_cast<Scalar>(eps))
                   .unaryExpr(detail::sqrt_exact_op<Scalar>{})
                   .inverse()
                   .matrix();
    }
  }
  template <class X, class Y, class Epi = detail::no_epilogue>
  void normalise(const X& x, Y& y, const stats_t& mean, const stats_t& invstd, const Epi& epi = {}) const {
    const Eigen::Index L = x.rows() / C;
    for (int c = 0; c < C; ++c) {
      Scalar k = invstd(c), b = Scalar(0);
      if constexpr (affine) {
        k *= weight.value(c);
        b = bias.value(c);
      }
      // x k + (b - mean k), as PyTorch's CPU kernels compute it: one multiply-add an element
      y.middleRows(c * L, L) = epi(x.middleRows(c * L, L).array() * k + (b - mean(c) * k)).matrix();
    }
  }

  bool training_ = true;
  bool batch_stats_ = true;  // whether the last forward normalised with the batch's statistics
  stats_t mean_ = stats_t::Zero(C, 1), invstd_ = stats_t::Ones(C, 1);  // ... and which ones
  stats_t var_ = stats_t::Zero(C, 1);
};

/// torch.nn.BatchNorm1d(C) on (C) or (C, L) samples: `ctnn::BatchNorm1d<16>`,
/// `ctnn::BatchNorm1d<16, ctnn::BatchNormOptions{.track_running_stats = false}>`.
template <int C, BatchNormOptions O = BatchNormOptions{}, class Scalar = float>
using BatchNorm1d = BasicBatchNorm<1, C, O, Scalar>;

/// torch.nn.BatchNorm2d(C) on (C, H, W) samples: `ctnn::BatchNorm2d<8>`.
template <int C, BatchNormOptions O = BatchNormOptions{}, class Scalar = float>
using BatchNorm2d = BasicBatchNorm<2, C, O, Scalar>;

}  // namespace ctnn
