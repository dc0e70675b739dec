/// @file The seeds' custom layers and model, written as a ctnn user writes them (the tutorial,
/// docs/tutorial.md, walks through them; examples/*.cpp and tests/unit/modules_test.cpp use
/// them):
/// - CenteredLayer: X - X.mean(), a layer without parameters (seed 001);
/// - MyLinear<In, Units>: relu(X W + b), weight (In, Units) and bias (Units) ~ N(0, 1) (seed 001);
/// - MyLayer<In, Out, Bias>: (X^2 + bias) W, weight (In, Out), bias (In) or none (seed 002);
/// - StatefulLinear<In, Out>: seed 000's layer, which keeps x in forward and has a
///   hand-written backward(grad) (the form of a module that keeps its own activations);
/// - MyNet: seed 002's model, one member `mylayer1`, with N, D_in, D_out = 10, 5, 3.
/// A batch is in_features x B (sample j is column j), so PyTorch's `X @ W` on a (B, In) X is
/// `W^T x` here, with the same W. Deriving from ctnn::Module is optional, as `nn.Module` is
/// not: it only lets `std::cout << layer` find ctnn's printer from this namespace.
#pragma once

#include <boost/hana/define_struct.hpp>
#include <cmath>
#include <string_view>

#include <ctnn/ctnn.hpp>

namespace seeds {

// --8<-- [start:centered]
/// class CenteredLayer(nn.Module): forward(X) = X - X.mean(). No parameters, any width.
struct CenteredLayer : ctnn::Module {
  // shape rule: whatever width arrives leaves
  static constexpr int in_features = ctnn::any;
  static constexpr int out_features = ctnn::any;

  // forward: y = x - mean(x), the mean over every element, as X.mean()
  template <class X>
  ctnn::batch_like<X, X::RowsAtCompileTime> forward(const Eigen::MatrixBase<X>& x) const {
    return (x.array() - x.mean()).matrix();
  }

  // backward: each x_k is in the mean with weight 1/n, so dx = dy - mean(dy)
  template <class X, class Y, class G>
  ctnn::batch_like<G, G::RowsAtCompileTime> backward(const X&, const Y&, const Eigen::MatrixBase<G>& dy) const {
    return (dy.array() - dy.mean()).matrix();
  }
};
// --8<-- [end:centered]

// --8<-- [start:mylinear]
/// class MyLinear(nn.Module): weight = Parameter(randn(in_units, units)),
/// bias = Parameter(randn(units)); forward(X) = relu(X @ weight + bias).
template <int In, int Units, class Scalar = float>
struct MyLinear : ctnn::Module {
  // shape rule
  static constexpr int in_features = In;
  static constexpr int out_features = Units;
  using scalar_type = Scalar;
  template <class S>
  using with_scalar = MyLinear<In, Units, S>;

  // parameters: the member names are the state_dict names
  BOOST_HANA_DEFINE_STRUCT(MyLinear,
                           (ctnn::Parameter<Scalar, In, Units>, weight),
                           (ctnn::Parameter<Scalar, Units>, bias));

  MyLinear() { reset_parameters(ctnn::default_generator()); }
  /// torch.randn for both, as the seed does.
  void reset_parameters(ctnn::Generator& gen) {
    ctnn::init::normal_(weight, 0.0, 1.0, gen);
    ctnn::init::normal_(bias, 0.0, 1.0, gen);
  }

  // forward: y = relu(W^T x + b)
  template <class X>
  ctnn::batch_like<X, Units> forward(const Eigen::MatrixBase<X>& x) const {
    ctnn::batch_like<X, Units> z = weight.value.transpose() * x;
    z.colwise() += bias.value;
    return z.cwiseMax(Scalar(0));
  }

  // backward: dz = dy where y > 0; dW += x dz^T, db += sum of dz, dx = W dz
  template <class X, class Y, class G>
  ctnn::batch_like<G, In> backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>& y,
                                   const Eigen::MatrixBase<G>& dy) {
    ctnn::batch_like<G, Units> dz = (y.array() > Scalar(0)).select(dy, Scalar(0));
    if (weight.requires_grad) weight.grad.noalias() += x * dz.transpose();
    if (bias.requires_grad) bias.grad += dz.rowwise().sum();
    return weight.value * dz;
  }
};
// --8<-- [end:mylinear]

// --8<-- [start:mylayer]
/// class MyLayer(nn.Module) of seed 002: y = (x^2 + bias) @ weight, weight (In, Out), bias
/// (In); with Bias = false the bias is registered as None and the layer computes x^2 @ weight.
template <int In, int Out, bool Bias = true, class Scalar = float>
struct MyLayer : ctnn::Module {
  static_assert(In > 0 && Out > 0, "seeds::MyLayer<In, Out>: In and Out must be positive");

  // shape rule
  static constexpr int in_features = In;
  static constexpr int out_features = Out;
  using scalar_type = Scalar;
  template <class S>
  using with_scalar = MyLayer<In, Out, Bias, S>;

  // parameters: NoParameter when Bias is false, as register_parameter('bias', None)
  BOOST_HANA_DEFINE_STRUCT(MyLayer,
                           (ctnn::Parameter<Scalar, In, Out>, weight),
                           (ctnn::OptionalParameter<Bias, Scalar, In>, bias));

  // The seed leaves both uninitialised (torch.Tensor(In, Out)); here weight is
  // U(-1/sqrt(In), 1/sqrt(In)) as Linear's, bias zero.
  MyLayer() { reset_parameters(ctnn::default_generator()); }
  void reset_parameters(ctnn::Generator& gen) {
    const double bound = 1.0 / std::sqrt(double(In));
    ctnn::init::uniform_(weight, -bound, bound, gen);
    if constexpr (Bias) ctnn::init::zeros_(bias);
  }

