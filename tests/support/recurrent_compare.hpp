/// @file The recurrent layers against PyTorch's values for one case (tests/reference/generate.py
/// recurrent): output sequence, the input's and every parameter's gradient (float 1e-5, double
/// 1e-10). Shared by recurrent_test and the recurrent_torch_*_test programs, which split the
/// PyTorch cases between them so that no one translation unit instantiates every cell (one
/// instantiation of a cell costs seconds of compile time).
#pragma once

#include <catch2/catch.hpp>
#include <ctnn/ctnn.hpp>
#include <ctnn/layers/recurrent.hpp>

#include <memory>
#include <string>
#include <type_traits>

#include "torch_compare.hpp"

namespace ctnn_test::recurrent {

using ctnn::RNNOptions;

template <class S>
constexpr double tol = sizeof(S) == 4 ? 1e-5 : 1e-10;

/// Runs layer (bound to T) on the case's x and grad_out; compares y, dx, every gradient.
template <class S, int T, int In, class Layer>
void compare(const std::string& name) {
  INFO("case " << name << " in " << (sizeof(S) == 4 ? "float" : "double"));
  using L = ctnn::bound<ctnn::with_scalar<Layer, S>, ctnn::Shape(T, In)>;
  auto layer = std::make_unique<L>();
  const Reference ref = load_reference("recurrent_" + name);
  load_parameters(*layer, ref);
  ctnn::zero_grad(*layer);
  using X = Eigen::Matrix<S, T * In, 3>;
  const X x = batch_from<X>(ref.tensor("x"));
  const auto y = layer->forward(x);
  using Y = std::remove_cvref_t<decltype(y)>;
  CHECK(relative_error(y, batch_from<Y>(ref.tensor("y"))) <= tol<S>);
  const Y g = batch_from<Y>(ref.tensor("grad_out"));
  const auto dx = layer->backward(x, y, g);
  CHECK(relative_error(dx, batch_from<X>(ref.tensor("grad_x"))) <= tol<S>);
  std::size_t n = 0;
  ctnn::named_parameters(*layer, [&](std::string_view pname, auto& p) {
    INFO("gradient of " << pname);
    using M = std::remove_cvref_t<decltype(p.grad)>;
    CHECK(relative_error(p.grad, parameter_from<M>(ref.tensor("grad." + std::string(pname)), p.grad.rows(),
                                                   p.grad.cols())) <= tol<S>);
    ++n;
  });
  std::size_t in_ref = 0;  // every parameter gradient of PyTorch's was compared
  for (const auto& [tname, t] : ref.tensors) in_ref += tname.rfind("grad.", 0) == 0 ? 1 : 0;
  CHECK(n == in_ref);
  // infer gives forward's values
  CHECK(relative_error(layer->infer(x), y) == 0.0);
}

template <int T, int In, class Layer>
void compare_both(const std::string& name) {
  compare<float, T, In, Layer>(name);
  compare<double, T, In, Layer>(name);
}

constexpr RNNOptions relu_l2{.num_layers = 2, .nonlinearity = ctnn::Nonlinearity::relu};
constexpr RNNOptions bi_l2{.num_layers = 2, .bidirectional = true};
constexpr RNNOptions l2_nobias{.num_layers = 2, .bias = false};
constexpr RNNOptions bi{.bidirectional = true};
constexpr RNNOptions l3_bi{.num_layers = 3, .bidirectional = true};
constexpr RNNOptions l3{.num_layers = 3};
constexpr RNNOptions l2_bi_nobias{.num_layers = 2, .bias = false, .bidirectional = true};

}  // namespace ctnn_test::recurrent
