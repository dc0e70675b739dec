/// @file Defines ctnn::Dropout, torch.nn.Dropout(p): in training mode each element is zeroed
/// with probability p and the survivors are scaled by 1 / (1 - p) (inverted dropout, so the
/// expected value is unchanged); in eval mode, and in infer(), it is the identity.
#pragma once

#include "ctnn/detail/eigen.hpp"
#include <cstdint>
#include <string>
#include <string_view>

#include "ctnn/core/error.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/init/generator.hpp"
#include "ctnn/layers/activations.hpp"  // detail::python_float

namespace ctnn {

/// Dropout with probability p (0.5 by default). Its masks come from a generator it owns,
/// seeded when constructed from this thread's default generator (so ctnn::manual_seed(s)
/// before building a model makes its masks reproducible) and reseeded by
/// ctnn::manual_seed(model, s). backward applies the mask of the last forward.
class Dropout {
 public:
  // shape rule: any width, unchanged
  static constexpr int in_features = any;
  static constexpr int out_features = any;
  static constexpr std::string_view repr_name = "Dropout";

  explicit Dropout(double p = 0.5) : p_(p), gen_(default_generator().next_u64()) {
    if (!(p >= 0.0 && p <= 1.0))
      detail::fail("ctnn::Dropout: dropout probability has to be between 0 and 1, but got " + std::to_string(p));
  }

  double p() const { return p_; }

  // modes: model.train() / model.eval() reach this through set_training
  bool is_training() const { return training_; }
  void set_training(bool on) { training_ = on; }
  void train(bool on = true) { training_ = on; }
  void eval() { training_ = false; }
  void manual_seed(std::uint64_t seed) { gen_.seed(seed); }
  /// The generator of the masks (training checkpoints save and restore its state).
  Generator& generator() { return gen_; }
  const Generator& generator() const { return gen_; }

  // forward: training, y = x * m / (1 - p) with m ~ Bernoulli(1 - p) per element; eval, y = x
  template <class X>
  batch_like<X, X::RowsAtCompileTime> forward(const Eigen::MatrixBase<X>& x) {
    batch_like<X, X::RowsAtCompileTime> y(x.rows(), x.cols());
    forward_into(x, y);
    return y;
  }
  template <class X, class Y>
  void forward_into(const Eigen::MatrixBase<X>& x, Y&& y) {
    masked_ = training_ && p_ > 0.0;
    if (!masked_) {
      y = x;
      return;
    }
    using S = typename X::Scalar;
    if (mask_.rows() != x.rows() || mask_.cols() != x.cols()) mask_.resize(x.rows(), x.cols());
    const S scale = scale_<S>();
    for (Eigen::Index j = 0; j < x.cols(); ++j)
      for (Eigen::Index i = 0; i < x.rows(); ++i) {
        mask_(i, j) = gen_.uniform01() >= p_;  // kept with probability 1 - p
        y(i, j) = mask_(i, j) ? x(i, j) * scale : S(0);
      }
  }

  /// Inference is eval mode: the identity.
  template <class X>
  batch_like<X, X::RowsAtCompileTime> infer(const Eigen::MatrixBase<X>& x) const {
    return x;
  }

  // backward: dx = dy * m / (1 - p) with the last forward's mask (dx = dy after an eval forward)
  template <class X, class Y, class G>
  batch_like<G, G::RowsAtCompileTime> backward(const X&, const Y&, const Eigen::MatrixBase<G>& dy) const {
    if (!masked_) return dy;
    if (dy.rows() != mask_.rows() || dy.cols() != mask_.cols())
      detail::fail("ctnn::Dropout::backward: the gradient is " + std::to_string(dy.rows()) + " x " +
                  std::to_string(dy.cols()) + " but the last forward's mask is " + std::to_string(mask_.rows()) +
                  " x " + std::to_string(mask_.cols()));
    using S = typename G::Scalar;
    const S scale = scale_<S>();
    batch_like<G, G::RowsAtCompileTime> dx(dy.rows(), dy.cols());
    for (Eigen::Index j = 0; j < dy.cols(); ++j)
      for (Eigen::Index i = 0; i < dy.rows(); ++i) dx(i, j) = mask_(i, j) ? dy(i, j) * scale : S(0);
    return dx;
  }

  /// What forward keeps for backward: one bool of mask per element (ctnn::summary reads it).
  static constexpr long long mask_bytes_per_element = sizeof(bool);

  /// The mask of the last training forward: true where the element was kept.
  const Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic>& mask() const { return mask_; }

  /// PyTorch's extra_repr: "p=0.5, inplace=False".
  std::string extra_repr() const { return "p=" + detail::python_float(p_) + ", inplace=False"; }

 private:
  template <class S>
  S scale_() const {
    return p_ == 1.0 ? S(0) : S(1.0 / (1.0 - p_));  // p = 1 zeroes everything, as PyTorch
  }

  double p_;
  bool training_ = true;
  bool masked_ = false;  // whether the last forward applied a mask
  Generator gen_;
  Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic> mask_;
};

}  // namespace ctnn
