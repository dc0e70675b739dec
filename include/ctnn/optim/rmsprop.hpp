/// @file Defines ctnn::optim::RMSprop, as torch.optim.RMSprop (centered, momentum, weight decay).
#pragma once

#include <cstdint>
#include <string>

#include "ctnn/detail/simd.hpp"  // sqrt_exact_op
#include "ctnn/optim/optimizer_concepts.hpp"

namespace ctnn::optim {

/// torch.optim.RMSprop's arguments and defaults.
struct RMSpropOptions {
  double lr = 1e-2;
  double alpha = 0.99;
  double eps = 1e-8;
  double weight_decay = 0.0;
  double momentum = 0.0;
  bool centered = false;
  bool maximize = false;
};

namespace detail {
template <class P>
struct RMSpropState {
  typename P::matrix_type square_avg = zeros_like<P>();
  typename P::matrix_type momentum_buffer = zeros_like<P>();  // with momentum > 0
  typename P::matrix_type grad_avg = zeros_like<P>();         // when centered
  std::int64_t step = 0;
};
}  // namespace detail

/// For each parameter p with gradient g (PyTorch 1.13's rule):
///   g = +-g + weight_decay p;  sq = alpha sq + (1 - alpha) g^2;
///   centered: ga = alpha ga + (1 - alpha) g, avg = sqrt(sq - ga^2) + eps; else avg = sqrt(sq) + eps;
///   momentum: buf = momentum buf + g / avg, p -= lr buf;  else p -= lr g / avg.
template <class Model>
class RMSprop : public detail::OptimizerBase<Model, detail::RMSpropState, RMSpropOptions> {
  using base = detail::OptimizerBase<Model, detail::RMSpropState, RMSpropOptions>;

 public:
  using Options = RMSpropOptions;

  explicit RMSprop(Model& model, const RMSpropOptions& options = {}) : base(model, options) {
    const auto& o = options;
    const std::string n = "ctnn::optim::RMSprop: ";
    detail::require_non_negative(n, "lr", o.lr);
    detail::require_non_negative(n, "eps", o.eps);
    detail::require_non_negative(n, "momentum", o.momentum);
    detail::require_non_negative(n, "weight_decay", o.weight_decay);
    detail::require_non_negative(n, "alpha", o.alpha);
  }

  void step() {
    const RMSpropOptions& o = this->options_;
    this->slots_.for_each([&o](auto, auto& slot) {
      auto& p = *slot.param;
      if (!p.requires_grad) return;
      using S = typename std::remove_reference_t<decltype(p)>::scalar_type;
      auto& st = slot.state;
      ++st.step;
      const S sign = o.maximize ? S(-1) : S(1), alpha = S(o.alpha), lr = S(o.lr), eps = S(o.eps);
      auto g = sign * p.grad.array() + S(o.weight_decay) * p.value.array();
      auto sq = st.square_avg.array();
      sq = sq * alpha + S(1 - o.alpha) * g * g;
      auto update = [&](const auto& avg) {
        if (o.momentum > 0) {
          auto buf = st.momentum_buffer.array();
          buf = buf * S(o.momentum) + g / avg;
          p.value.array() += -lr * buf;
        } else {
          p.value.array() += -lr * (g / avg);
        }
      };
      if (o.centered) {
        auto ga = st.grad_avg.array();
        ga = ga * alpha + S(1 - o.alpha) * g;
        update((sq - ga * ga).unaryExpr(::ctnn::detail::sqrt_exact_op<S>{}) + eps);
      } else {
        update(sq.unaryExpr(::ctnn::detail::sqrt_exact_op<S>{}) + eps);
      }
    });
  }

  /// "state.<i>.step", "state.<i>.square_avg", with momentum "state.<i>.momentum_buffer",
  /// when centered "state.<i>.grad_avg"; "param_groups.0.lr".
  template <class F>
  void named_state(F&& f) {
    const RMSpropOptions& o = this->options_;
    this->slots_.for_each([&f, &o](auto i, auto& slot) {
      detail::visit_state(f, i, "step", slot.state.step);
      detail::visit_state(f, i, "square_avg", slot.state.square_avg, *slot.param);
      if (o.momentum > 0) detail::visit_state(f, i, "momentum_buffer", slot.state.momentum_buffer, *slot.param);
      if (o.centered) detail::visit_state(f, i, "grad_avg", slot.state.grad_avg, *slot.param);
    });
    f(std::string_view("param_groups.0.lr"), this->options_.lr);
  }
};

template <class Model>
RMSprop(Model&) -> RMSprop<Model>;
template <class Model>
RMSprop(Model&, const RMSpropOptions&) -> RMSprop<Model>;

}  // namespace ctnn::optim
