/// @file Defines ctnn::optim::Adam and ctnn::optim::AdamW, as torch.optim.Adam (L2 penalty
/// added to the gradient) and torch.optim.AdamW (decoupled weight decay), both with amsgrad.
#pragma once

#include "ctnn/detail/eigen.hpp"
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <type_traits>
#include <utility>

#include "ctnn/detail/simd.hpp"
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

// Packets are SIMD vector types: GCC warns that their alignment attributes are dropped when
// they are template arguments (as Eigen's own headers do, silenced there too).
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"
#endif

/// The numbers of one Adam step of one parameter.
template <class S>
struct adam_coefficients {
  S sign, decay, weight_decay, beta1, one_minus_beta1, beta2, one_minus_beta2, step_size,
      inv_bias_correction2_sqrt, eps;
};

/// Adam's update of one element or one SIMD packet (V is S or a packet of S); PyTorch 1.13's
/// single-tensor rule:
///   g = +-grad;  Adam: g += wd p;  AdamW: p *= 1 - lr wd;
///   m = beta1 m + (1 - beta1) g;  v = beta2 v + (1 - beta2) g^2;  (amsgrad: vmax = max(vmax, v))
///   p -= lr / (1 - beta1^step) * m / (sqrt(v) / sqrt(1 - beta2^step) + eps).
/// sqrt(v) / sqrt(bc2) is computed as sqrt(v) * (1 / sqrt(bc2)): one division per element
/// instead of two (the divider is what bounds this loop), a difference of at most an ulp.
template <bool Amsgrad, class V, class S>
EIGEN_ALWAYS_INLINE void adam_element(const adam_coefficients<S>& c, S* p, const S* grad, S* m, S* v, S* vmax) {
  using namespace Eigen::internal;
  const V pv = pmul(ploadu<V>(p), pset1<V>(c.decay));
  const V g = pmadd(pset1<V>(c.weight_decay), pv, pmul(pset1<V>(c.sign), ploadu<V>(grad)));
  const V mv = padd(pmul(ploadu<V>(m), pset1<V>(c.beta1)), pmul(g, pset1<V>(c.one_minus_beta1)));
  V vv = padd(pmul(ploadu<V>(v), pset1<V>(c.beta2)), pmul(pmul(pset1<V>(c.one_minus_beta2), g), g));
  pstoreu(m, mv);
  pstoreu(v, vv);
  if constexpr (Amsgrad) {
    vv = pmax(ploadu<V>(vmax), vv);
    pstoreu(vmax, vv);
  }
  const V denom = padd(pmul(::ctnn::detail::sqrt_exact(vv), pset1<V>(c.inv_bias_correction2_sqrt)), pset1<V>(c.eps));
  pstoreu(p, psub(pv, pmul(pset1<V>(c.step_size), pdiv(mv, denom))));
}

/// One pass over a parameter's n elements: every array read and written once.
template <bool Amsgrad, class S>
void adam_update(const adam_coefficients<S>& c, S* p, const S* grad, S* m, S* v, std::type_identity_t<S>* vmax,
                 std::ptrdiff_t n) {
  using P = ::ctnn::detail::packet_t<S>;
  constexpr std::ptrdiff_t PS = ::ctnn::detail::packet_size<S>;
  const std::ptrdiff_t whole = n / PS * PS;  // elements in whole packets
  if constexpr (PS > 1) {
    for (std::ptrdiff_t i = 0; i < whole; i += PS)
      adam_element<Amsgrad, P>(c, p + i, grad + i, m + i, v + i, Amsgrad ? vmax + i : nullptr);
  }
  for (std::ptrdiff_t i = whole; i < n; ++i)
    adam_element<Amsgrad, S>(c, p + i, grad + i, m + i, v + i, Amsgrad ? vmax + i : nullptr);
}

#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif

/// Adam and AdamW (adam_element has the rule), in one pass over each parameter.
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
    struct {
      std::int64_t step = -1;
      double bias_correction1 = 0, bias_correction2 = 0;
    } corrections;
    this->slots_.for_each([&o, &corrections](auto, auto& slot) {
      auto& p = *slot.param;
      if (!p.requires_grad) return;
      using S = typename std::remove_reference_t<decltype(p)>::scalar_type;
      auto& st = slot.state;
      ++st.step;
      const double beta1 = o.betas.first, beta2 = o.betas.second;
      // every parameter is usually at the same step: pow (the costliest part of a small
      // network's step) once per step, not twice per parameter
      if (st.step != corrections.step) {
        corrections.step = st.step;
        corrections.bias_correction1 = 1 - std::pow(beta1, static_cast<double>(st.step));
        corrections.bias_correction2 = 1 - std::pow(beta2, static_cast<double>(st.step));
      }
      const double bias_correction1 = corrections.bias_correction1;
      const double bias_correction2 = corrections.bias_correction2;
      adam_coefficients<S> c;
      c.sign = o.maximize ? S(-1) : S(1);
      c.decay = Options::decoupled_weight_decay ? S(1 - o.lr * o.weight_decay) : S(1);
      c.weight_decay = Options::decoupled_weight_decay ? S(0) : S(o.weight_decay);
      c.beta1 = S(beta1), c.one_minus_beta1 = S(1 - beta1);
      c.beta2 = S(beta2), c.one_minus_beta2 = S(1 - beta2);
      c.step_size = S(o.lr / bias_correction1);
      c.inv_bias_correction2_sqrt = S(1 / std::sqrt(bias_correction2));
      c.eps = S(o.eps);
      const std::ptrdiff_t n = p.value.size();
      if (o.amsgrad) {
        adam_update<true>(c, p.value.data(), p.grad.data(), st.exp_avg.data(), st.exp_avg_sq.data(),
                          st.max_exp_avg_sq.data(), n);
      } else {
        adam_update<false>(c, p.value.data(), p.grad.data(), st.exp_avg.data(), st.exp_avg_sq.data(), nullptr, n);
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
