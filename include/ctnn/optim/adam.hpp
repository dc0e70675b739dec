/// @file Defines ctnn::optim::Adam and ctnn::optim::AdamW, as torch.optim.Adam (L2 penalty
/// added to the gradient) and torch.optim.AdamW (decoupled weight decay), both with amsgrad.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <utility>

#include "ctnn/optim/optimizer_concepts.hpp"

namespace ctnn::optim {

/// torch.optim.Adam's arguments and defaults.
struct AdamOptions {
  double lr = 1e-3;
  std::pair<double, double> betas{0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 0.0;
  bool amsgrad = false;
  bool maximize = false;
  static constexpr bool decoupled_weight_decay = false;
};

/// torch.optim.AdamW's arguments and defaults (weight_decay 1e-2).
struct AdamWOptions {
  double lr = 1e-3;
  std::pair<double, double> betas{0.9, 0.999};
  double eps = 1e-8;
  double weight_decay = 1e-2;
  bool amsgrad = false;
  bool maximize = false;
  static constexpr bool decoupled_weight_decay = true;
};

namespace detail {
template <class P>
struct AdamState {
  typename P::matrix_type exp_avg = zeros_like<P>();
  typename P::matrix_type exp_avg_sq = zeros_like<P>();
  typename P::matrix_type max_exp_avg_sq = zeros_like<P>();  // used with amsgrad only
  std::int64_t step = 0;
};

/// Adam's update, PyTorch 1.13's single-tensor rule, for both weight-decay flavours:
///   step += 1; g = +-grad;  Adam: g += wd p;  AdamW: p *= 1 - lr wd;
///   m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2;  (amsgrad: vmax = max(vmax, v))
///   p -= lr / (1 - beta1^step) * m / (sqrt(v) / sqrt(1 - beta2^step) + eps).
template <class Model, class Options>
class BasicAdam : public OptimizerBase<Model, AdamState, Options> {
  using base = OptimizerBase<Model, AdamState, Options>;

 public:
  BasicAdam(Model& model, const Options& o, const char* name) : base(model, o) {
    const std::string n = name;
    require_non_negative(n + ": ", "lr", o.lr);
    require_non_negative(n + ": ", "eps", o.eps);
    require(o.betas.first >= 0 && o.betas.first < 1, n + ": betas.first must be in [0, 1), got " + std::to_string(o.betas.first));
    require(o.betas.second >= 0 && o.betas.second < 1,
            n + ": betas.second must be in [0, 1), got " + std::to_string(o.betas.second));
    require_non_negative(n + ": ", "weight_decay", o.weight_decay);
  }

  void step() {
    const Options& o = this->options_;
    this->slots_.for_each([&o](auto, auto& slot) {
      auto& p = *slot.param;
      if (!p.requires_grad) return;
      using S = typename std::remove_reference_t<decltype(p)>::scalar_type;
      auto& st = slot.state;
      ++st.step;
      const double beta1 = o.betas.first, beta2 = o.betas.second;
      const S sign = o.maximize ? S(-1) : S(1);
      if constexpr (Options::decoupled_weight_decay) p.value *= S(1 - o.lr * o.weight_decay);
      const S wd = Options::decoupled_weight_decay ? S(0) : S(o.weight_decay);
      auto g = sign * p.grad.array() + wd * p.value.array();  // evaluated where used: no temporary
      auto m = st.exp_avg.array();
      auto v = st.exp_avg_sq.array();
      m = m * S(beta1) + g * S(1 - beta1);
      v = v * S(beta2) + S(1 - beta2) * g * g;
      const double bias_correction1 = 1 - std::pow(beta1, static_cast<double>(st.step));
      const double bias_correction2 = 1 - std::pow(beta2, static_cast<double>(st.step));
      const S step_size = S(o.lr / bias_correction1);
      const S bias_correction2_sqrt = S(std::sqrt(bias_correction2));
      if (o.amsgrad) {
        auto vmax = st.max_exp_avg_sq.array();
        vmax = vmax.max(v);
        p.value.array() += -step_size * (m / (vmax.sqrt() / bias_correction2_sqrt + S(o.eps)));
      } else {
        p.value.array() += -step_size * (m / (v.sqrt() / bias_correction2_sqrt + S(o.eps)));
      }
    });
  }

  /// "state.<i>.step", "state.<i>.exp_avg", "state.<i>.exp_avg_sq", with amsgrad
  /// "state.<i>.max_exp_avg_sq", and "param_groups.0.lr".
  template <class F>
  void named_state(F&& f) {
    const bool amsgrad = this->options_.amsgrad;
    this->slots_.for_each([&f, amsgrad](auto i, auto& slot) {
      visit_state(f, i, "step", slot.state.step);
      visit_state(f, i, "exp_avg", slot.state.exp_avg, *slot.param);
      visit_state(f, i, "exp_avg_sq", slot.state.exp_avg_sq, *slot.param);
      if (amsgrad) visit_state(f, i, "max_exp_avg_sq", slot.state.max_exp_avg_sq, *slot.param);
    });
    f(std::string_view("param_groups.0.lr"), this->options_.lr);
  }
};
}  // namespace detail

/// torch.optim.Adam: `ctnn::optim::Adam opt{net, {.lr = 1e-4}}`.
template <class Model>
class Adam : public detail::BasicAdam<Model, AdamOptions> {
 public:
  using Options = AdamOptions;
  explicit Adam(Model& model, const AdamOptions& options = {})
      : detail::BasicAdam<Model, AdamOptions>(model, options, "ctnn::optim::Adam") {}
};

/// torch.optim.AdamW: Adam with decoupled weight decay, `p *= 1 - lr * weight_decay` before
/// the Adam step (weight_decay 1e-2 by default).
template <class Model>
class AdamW : public detail::BasicAdam<Model, AdamWOptions> {
 public:
  using Options = AdamWOptions;
  explicit AdamW(Model& model, const AdamWOptions& options = {})
      : detail::BasicAdam<Model, AdamWOptions>(model, options, "ctnn::optim::AdamW") {}
};

template <class Model>
Adam(Model&) -> Adam<Model>;
template <class Model>
Adam(Model&, const AdamOptions&) -> Adam<Model>;
template <class Model>
AdamW(Model&) -> AdamW<Model>;
template <class Model>
AdamW(Model&, const AdamWOptions&) -> AdamW<Model>;

}  // namespace ctnn::optim
