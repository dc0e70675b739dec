/// @file Defines ctnn::optim::SGD: stochastic gradient descent with momentum, dampening,
/// Nesterov momentum and weight decay, as torch.optim.SGD.
#pragma once

#include <cstdint>
#include <string>

#include "ctnn/optim/optimizer_concepts.hpp"

namespace ctnn::optim {

/// torch.optim.SGD's arguments (lr has no default there; 1e-3 here).
struct SGDOptions {
  double lr = 1e-3;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
  bool maximize = false;
};

namespace detail {
template <class P>
struct SGDState {
  typename P::matrix_type momentum_buffer = zeros_like<P>();
  /// Steps taken on this parameter; 0 is PyTorch's momentum_buffer = None.
  std::int64_t step = 0;
};
}  // namespace detail

/// For each parameter p with gradient g (PyTorch 1.13's rule):
///   g += weight_decay p;
///   if momentum: buf = g on the first step, else buf = momentum buf + (1 - dampening) g;
///                g = g + momentum buf (nesterov) or g = buf;
///   p -= lr g.
template <class Model>
class SGD : public detail::OptimizerBase<Model, detail::SGDState, SGDOptions> {
  using base = detail::OptimizerBase<Model, detail::SGDState, SGDOptions>;

 public:
  using Options = SGDOptions;

  explicit SGD(Model& model, const SGDOptions& options = {}) : base(model, options) {
    const auto& o = options;
    const std::string n = "ctnn::optim::SGD: ";
    detail::require_non_negative(n, "lr", o.lr);
    detail::require_non_negative(n, "momentum", o.momentum);
    detail::require_non_negative(n, "weight_decay", o.weight_decay);
    detail::require(!o.nesterov || (o.momentum > 0 && o.dampening == 0),
                    "ctnn::optim::SGD: Nesterov momentum requires a momentum and zero dampening");
  }

  void step() {
    const SGDOptions& o = this->options_;
    this->slots_.for_each([&o](auto, auto& slot) {
      auto& p = *slot.param;
      if (!p.requires_grad) return;
      using S = typename std::remove_reference_t<decltype(p)>::scalar_type;
      auto& st = slot.state;
      const S sign = o.maximize ? S(-1) : S(1), wd = S(o.weight_decay), lr = S(o.lr), mom = S(o.momentum);
      // d_p, evaluated element by element where it is used (no temporary)
      auto d_p = sign * p.grad.array() + wd * p.value.array();
      if (o.momentum != 0) {
        auto buf = st.momentum_buffer.array();
        if (st.step == 0) {
          buf = d_p;
        } else {
          buf = buf * mom + S(1 - o.dampening) * d_p;
        }
        if (o.nesterov) {
          p.value.array() += -lr * (d_p + mom * buf);
        } else {
          p.value.array() += -lr * buf;
        }
      } else {
        p.value.array() += -lr * d_p;
      }
      ++st.step;
    });
  }

  /// "state.<i>.momentum_buffer" and "state.<i>.step" (with momentum), "param_groups.0.lr".
  template <class F>
  void named_state(F&& f) {
    if (this->options_.momentum != 0) {
      this->slots_.for_each([&f](auto i, auto& slot) {
        detail::visit_state(f, i, "momentum_buffer", slot.state.momentum_buffer, *slot.param);
        detail::visit_state(f, i, "step", slot.state.step);
      });
    }
    f(std::string_view("param_groups.0.lr"), this->options_.lr);
  }
};

template <class Model>
SGD(Model&) -> SGD<Model>;
template <class Model>
SGD(Model&, const SGDOptions&) -> SGD<Model>;

}  // namespace ctnn::optim
