/// @file Defines ctnn::optim::Adagrad, as torch.optim.Adagrad.
#pragma once

#include <cstdint>
#include <string>

#include "ctnn/detail/simd.hpp"  // sqrt_exact_op
#include "ctnn/optim/optimizer_concepts.hpp"

namespace ctnn::optim {

/// torch.optim.Adagrad's arguments and defaults.
struct AdagradOptions {
  double lr = 1e-2;
  double lr_decay = 0.0;
  double weight_decay = 0.0;
  double initial_accumulator_value = 0.0;
  double eps = 1e-10;
  bool maximize = false;
};

namespace detail {
template <class P>
struct AdagradState {
  typename P::matrix_type sum = zeros_like<P>();
  std::int64_t step = 0;
};
}  // namespace detail

/// For each parameter p with gradient g (PyTorch 1.13's rule):
///   step += 1;  g = +-g + weight_decay p;  clr = lr / (1 + (step - 1) lr_decay);
///   sum += g^2;  p -= clr g / (sqrt(sum) + eps).
/// The accumulator starts at initial_accumulator_value, as PyTorch fills it at construction.
template <class Model>
class Adagrad : public detail::OptimizerBase<Model, detail::AdagradState, AdagradOptions> {
  using base = detail::OptimizerBase<Model, detail::AdagradState, AdagradOptions>;

 public:
  using Options = AdagradOptions;

  explicit Adagrad(Model& model, const AdagradOptions& options = {}) : base(model, options) {
    const auto& o = options;
    const std::string n = "ctnn::optim::Adagrad: ";
    detail::require_non_negative(n, "lr", o.lr);
    detail::require_non_negative(n, "lr_decay", o.lr_decay);
    detail::require_non_negative(n, "weight_decay", o.weight_decay);
    detail::require_non_negative(n, "initial_accumulator_value", o.initial_accumulator_value);
    detail::require_non_negative(n, "eps", o.eps);
    this->slots_.for_each([&o](auto, auto& slot) {
      using S = typename std::remove_reference_t<decltype(*slot.param)>::scalar_type;
      slot.state.sum.setConstant(S(o.initial_accumulator_value));
    });
  }

  void step() {
    const AdagradOptions& o = this->options_;
    this->slots_.for_each([&o](auto, auto& slot) {
      auto& p = *slot.param;
      if (!p.requires_grad) return;
      using S = typename std::remove_reference_t<decltype(p)>::scalar_type;
      auto& st = slot.state;
      ++st.step;
      const S sign = o.maximize ? S(-1) : S(1);
      auto g = sign * p.grad.array() + S(o.weight_decay) * p.value.array();
      const S clr = S(o.lr / (1 + static_cast<double>(st.step - 1) * o.lr_decay));
      auto sum = st.sum.array();
      sum += g * g;
      p.value.array() += -clr * (g / (sum.unaryExpr(::ctnn::detail::sqrt_exact_op<S>{}) + S(o.eps)));
    });
  }

  /// "state.<i>.step", "state.<i>.sum", "param_groups.0.lr".
  template <class F>
  void named_state(F&& f) {
    this->slots_.for_each([&f](auto i, auto& slot) {
      detail::visit_state(f, i, "step", slot.state.step);
      detail::visit_state(f, i, "sum", slot.state.sum, *slot.param);
    });
    f(std::string_view("param_groups.0.lr"), this->options_.lr);
  }
};

template <class Model>
Adagrad(Model&) -> Adagrad<Model>;
template <class Model>
Adagrad(Model&, const AdagradOptions&) -> Adagrad<Model>;

}  // namespace ctnn::optim
