// Test-only stateful layers implementing the streaming protocol (docs/concepts.md#streaming)
// with a sequence-mode forward on (T, F) samples, batch_first like a recurrent layer: the
// streaming tests compare step()/process() against that forward.
#pragma once

#include <ctnn/core/reflect.hpp>  // its layers declare their members with BOOST_HANA_DEFINE_STRUCT
#include <ctnn/core/layer.hpp>
#include <ctnn/core/parameter.hpp>
#include <ctnn/core/shape.hpp>
#include <ctnn/core/tensor.hpp>
#include <string>
#include <string_view>

namespace ctnn_test {

/// The (T, F) sample shape rule shared by both layers: any T, F features per step.
template <int F>
struct time_major_rule {
  static constexpr int in_features = ctnn::any, out_features = ctnn::any;
  static constexpr bool accepts(ctnn::Shape s) { return s.rank == 2 && s[1] == F; }
  static constexpr ctnn::Shape output_shape(ctnn::Shape s) { return s.known() ? s : ctnn::Shape(1, F); }
  static constexpr ctnn::Shape expected_input(ctnn::Shape s) { return ctnn::Shape(s.rank == 2 ? s[0] : 1, F); }
};

/// An exact K-tap causal FIR filter per channel: y[t, c] = sum_k weight[c, k] x[t - k, c], the
/// input before t = 0 being zero (a causal depthwise convolution). Streaming keeps the last K - 1
/// inputs in a ring buffer, as a causal Conv1d does.
template <int F, int K, class Scalar = float>
struct CausalFir : time_major_rule<F> {
  static_assert(K >= 2, "CausalFir: K >= 2 (K = 1 keeps no state)");
  using scalar_type = Scalar;
  template <class S>
  using with_scalar = CausalFir<F, K, S>;

  BOOST_HANA_DEFINE_STRUCT(CausalFir, (ctnn::Parameter<Scalar, F, K, 2>, weight));

  CausalFir() {
    for (int c = 0; c < F; ++c)
      for (int k = 0; k < K; ++k)
        weight.value(c, k) = static_cast<Scalar>((c % 2 == 0 ? 0.6 : -0.45) / (k + 1) + 0.05 * c);
  }

  // sequence mode: every column is one (T, F) sample, element (t, c) at row t F + c
  template <class X>
  ctnn::batch_like<X, X::RowsAtCompileTime> forward(const Eigen::MatrixBase<X>& x) const {
    ctnn::batch_like<X, X::RowsAtCompileTime> y(x.rows(), x.cols());
    const Eigen::Index T = x.rows() / F;
    for (Eigen::Index b = 0; b < x.cols(); ++b)
      for (Eigen::Index t = 0; t < T; ++t)
        for (int c = 0; c < F; ++c) {
          Scalar s = 0;
          for (int k = 0; k < K && k <= t; ++k) s += weight.value(c, k) * x((t - k) * F + c, b);
          y(t * F + c, b) = s;
        }
    return y;
  }
  template <class X, class Y, class G>
  ctnn::batch_like<G, G::RowsAtCompileTime> backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>&,
                                                     const Eigen::MatrixBase<G>& dy) {
    ctnn::batch_like<G, G::RowsAtCompileTime> dx(dy.rows(), dy.cols());
    dx.setZero();
    const Eigen::Index T = dy.rows() / F;
    for (Eigen::Index b = 0; b < dy.cols(); ++b)
      for (Eigen::Index t = 0; t < T; ++t)
        for (int c = 0; c < F; ++c)
          for (int k = 0; k < K && k <= t; ++k) {
            weight.grad(c, k) += dy(t * F + c, b) * x((t - k) * F + c, b);
            dx((t - k) * F + c, b) += weight.value(c, k) * dy(t * F + c, b);
          }
    return dx;
  }