  // forward: u = x^2 + bias, y = W^T u
  template <class X>
  ctnn::batch_like<X, Out> forward(const Eigen::MatrixBase<X>& x) const {
    return weight.value.transpose() * squared_plus_bias(x);
  }

  // backward: du = W dy; dW += u dy^T, dbias += sum of du, dx = 2 x du
  template <class X, class Y, class G>
  ctnn::batch_like<G, In> backward(const Eigen::MatrixBase<X>& x, const Eigen::MatrixBase<Y>&,
                                   const Eigen::MatrixBase<G>& dy) {
    const ctnn::batch_like<G, In> du = weight.value * dy;
    if (weight.requires_grad) weight.grad.noalias() += squared_plus_bias(x) * dy.transpose();
    if constexpr (Bias) {
      if (bias.requires_grad) bias.grad += du.rowwise().sum();
    }
    return (Scalar(2) * x.array() * du.array()).matrix();
  }

  /// Multiply-adds and the rest, per sample (read by ctnn::summary).
  static constexpr long long flops(int) { return 2LL * In * Out + (Bias ? 2 : 1) * In; }

 private:
  template <class X>
  ctnn::batch_like<X, In> squared_plus_bias(const Eigen::MatrixBase<X>& x) const {
    ctnn::batch_like<X, In> u = x.array().square().matrix();
    if constexpr (Bias) u.colwise() += bias.value;
    return u;
  }
};
// --8<-- [end:mylayer]

// --8<-- [start:stateful]
/// Seed 000's layer: y = W x + b with x a column per sample, as the seed writes it. It keeps
/// x in forward (self.x = x) and so has the one-argument backward(grad) of a module that
/// keeps its own activations; infer(x) const is its forward without the side effect.
template <int In, int Out, class Scalar = float>
struct StatefulLinear : ctnn::Module {
  // shape rule
  static constexpr int in_features = In;
  static constexpr int out_features = Out;
  using scalar_type = Scalar;
  template <class S>
  using with_scalar = StatefulLinear<In, Out, S>;

  // parameters
  BOOST_HANA_DEFINE_STRUCT(StatefulLinear,
                           (ctnn::Parameter<Scalar, Out, In>, weight),
                           (ctnn::Parameter<Scalar, Out>, bias));

  StatefulLinear() { reset_parameters(ctnn::default_generator()); }
  void reset_parameters(ctnn::Generator& gen) {  // nn.Linear's
    const double bound = 1.0 / std::sqrt(double(In));
    ctnn::init::uniform_(weight, -bound, bound, gen);
    ctnn::init::uniform_(bias, -bound, bound, gen);
  }

  // forward: self.x = x; y = weight.matmul(x) + bias
  template <class X>
  ctnn::batch_like<X, Out> forward(const Eigen::MatrixBase<X>& x) {
    x_ = x;
    return infer(x);
  }
  template <class X>
  ctnn::batch_like<X, Out> infer(const Eigen::MatrixBase<X>& x) const {
    ctnn::batch_like<X, Out> y = weight.value * x;
    y.colwise() += bias.value;
    return y;
  }

  // backward: grad_weight = grad x^T, grad_bias = grad.sum(dim=1), grad_input = W^T grad
  template <class G>
  ctnn::batch_like<G, In> backward(const Eigen::MatrixBase<G>& grad) {
    if (x_.cols() != grad.cols()) throw ctnn::Error("StatefulLinear::backward: call forward first, with the same batch");
    if (weight.requires_grad) weight.grad.noalias() += grad * x_.transpose();
    if (bias.requires_grad) bias.grad += grad.rowwise().sum();
    return weight.value.transpose() * grad;
  }

  static constexpr std::string_view repr_name = "MyLayer";  // the seed's class name
  std::string extra_repr() const {
    return "in_features=" + std::to_string(In) + ", out_features=" + std::to_string(Out);
  }

 private:
  Eigen::Matrix<Scalar, In, Eigen::Dynamic> x_;
};
// --8<-- [end:stateful]

// --8<-- [start:mynet]
inline constexpr int N = 10, D_in = 5, D_out = 3;  // 10 samples, 5 features in, 3 out

/// class MyNet(nn.Module): self.mylayer1 = MyLayer(D_in, D_out); forward(x) = mylayer1(x).
/// A member is a ctnn::Cached<Layer>, so it keeps what its backward needs.
template <class Scalar = float>
struct BasicMyNet : ctnn::Module {
  // shape rule and scalar, as any layer
  static constexpr int in_features = D_in;
  static constexpr int out_features = D_out;
  using scalar_type = Scalar;
  template <class S>
  using with_scalar = BasicMyNet<S>;
  static constexpr std::string_view repr_name = "MyNet";

  // children: their names are the prefixes of the state_dict names ("mylayer1.weight")
  BOOST_HANA_DEFINE_STRUCT(BasicMyNet,
                           (ctnn::Cached<MyLayer<D_in, D_out, true, Scalar>>, mylayer1));

  // forward calls the members in order
  template <class X>
  auto forward(const Eigen::MatrixBase<X>& x) {
    return mylayer1(x);
  }
  template <class X>
  auto operator()(const Eigen::MatrixBase<X>& x) {
    return forward(x);
  }
  template <class X>
  auto infer(const Eigen::MatrixBase<X>& x) const {
    return mylayer1.infer(x);
  }

  // backward calls their backward in reverse order
  template <class G>
  auto backward(const Eigen::MatrixBase<G>& grad) {
    return mylayer1.backward(grad);
  }
};
using MyNet = BasicMyNet<float>;
// --8<-- [end:mynet]

}  // namespace seeds
