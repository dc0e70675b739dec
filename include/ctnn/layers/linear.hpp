/// @file Defines ctnn::Linear: y = W x + b, as torch.nn.Linear; weight is (out, in).
#pragma once

#include <boost/hana/define_struct.hpp>
#include <cmath>
#include <string>

#include "ctnn/core/layer.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/detail/affine.hpp"
#include "ctnn/detail/shape_check.hpp"
#include "ctnn/init/generator.hpp"

namespace ctnn {

/// torch.nn.Linear(In, Out, bias=Bias) in scalar type Scalar. Constructed with PyTorch's
/// default initialisation, U(-1/sqrt(In), 1/sqrt(In)) for weight and bias, drawn from this
/// thread's default generator (ctnn::manual_seed sets it).
template <int In, int Out, bool Bias = true, class Scalar = float>
struct Linear {
  static_assert(In > 0 && Out > 0, "ctnn::Linear<In, Out>: In and Out must be positive");

  // shape rule
  static constexpr int in_features = In;
  static constexpr int out_features = Out;
  static constexpr bool has_bias = Bias;
  using scalar_type = Scalar;
  template <class S>
  using with_scalar = Linear<In, Out, Bias, S>;

  // parameters: found by reflection; the names become state_dict keys
  BOOST_HANA_DEFINE_STRUCT(Linear,
                           (Parameter<Scalar, Out, In, 2>, weight),  // 2-D even when In is 1
                           (OptionalParameter<Bias, Scalar, Out>, bias));

  Linear() { reset_parameters(default_generator()); }
  /// Parameters left zero, for weights loaded next (ctnn::skip_init).
  explicit Linear(skip_init_t) {}

  /// PyTorch's reset_parameters: kaiming_uniform(a=sqrt(5)) on the weight, which is
  /// U(-1/sqrt(In), 1/sqrt(In)), and the same bound for the bias.
  void reset_parameters(Generator& gen) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(In));
    for (Eigen::Index i = 0; i < weight.value.size(); ++i)
      weight.value.data()[i] = static_cast<Scalar>(gen.uniform(-bound, bound));
    if constexpr (Bias) {
      for (Eigen::Index i = 0; i < bias.value.size(); ++i)
        bias.value.data()[i] = static_cast<Scalar>(gen.uniform(-bound, bound));
    }
  }

  // forward: y = W x + b
  template <class X>
  batch_like<X, Out> forward(const Eigen::MatrixBase<X>& x) const {
    batch_like<X, Out> y(Out, x.cols());
    forward_into(x, y);
    return y;
  }
  /// Writes act(W x + b) into y, act being the next layer's activation when Sequential fuses
  /// them (detail/affine.hpp chooses the product kernel for this layer's shape).
  template <class X, class Y, class Act = detail::no_epilogue>
  void forward_into(const Eigen::MatrixBase<X>& x, Y&& y, const Act& act = {}) const {
    constexpr bool ok = detail::check_forward_input<Linear, In, X::RowsAtCompileTime>();
    if constexpr (ok) {  // else the static_assert has spoken; keep Eigen's errors out
      if constexpr (Bias) {
        detail::affine_into(weight.value, &bias.value, x, y, act);
      } else {
        detail::affine_into<void>(weight.value, nullptr, x, y, act);
      }
    }
  }

  // backward: dW += dy x^T, db += sum over samples of dy, returns dx = W^T dy
  template <class X, class Y, class G>
  batch_like<G, In> backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>& y,
                             const Eigen::MatrixBase<G>& dy) {
    batch_like<G, In> dx(In, dy.cols());
    constexpr bool ok = detail::check_backward_gradient<Linear, Out, G::RowsAtCompileTime>();
    if constexpr (ok) {
      backward(x, y, dy, parameters_only);
      detail::transposed_product(weight.value, dy.derived(), dx);
    }
    return dx;
  }
  /// dW and db only (the first layer of a network: nobody reads dx).
  template <class X, class Y, class G>
  void backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>&, const Eigen::MatrixBase<G>& dy,
                parameters_only_t) {
    constexpr bool ok = detail::check_backward_gradient<Linear, Out, G::RowsAtCompileTime>();
    if constexpr (ok) {
      if (weight.requires_grad) detail::add_outer_product(weight.grad, dy.derived(), x.derived());
      if constexpr (Bias) {
        if (bias.requires_grad) bias.grad += dy.rowwise().sum();
      }
    }
  }

  /// PyTorch's extra_repr.
  std::string extra_repr() const {
    return "in_features=" + std::to_string(In) + ", out_features=" + std::to_string(Out) +
           ", bias=" + (Bias ? "True" : "False");
  }
  static constexpr std::string_view repr_name = "Linear";
};

}  // namespace ctnn