  // streaming: the last K - 1 inputs, past_.col((pos_ + j) % (K - 1)) being x[t - K + 1 + j]
  static constexpr int step_in_features = F, step_out_features = F;
  static constexpr long long state_bytes = static_cast<long long>(sizeof(Scalar)) * F * (K - 1);
  template <class X>
  ctnn::Matrix<Scalar, F, X::ColsAtCompileTime> step(const Eigen::MatrixBase<X>& x) {
    ctnn::Matrix<Scalar, F, X::ColsAtCompileTime> y(F, x.cols());
    for (Eigen::Index t = 0; t < x.cols(); ++t) {
      y.col(t) = weight.value.col(0).cwiseProduct(x.col(t));
      for (int k = 1; k < K; ++k)  // x[t - k] sits K - 1 - k slots after the oldest
        y.col(t) += weight.value.col(k).cwiseProduct(past_.col((pos_ + K - 1 - k) % (K - 1)));
      past_.col(pos_) = x.col(t);  // the oldest input leaves, the newest enters
      pos_ = (pos_ + 1) % (K - 1);
    }
    return y;
  }
  void reset_state() {
    past_.setZero();
    pos_ = 0;
  }

  static constexpr std::string_view repr_name = "CausalFir";
  std::string extra_repr() const { return std::to_string(F) + ", kernel_size=" + std::to_string(K); }

 private:
  Eigen::Matrix<Scalar, F, K - 1> past_ = Eigen::Matrix<Scalar, F, K - 1>::Zero();
  int pos_ = 0;
};

/// A first-order recursive filter per channel: y[t, c] = decay[c] y[t - 1, c] + x[t, c], y[-1] =
/// 0 (a hidden state carried from step to step, as a recurrent layer's).
template <int F, class Scalar = float>
struct Iir : time_major_rule<F> {
  using scalar_type = Scalar;
  template <class S>
  using with_scalar = Iir<F, S>;

  BOOST_HANA_DEFINE_STRUCT(Iir, (ctnn::Parameter<Scalar, F>, decay));

  Iir() {
    for (int c = 0; c < F; ++c) decay.value(c) = static_cast<Scalar>(0.9 - 0.7 * c / F);
  }

  template <class X>
  ctnn::batch_like<X, X::RowsAtCompileTime> forward(const Eigen::MatrixBase<X>& x) const {
    ctnn::batch_like<X, X::RowsAtCompileTime> y(x.rows(), x.cols());
    const Eigen::Index T = x.rows() / F;
    for (Eigen::Index b = 0; b < x.cols(); ++b)
      for (int c = 0; c < F; ++c) {
        Scalar h = 0;
        for (Eigen::Index t = 0; t < T; ++t) y(t * F + c, b) = h = decay.value(c) * h + x(t * F + c, b);
      }
    return y;
  }
  template <class X, class Y, class G>
  ctnn::batch_like<G, G::RowsAtCompileTime> backward(const Eigen::MatrixBase<X>&, const Eigen::MatrixBase<Y>& y,
                                                     const Eigen::MatrixBase<G>& dy) {
    ctnn::batch_like<G, G::RowsAtCompileTime> dx(dy.rows(), dy.cols());
    const Eigen::Index T = dy.rows() / F;
    for (Eigen::Index b = 0; b < dy.cols(); ++b)
      for (int c = 0; c < F; ++c) {
        Scalar g = 0;  // dLoss/dh[t], through h[t + 1] = decay h[t] + x[t + 1]
        for (Eigen::Index t = T - 1; t >= 0; --t) {
          g = dy(t * F + c, b) + decay.value(c) * g;
          dx(t * F + c, b) = g;
          if (t > 0) decay.grad(c) += g * y((t - 1) * F + c, b);
        }
      }
    return dx;
  }

  // --8<-- [start:stateful-layer]
  // streaming: one step is F features; the state, y[t - 1], is a plain member
  static constexpr int step_in_features = F, step_out_features = F;
  static constexpr long long state_bytes = static_cast<long long>(sizeof(Scalar)) * F;
  template <class X>
  ctnn::Matrix<Scalar, F, X::ColsAtCompileTime> step(const Eigen::MatrixBase<X>& x) {
    ctnn::Matrix<Scalar, F, X::ColsAtCompileTime> y(F, x.cols());
    for (Eigen::Index t = 0; t < x.cols(); ++t) y.col(t) = h_ = decay.value.cwiseProduct(h_) + x.col(t);
    return y;
  }
  void reset_state() { h_.setZero(); }

 private:
  Eigen::Matrix<Scalar, F, 1> h_ = Eigen::Matrix<Scalar, F, 1>::Zero();  // not a Parameter, not a Buffer
  // --8<-- [end:stateful-layer]

 public:
  static constexpr std::string_view repr_name = "Iir";
  std::string extra_repr() const { return std::to_string(F); }
};

}  // namespace ctnn_test
