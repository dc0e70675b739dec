/// @file Defines ctnn::Linear: y = W x + b, as torch.nn.Linear; weight is (out, in).
#pragma once

#include <array>
#include <cmath>
#include <string>
#include <string_view>

#include "ctnn/core/layer.hpp"
#include "ctnn/core/module.hpp"
#include "ctnn/core/parameter.hpp"
#include "ctnn/core/tensor.hpp"
#include "ctnn/core/shape.hpp"
#include "ctnn/detail/affine.hpp"
#include "ctnn/detail/reshape.hpp"
#include "ctnn/detail/shape_check.hpp"
#include "ctnn/init/generator.hpp"

namespace ctnn {

/// torch.nn.Linear(In, Out, bias=Bias) in scalar type Scalar, acting on the last dimension
/// of a sample: (In) -> (Out), (T, In) -> (T, Out). Constructed with PyTorch's default
/// initialisation, U(-1/sqrt(In), 1/sqrt(In)) for weight and bias, drawn from this thread's
/// default generator (ctnn::manual_seed sets it). `Linear<ctnn::any, Out>` takes In from the
/// shape that reaches it in a Sequential (PyTorch's LazyLinear, decided at compile time).
template <int In, int Out, bool Bias = true, class Scalar = float>
struct Linear {
  static_assert(In > 0 && Out > 0, "ctnn::Linear<In, Out>: In and Out must be positive");

  // shape rule: the last dimension In becomes Out
  static constexpr int in_features = In;
  static constexpr int out_features = Out;
  static constexpr Shape in_shape = Shape(In);
  static constexpr bool accepts(Shape s) { return !s.known() || s.last() == In; }
  static constexpr Shape output_shape(Shape s) { return s.known() ? s.with_last(Out) : Shape(Out); }
  static constexpr Shape expected_input(Shape) { return in_shape; }
  static constexpr bool has_bias = Bias;
  static constexpr bool backward_reads_output = false;  // detail/fuse.hpp
  using scalar_type = Scalar;
  template <class S>
  using with_scalar = Linear<In, Out, Bias, S>;

  // parameters: found by reflection; the names become state_dict keys
  Parameter<Scalar, Out, In, 2> weight;  // 2-D even when In is 1
  OptionalParameter<Bias, Scalar, Out> bias;
  // the members the walker visits (without Boost.Hana, which the inference header leaves out)
  using ctnn_reflection = detail::reflect_members<Linear, &Linear::weight, &Linear::bias>;
  static constexpr std::array<std::string_view, 2> ctnn_member_names{"weight", "bias"};

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

  /// Output rows for an input of R rows: R / In samples' last dimensions of In each.
  static constexpr int rows_out(int R) { return R == Eigen::Dynamic ? Out : R / In * Out; }

  // forward: y = W x + b, on every last-dimension vector of the sample
  template <class X>
  batch_like<X, rows_out(X::RowsAtCompileTime)> forward(const Eigen::MatrixBase<X>& x) const {
    batch_like<X, rows_out(X::RowsAtCompileTime)> y(rows_out(X::RowsAtCompileTime), x.cols());
    forward_into(x, y);
    return y;
  }
  /// Writes act(W x + b) into y, act being the next layer's activation when Sequential fuses
  /// them (detail/affine.hpp chooses the product kernel for this layer's shape).
  template <class X, class Y, class Act = detail::no_epilogue>
  void forward_into(const Eigen::MatrixBase<X>& x, Y&& y, const Act& act = {}) const {
    constexpr int R = X::RowsAtCompileTime;
    constexpr bool ok = detail::check_forward_input<Linear, In, R == Eigen::Dynamic || R % In != 0 ? R : In>();
    if constexpr (!ok) {
      return;  // the static_assert has spoken; keep Eigen's errors out
    } else if constexpr (R == In || R == Eigen::Dynamic) {
      affine(x, y, act);
    } else {  // (T, In) samples: T vectors of In per column, viewed as In x (T B)
      auto yv = detail::columns_of<Out>(y);
      affine(detail::columns_of<In>(detail::contiguous(x)), yv, act);
    }
  }

  /// Input rows for a gradient of R rows.
  static constexpr int rows_in(int R) { return R == Eigen::Dynamic ? In : R / Out * In; }

