/// @file Defines ctnn::PReLU: y = x for x > 0, a x otherwise, with a learnt slope a, as
/// torch.nn.PReLU(num_parameters, init).
#pragma once

#include <array>
#include <string>
#include <string_view>

#include "ctnn/core/layer.hpp"
#include "ctnn/core/module.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/detail/shape_check.hpp"
#include "ctnn/init/generator.hpp"

namespace ctnn {

namespace detail {
/// Named so that the note under PReLU's static_assert names the numbers.
template <int NumParameters>
struct prelu_with_num_parameters {
  template <int Rows>
  static constexpr bool divides_the_input_rows = Rows == Eigen::Dynamic || Rows % NumParameters == 0;
};

/// PReLU's shape rule: one slope takes any shape (as ReLU); N slopes need N channels, the
/// sample's first dimension (PyTorch's dimension 1 of the batch).
template <int N>
struct prelu_shape {
  static constexpr int in_features = any;
  static constexpr int out_features = any;
  static constexpr Shape in_shape = Shape(N);
  static constexpr bool accepts(Shape s) { return !s.known() || s[0] == N; }
  static constexpr Shape output_shape(Shape s) { return s.known() ? s : in_shape; }
  static constexpr Shape expected_input(Shape s) {
    if (!s.known()) return in_shape;
    s.dims[0] = N;
    return s;
  }
};
template <>
struct prelu_shape<1> {
  static constexpr int in_features = any;
  static constexpr int out_features = any;
};
}  // namespace detail

/// torch.nn.PReLU(num_parameters=NumParameters, init) in scalar type Scalar: weight (N) filled
/// with `init` (0.25 by default, a run-time value: `ctnn::PReLU<4>(0.1)`). With one
/// parameter it acts element-wise on any shape; with N it takes samples whose first
/// dimension (the channel of (C, L) and (C, H, W), the feature of (F)) is N, slope c for
/// channel c.
template <int NumParameters = 1, class Scalar = float>
struct PReLU : detail::prelu_shape<NumParameters> {
  static_assert(NumParameters > 0, "ctnn::PReLU<NumParameters>: NumParameters must be positive");
  static constexpr int num_parameters = NumParameters;
  using scalar_type = Scalar;
  template <class S>
  using with_scalar = PReLU<NumParameters, S>;

  // parameters
  Parameter<Scalar, NumParameters, 1> weight;
  // the member the walker visits (without Boost.Hana, which the inference header leaves out)
  using ctnn_reflection = detail::reflect_members<PReLU, &PReLU::weight>;
  static constexpr std::array<std::string_view, 1> ctnn_member_names{"weight"};
  /// PyTorch's `init`: the value reset_parameters fills weight with (not a parameter).
  double init = 0.25;

  PReLU() { weight.value.setConstant(static_cast<Scalar>(init)); }
  explicit PReLU(double init_) : init(init_) { weight.value.setConstant(static_cast<Scalar>(init)); }
  explicit PReLU(skip_init_t) {}
  void reset_parameters(Generator&) { weight.value.setConstant(static_cast<Scalar>(init)); }

  // forward: x where x > 0, a_c x elsewhere (c the channel of the row)
  template <class X>
  batch_like<X, X::RowsAtCompileTime> forward(const Eigen::MatrixBase<X>& x) const {
    batch_like<X, X::RowsAtCompileTime> y(x.rows(), x.cols());
    forward_into(x, y);
    return y;
  }
  template <class X, class Y>
  void forward_into(const Eigen::MatrixBase<X>& x, Y&& y) const {
    check_rows<X>();
    using S = typename X::Scalar;
    const Eigen::Index inner = x.rows() / NumParameters;  // elements of one channel
    const auto& xd = x.derived();
    for (Eigen::Index b = 0; b < x.cols(); ++b)
      for (Eigen::Index r = 0; r < x.rows(); ++r) {
        const S v = xd.coeff(r, b);
        y(r, b) = v > S(0) ? v : S(weight.value(r / inner)) * v;
      }
  }

  // backward: dx = dy where x > 0, a_c dy elsewhere; da_c += sum of x dy where x <= 0
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
    check_rows<X>();
    using S = typename G::Scalar;
    const Eigen::Index inner = x.rows() / NumParameters;
    const auto& xd = x.derived();
    const auto& gd = dy.derived();
    for (Eigen::Index b = 0; b < dy.cols(); ++b)
      for (Eigen::Index r = 0; r < dy.rows(); ++r) {
        const S v = xd.coeff(r, b);
        const S g = gd.coeff(r, b);
        const Eigen::Index c = r / inner;
        if (v > S(0)) {
          dx(r, b) = g;
        } else {
          dx(r, b) = S(weight.value(c)) * g;
          if (weight.requires_grad) weight.grad(c) += v * g;
        }
      }
  }

  /// FLOPs of one sample: a comparison and a product per element.
  static constexpr long long flops(Shape in) { return in.known() ? 2LL * in.size() : 2LL * NumParameters; }

  static constexpr std::string_view repr_name = "PReLU";
  /// The fingerprint's arguments (ctnn/io/fingerprint.hpp).
  template <class A>
  static constexpr void describe(A& args) {
    args.arg("num_parameters", NumParameters);
  }
  std::string extra_repr() const { return "num_parameters=" + std::to_string(NumParameters); }

 private:
  template <class X>
  static constexpr void check_rows() {
    // Fix: give PReLU<N> samples whose first dimension (the channels) is N.
    static_assert(detail::prelu_with_num_parameters<NumParameters>::template divides_the_input_rows<X::RowsAtCompileTime>,
                  "ctnn::PReLU<N>: the input's rows are not N channels of equal size (the note below names N and "
                  "the rows)");
  }
};

}  // namespace ctnn
