/// @file Defines ctnn::testing::gradcheck: a layer's or model's backward compared with
/// central finite differences in double, for the input and every parameter (as
/// torch.autograd.gradcheck, and dlib's test_layer). Public, so users check their own layers.
#pragma once

#include "ctnn/detail/eigen.hpp"
#include <cmath>
#include <cstdint>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "ctnn/core/layer.hpp"
#include "ctnn/core/module.hpp"
#include "ctnn/init/generator.hpp"
#include "ctnn/init/seed.hpp"

namespace ctnn::testing {

struct GradcheckOptions {
  double eps = 1e-6;   ///< finite-difference step
  double atol = 1e-5;  ///< an element passes when |analytic - numeric| <= atol + rtol * |numeric|
  double rtol = 1e-3;
  std::uint64_t seed = 0;  ///< seeds the random weighting of the outputs, loss = sum(r * y)
};

struct GradcheckResult {
  bool ok = true;
  std::size_t checked = 0;  ///< number of gradient elements compared
  std::string worst;        ///< e.g. "input[2, 0]" or "0.weight[1, 3]"
  double analytic = 0.0;    ///< the worst element's value from backward
  double numeric = 0.0;     ///< and from finite differences
  double ratio = 0.0;       ///< |analytic - numeric| / (atol + rtol |numeric|); > 1 fails

  explicit operator bool() const { return ok; }
  std::string message() const {
    std::ostringstream s;
    s << (ok ? "gradcheck passed" : "gradcheck FAILED") << " (" << checked << " elements); worst " << worst
      << ": backward gives " << analytic << ", finite differences " << numeric << " (" << ratio
      << " of the tolerance)";
    return s.str();
  }
};

namespace detail {
/// One forward, with every random module (Dropout) reseeded first so that each evaluation of
/// the loss draws the same masks.
template <class L, class X>
auto run_forward(L& layer, const X& x, std::uint64_t seed) {
  if constexpr (ctnn::detail::ModuleLike<L>) ctnn::manual_seed(layer, seed);
  return layer.forward(x).eval();
}
inline void record(GradcheckResult& r, const GradcheckOptions& o, const std::string& where, double a, double n) {
  ++r.checked;
  const double ratio = std::abs(a - n) / (o.atol + o.rtol * std::abs(n));
  if (!(ratio <= r.ratio) || r.worst.empty()) {  // NaN counts as worst
    if (!(ratio <= r.ratio)) r.ratio = std::isnan(ratio) ? INFINITY : ratio;
    r.worst = where;
    r.analytic = a;
    r.numeric = n;
  }
  if (!(ratio <= 1.0)) r.ok = false;
}
inline std::string at(const std::string& name, Eigen::Index i, Eigen::Index j, Eigen::Index cols) {
  return cols == 1 ? name + "[" + std::to_string(i) + "]"
                   : name + "[" + std::to_string(i) + ", " + std::to_string(j) + "]";
}
}  // namespace detail

/// Compares backward with central differences of loss = sum(r * forward(x)) for a fixed
/// random r, at `input` (features x B, double), for the input and every parameter that
/// requires a gradient. Leaves each parameter's value as it was and its .grad holding the
/// analytic gradient of that loss. Pick inputs away from kinks (ReLU at 0). Random modules
/// (Dropout in training mode) are reseeded before every forward, so all evaluations use one
/// mask; a forward that still gives two results for one input fails, naming "forward".
template <class L, class X>
GradcheckResult gradcheck(L& layer, const Eigen::MatrixBase<X>& input, const GradcheckOptions& opt = {}) {
  // A layer without parameters (no scalar_type) computes in whatever scalar arrives.
  static_assert(std::is_same_v<typename X::Scalar, double> &&
                    (!requires { typename L::scalar_type; } || std::is_same_v<scalar_of<L>, double>),
                "ctnn::testing::gradcheck runs in double: pass a double input and a layer made with "
                "ctnn::with_scalar<Layer, double>");
  using Input = typename X::PlainObject;
  Input x = input;

  // analytic gradients
  zero_grad(layer);
  const std::uint64_t mask_seed = ctnn::detail::mix_seed(opt.seed, 0x6d61736b);
  auto y = detail::run_forward(layer, x, mask_seed);
  using Out = decltype(y);
  Out r = y;
  Generator gen(opt.seed);
  for (Eigen::Index i = 0; i < r.size(); ++i) r.data()[i] = gen.uniform(-1.0, 1.0);
  const Input dx = ctnn::detail::backward(layer, x, y, r);

  auto loss = [&](const Input& at) { return (detail::run_forward(layer, at, mask_seed).array() * r.array()).sum(); };
  GradcheckResult result;

  // finite differences need a deterministic forward (random layers need `manual_seed(seed)`)
  if (const double again = loss(x), first = (y.array() * r.array()).sum(); !(again == first)) {
    result.ok = false;
    result.worst = "forward (two calls on the same input differ: a random layer without manual_seed?)";
    result.analytic = first;
    result.numeric = again;
    result.ratio = INFINITY;
    return result;
  }

  // the input
  for (Eigen::Index j = 0; j < x.cols(); ++j) {
    for (Eigen::Index i = 0; i < x.rows(); ++i) {
      Input xp = x, xm = x;
      xp(i, j) += opt.eps;
      xm(i, j) -= opt.eps;
      const double numeric = (loss(xp) - loss(xm)) / (2 * opt.eps);
      detail::record(result, opt, detail::at("input", i, j, 2), dx(i, j), numeric);
    }
  }

  // every parameter
  named_parameters(layer, [&](std::string_view name, auto& p) {
    if (!p.requires_grad) return;
    for (Eigen::Index j = 0; j < p.value.cols(); ++j) {
      for (Eigen::Index i = 0; i < p.value.rows(); ++i) {
        const double saved = p.value(i, j);
        p.value(i, j) = saved + opt.eps;
        const double lp = loss(x);
        p.value(i, j) = saved - opt.eps;
        const double lm = loss(x);
        p.value(i, j) = saved;
        detail::record(result, opt, detail::at(std::string(name), i, j, p.value.cols()), p.grad(i, j),
                       (lp - lm) / (2 * opt.eps));
      }
    }
  });
  return result;
}

}  // namespace ctnn::testing