  // backward: dW += dy x^T, db += sum over samples of dy, returns dx = W^T dy
  template <class X, class Y, class G>
  batch_like<G, rows_in(G::RowsAtCompileTime)> backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>& y,
                                                        const Eigen::MatrixBase<G>& dy) {
    constexpr int R = G::RowsAtCompileTime;
    batch_like<G, rows_in(R)> dx(rows_in(R), dy.cols());
    backward_into(x, y, dy, dx);
    return dx;
  }
  /// backward writing dx into the caller's matrix or Map (contiguous, of x's shape).
  template <class X, class Y, class G, class DX>
  void backward_into(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>& y, const Eigen::MatrixBase<G>& dy,
                     DX&& dx) {
    constexpr int R = G::RowsAtCompileTime;
    constexpr bool ok = detail::check_backward_gradient<Linear, Out, R == Eigen::Dynamic || R % Out != 0 ? R : Out>();
    if constexpr (ok) {
      backward(x, y, dy, parameters_only);
      if constexpr (R == Out || R == Eigen::Dynamic) {
        detail::transposed_product(weight.value, dy.derived(), dx);
      } else {
        auto dxv = detail::columns_of<In>(dx);
        detail::transposed_product(weight.value, detail::columns_of<Out>(detail::contiguous(dy)), dxv);
      }
    }
  }
  /// dW and db only (the first layer of a network: nobody reads dx).
  template <class X, class Y, class G>
  void backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>&, const Eigen::MatrixBase<G>& dy,
                parameters_only_t) {
    constexpr int R = G::RowsAtCompileTime;
    constexpr bool ok = detail::check_backward_gradient<Linear, Out, R == Eigen::Dynamic || R % Out != 0 ? R : Out>();
    if constexpr (!ok) {
      return;
    } else if constexpr (R == Out || R == Eigen::Dynamic) {
      add_gradients(x.derived(), dy.derived());
    } else {
      add_gradients(detail::columns_of<In>(detail::contiguous(x)), detail::columns_of<Out>(detail::contiguous(dy)));
    }
  }

  /// FLOPs of one sample of shape `in`: a multiply-add per weight (2 In Out) and the bias's
  /// additions, for each vector of the last dimension.
  static constexpr long long flops(Shape in) {
    const long long vectors = in.known() ? in.size() / In : 1;
    return vectors * (2LL * In * Out + (Bias ? Out : 0));
  }

  /// PyTorch's extra_repr.
  std::string extra_repr() const {
    return "in_features=" + std::to_string(In) + ", out_features=" + std::to_string(Out) +
           ", bias=" + (Bias ? "True" : "False");
  }
  static constexpr std::string_view repr_name = "Linear";

 private:
  template <class X, class Y, class Act>
  void affine(const X& x, Y& y, const Act& act) const {
    if constexpr (Bias) {
      detail::affine_into(weight.value, &bias.value, x, y, act);
    } else {
      detail::affine_into<void>(weight.value, nullptr, x, y, act);
    }
  }
  template <class X, class G>
  void add_gradients(const X& x, const G& dy) {
    if (weight.requires_grad) detail::add_outer_product(weight.grad, dy, x);
    if constexpr (Bias) {
      if (bias.requires_grad) bias.grad += dy.rowwise().sum();
    }
  }
};

/// Linear<ctnn::any, Out>: PyTorch's LazyLinear, resolved at compile time. It takes In from
/// the last dimension of the shape that reaches it; a Sequential holds it as Linear<In, Out>
/// (its parameters, names, initialisation and printed form are that Linear's).
template <int Out, bool Bias, class Scalar>
struct Linear<any, Out, Bias, Scalar> {
  static_assert(Out > 0, "ctnn::Linear<any, Out>: Out must be positive");
  static constexpr int in_features = any;
  static constexpr int out_features = Out;
  using scalar_type = Scalar;
  template <class S>
  using with_scalar = Linear<any, Out, Bias, S>;

  static constexpr bool accepts(Shape s) { return s.known(); }
  static constexpr Shape output_shape(Shape s) { return s.known() ? s.with_last(Out) : Shape(Out); }
  template <Shape S>
  using bind = Linear<S.last(), Out, Bias, Scalar>;

  static constexpr std::string_view repr_name = "LazyLinear";
  std::string extra_repr() const {
    return "in_features=0, out_features=" + std::to_string(Out) + ", bias=" + (Bias ? "True" : "False");
  }
};

}  // namespace ctnn
