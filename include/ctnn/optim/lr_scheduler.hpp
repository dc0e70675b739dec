/// @file Learning-rate schedulers, as torch.optim.lr_scheduler: StepLR, ExponentialLR,
/// CosineAnnealingLR, LinearLR (linear warm-up), SequentialLR (one after another, switching at
/// milestones) and ChainedScheduler (all at once). Each follows PyTorch's recursive get_lr() (the one `scheduler.step()` uses),
/// and `step(epoch)` PyTorch's _get_closed_form_lr(), so the learning rates agree with
/// PyTorch's to rounding.
///
/// As in PyTorch, constructing a scheduler takes its first step (last_epoch becomes 0 and the
/// optimizer's lr is set for epoch 0); call `scheduler.step()` after each `optimizer.step()`.
#pragma once

#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>

#include "ctnn/optim/optimizer_concepts.hpp"

namespace ctnn::optim {

namespace detail {

struct SchedulerAccess;

/// What every scheduler shares: base_lr (the optimizer's lr at construction), last_epoch,
/// PyTorch's _step_count and _last_lr, and step(), which asks Derived::next_lr().
template <class Derived, class Opt>
class LRScheduler {
 public:
  using optimizer_type = Opt;
  /// Advances one epoch and sets the optimizer's learning rate.
  void step() {
    ++step_count_;
    ++last_epoch_;
    const double lr = static_cast<Derived&>(*this).next_lr(optimizer_->lr());
    optimizer_->set_lr(lr);
    last_lr_ = lr;
  }
  /// PyTorch's (deprecated) step(epoch): jumps to `epoch` and sets the lr from the closed form
  /// (_get_closed_form_lr()), not from the current lr. SequentialLR calls step(0) at milestones.
  void step(std::int64_t epoch) {
    ++step_count_;
    last_epoch_ = epoch;
    const double lr = static_cast<const Derived&>(*this).closed_form_lr();
    optimizer_->set_lr(lr);
    last_lr_ = lr;
  }
  /// The learning rate the last step set (get_last_lr()[0]).
  double get_last_lr() const { return last_lr_; }
  std::int64_t last_epoch() const { return last_epoch_; }
  double base_lr() const { return base_lr_; }

  /// The scheduler's part of PyTorch's state_dict: "last_epoch", "base_lrs.0", "_step_count",
  /// "_last_lr.0" (the constructor's arguments are not state).
  template <class F>
  void named_state(F&& f) {
    f(std::string_view("last_epoch"), last_epoch_);
    f(std::string_view("base_lrs.0"), base_lr_);
    f(std::string_view("_step_count"), step_count_);
    f(std::string_view("_last_lr.0"), last_lr_);
  }

 protected:
  explicit LRScheduler(Opt& optimizer) : optimizer_(&optimizer), base_lr_(optimizer.lr()) {}
  /// PyTorch's _initial_step(), called by Derived's constructor once its arguments are set
  /// (and again by SequentialLR for its first scheduler).
  void initial_step() {
    step_count_ = 0;
    step();
  }
  friend struct SchedulerAccess;

  Opt* optimizer_;
  double base_lr_;
  std::int64_t last_epoch_ = -1;
  std::int64_t step_count_ = 0;
  double last_lr_ = 0.0;
};

/// Python's floor division (`//`), for the closed forms.
inline std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

}  // namespace detail

/// torch.optim.lr_scheduler.StepLR(optimizer, step_size, gamma=0.1): lr *= gamma every
/// step_size epochs.
template <Optimizer Opt>
class StepLR : public detail::LRScheduler<StepLR<Opt>, Opt> {
 public:
  StepLR(Opt& optimizer, std::int64_t step_size, double gamma = 0.1)
      : detail::LRScheduler<StepLR<Opt>, Opt>(optimizer), step_size_(step_size), gamma_(gamma) {
    detail::require(step_size > 0, "ctnn::optim::StepLR: step_size must be positive, got " + std::to_string(step_size));
    this->initial_step();
  }
  double next_lr(double lr) const {
    if (this->last_epoch_ == 0 || this->last_epoch_ % step_size_ != 0) return lr;
    return lr * gamma_;
  }
  double closed_form_lr() const {
    return this->base_lr_ * std::pow(gamma_, static_cast<double>(detail::floor_div(this->last_epoch_, step_size_)));
  }

 private:
  std::int64_t step_size_;
  double gamma_;
};

/// torch.optim.lr_scheduler.ExponentialLR(optimizer, gamma): lr *= gamma every epoch.
template <Optimizer Opt>
class ExponentialLR : public detail::LRScheduler<ExponentialLR<Opt>, Opt> {
 public:
  ExponentialLR(Opt& optimizer, double gamma) : detail::LRScheduler<ExponentialLR<Opt>, Opt>(optimizer), gamma_(gamma) {
    this->initial_step();
  }
  double next_lr(double lr) const { return this->last_epoch_ == 0 ? lr : lr * gamma_; }
  double closed_form_lr() const { return this->base_lr_ * std::pow(gamma_, static_cast<double>(this->last_epoch_)); }

 private:
  double gamma_;
};

/// torch.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max, eta_min=0): from the base lr
/// down to eta_min over T_max epochs along half a cosine (and back up after, as PyTorch's
/// recursive formula does).
template <Optimizer Opt>
class CosineAnnealingLR : public detail::LRScheduler<CosineAnnealingLR<Opt>, Opt> {
 public:
  CosineAnnealingLR(Opt& optimizer, std::int64_t T_max, double eta_min = 0.0)
      : detail::LRScheduler<CosineAnnealingLR<Opt>, Opt>(optimizer), T_max_(T_max), eta_min_(eta_min) {
    detail::require(T_max > 0, "ctnn::optim::CosineAnnealingLR: T_max must be positive, got " + std::to_string(T_max));
    this->initial_step();
  }
  double next_lr(double lr) const {
    const std::int64_t e = this->last_epoch_;
    const double T = static_cast<double>(T_max_), base = this->base_lr_;
    constexpr double pi = 3.14159265358979323846;
    if (e == 0) return lr;
    if ((e - 1 - T_max_) % (2 * T_max_) == 0) return lr + (base - eta_min_) * (1 - std::cos(pi / T)) / 2;
    return (1 + std::cos(pi * static_cast<double>(e) / T)) / (1 + std::cos(pi * static_cast<double>(e - 1) / T)) *
               (lr - eta_min_) +
           eta_min_;
  }
  double closed_form_lr() const {
    constexpr double pi = 3.14159265358979323846;
    return eta_min_ + (this->base_lr_ - eta_min_) *
                          (1 + std::cos(pi * static_cast<double>(this->last_epoch_) / static_cast<double>(T_max_))) / 2;
  }

 private:
  std::int64_t T_max_;
  double eta_min_;
};

/// torch.optim.lr_scheduler.LinearLR(optimizer, start_factor=1/3, end_factor=1, total_iters=5):
/// linear warm-up, the factor of the base lr going from start_factor to end_factor over
/// total_iters epochs, then staying.
template <Optimizer Opt>
class LinearLR : public detail::LRScheduler<LinearLR<Opt>, Opt> {
 public:
  explicit LinearLR(Opt& optimizer, double start_factor = 1.0 / 3, double end_factor = 1.0, std::int64_t total_iters = 5)
      : detail::LRScheduler<LinearLR<Opt>, Opt>(optimizer),
        start_(start_factor),
        end_(end_factor),
        total_iters_(total_iters) {
    detail::require(start_factor > 0 && start_factor <= 1,
                    "ctnn::optim::LinearLR: start_factor must be in (0, 1], got " + std::to_string(start_factor));
    detail::require(end_factor >= 0 && end_factor <= 1,
                    "ctnn::optim::LinearLR: end_factor must be in [0, 1], got " + std::to_string(end_factor));
    this->initial_step();
  }
  double next_lr(double lr) const {
    const std::int64_t e = this->last_epoch_;
    if (e == 0) return lr * start_;
    if (e > total_iters_) return lr;
    return lr * (1. + (end_ - start_) / (static_cast<double>(total_iters_) * start_ +
                                         static_cast<double>(e - 1) * (end_ - start_)));
  }
  double closed_form_lr() const {
    const std::int64_t e = this->last_epoch_ < total_iters_ ? this->last_epoch_ : total_iters_;
    return this->base_lr_ * (start_ + (end_ - start_) * static_cast<double>(e) / static_cast<double>(total_iters_));
  }

 private:
  double start_, end_;
  std::int64_t total_iters_;
};

namespace detail {

/// SequentialLR's access to the schedulers it takes over (their optimizer, base lr and epoch).
struct SchedulerAccess {
  template <class D, class O>
  static const O* optimizer(const LRScheduler<D, O>& s) {
    return s.optimizer_;
  }
  /// PyTorch's SequentialLR constructor, on every scheduler: the base lr is the optimizer's
  /// initial lr, and the construction's step is undone (the first one steps again after).
  template <class D, class O>
  static void undo_initial_step(LRScheduler<D, O>& s, double initial_lr) {
    s.base_lr_ = initial_lr;
    s.last_epoch_ -= 1;
  }
  template <class D, class O>
  static void initial_step(LRScheduler<D, O>& s) {
    s.initial_step();
  }
  template <class D, class O>
  static void set_base_lr(LRScheduler<D, O>& s, double initial_lr) {
    s.base_lr_ = initial_lr;
  }
};

/// f(i, std::get<i>(t)) for each element of the tuple t, in order.
template <class Tuple, class F>
void for_each_indexed(Tuple& t, F&& f) {
  [&]<std::size_t... I>(std::index_sequence<I...>) { (f(I, std::get<I>(t)), ...); }
  (std::make_index_sequence<std::tuple_size_v<Tuple>>{});
}

/// "_schedulers.<i>." + each name of each scheduler's state, for the schedulers that hold others.
template <class Tuple, class F>
void named_state_of_schedulers(Tuple& t, F& f) {
  for_each_indexed(t, [&](std::size_t i, auto& s) {
    const std::string prefix = "_schedulers." + std::to_string(i) + ".";
    s.named_state([&](std::string_view name, auto& value, auto... rest) {
      const std::string full = prefix + std::string(name);
      f(std::string_view(full), value, rest...);
    });
  });
}

/// Python's bisect.bisect_right, step for step (defined for unsorted milestones too, as there).
template <std::size_t N>
std::size_t bisect_right(const std::array<std::int64_t, N>& a, std::int64_t x) {
  std::size_t lo = 0, hi = N;
  while (lo < hi) {
    const std::size_t mid = (lo + hi) / 2;
    if (x < a[mid])
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

template <class T, class O>
inline constexpr bool is_scheduler_over = std::is_base_of_v<LRScheduler<T, O>, T>;

}  // namespace detail

/// torch.optim.lr_scheduler.SequentialLR(optimizer, schedulers, milestones): schedulers[0] until
/// epoch milestones[0], then schedulers[1] (restarted at its epoch 0 with step(0)) until
/// milestones[1], and so on.
///
///     ctnn::optim::SequentialLR seq{opt, std::tuple{ctnn::optim::LinearLR{opt, 0.25, 1.0, 3},
///                                                   ctnn::optim::CosineAnnealingLR{opt, 6, 0.01}},
///                                   {3}};
///
/// The schedulers are held by value (a std::tuple of them), all over `optimizer`; there is one
/// milestone fewer than schedulers, which the compiler checks. As PyTorch does, the constructor
/// undoes what constructing the schedulers did: the optimizer's lr goes back to the initial lr
/// (the lr the first scheduler was constructed over, PyTorch's `initial_lr`, which also becomes
/// every scheduler's base lr), the later schedulers' epoch goes back to -1, and the first
/// scheduler takes its initial step again. Construct the schedulers in order, the first one
/// first (as in `std::tuple{...}`), so that the first sees the optimizer's initial lr.
template <Optimizer Opt, class... Scheds>
class SequentialLR {
  static_assert(sizeof...(Scheds) >= 1, "ctnn::optim::SequentialLR needs at least one scheduler.");
  static_assert((detail::is_scheduler_over<Scheds, Opt> && ...),
                "Every scheduler of a ctnn::optim::SequentialLR must be a ctnn::optim learning-rate scheduler over "
                "the SequentialLR's optimizer type.");

 public:
  /// One milestone fewer than schedulers.
  static constexpr std::size_t milestone_count = sizeof...(Scheds) - 1;

  /// `milestones` is a braced list, `{5}` or `{3, 10}`, of milestone_count epochs.
  template <std::size_t M>
  SequentialLR(Opt& optimizer, std::tuple<Scheds...> schedulers, const std::int64_t (&milestones)[M])
      : optimizer_(&optimizer), schedulers_(std::move(schedulers)) {
    static_assert(M == milestone_count,
                  "ctnn::optim::SequentialLR expects one milestone fewer than schedulers (the epochs at which the "
                  "next scheduler takes over).");
    for (std::size_t i = 0; i < M; ++i) milestones_[i] = milestones[i];
    take_over();
  }
  /// A single scheduler needs no milestone.
  SequentialLR(Opt& optimizer, std::tuple<Scheds...> schedulers)
    requires(sizeof...(Scheds) == 1)
      : optimizer_(&optimizer), schedulers_(std::move(schedulers)) {
    take_over();
  }

  /// Advances one epoch: the scheduler whose interval holds the new epoch steps (step(0), its
  /// closed form at epoch 0, when the epoch is its milestone).
  void step() {
    ++last_epoch_;
    const std::size_t idx = detail::bisect_right(milestones_, last_epoch_);
    at(idx, [&](auto& s) {
      if (idx > 0 && milestones_[idx - 1] == last_epoch_)
        s.step(0);
      else
        s.step();
      last_lr_ = s.get_last_lr();
    });
  }
  double get_last_lr() const { return last_lr_; }
  std::int64_t last_epoch() const { return last_epoch_; }
  const std::array<std::int64_t, milestone_count>& milestones() const { return milestones_; }
  /// The I-th scheduler.
  template <std::size_t I>
  auto& scheduler() {
    return std::get<I>(schedulers_);
  }

  /// PyTorch's state_dict: "last_epoch", "_last_lr.0" and each scheduler's state under
  /// "_schedulers.<i>." (the milestones are a constructor argument, not state).
  template <class F>
  void named_state(F&& f) {
    f(std::string_view("last_epoch"), last_epoch_);
    f(std::string_view("_last_lr.0"), last_lr_);
    detail::named_state_of_schedulers(schedulers_, f);
  }

 private:
  void take_over() {
    for_each_indexed([&](std::size_t i, auto& s) {
      detail::require(detail::SchedulerAccess::optimizer(s) == optimizer_,
                      "ctnn::optim::SequentialLR expects all schedulers to belong to its optimizer, but scheduler " +
                          std::to_string(i) + " was constructed over another one");
    });
    const double initial_lr = std::get<0>(schedulers_).base_lr();
    optimizer_->set_lr(initial_lr);
    for_each_indexed([&](std::size_t, auto& s) { detail::SchedulerAccess::undo_initial_step(s, initial_lr); });
    detail::SchedulerAccess::initial_step(std::get<0>(schedulers_));
    last_lr_ = std::get<0>(schedulers_).get_last_lr();
  }
  template <class F>
  void for_each_indexed(F&& f) {
    detail::for_each_indexed(schedulers_, f);
  }
  template <class F>
  void at(std::size_t idx, F&& f) {
    for_each_indexed([&](std::size_t i, auto& s) {
      if (i == idx) f(s);
    });
  }

  Opt* optimizer_;
  std::tuple<Scheds...> schedulers_;
  std::array<std::int64_t, milestone_count> milestones_{};
  std::int64_t last_epoch_ = 0;  // PyTorch: last_epoch + 1 with the default last_epoch=-1
  double last_lr_ = 0.0;
};

/// torch.optim.lr_scheduler.ChainedScheduler(schedulers): every scheduler steps, in order, at
/// each step(), each one scaling the lr the previous one set (chainable: their recursive
/// formulas read the current lr).
///
///     ctnn::optim::ChainedScheduler chained{std::tuple{ctnn::optim::LinearLR{opt, 0.25, 1.0, 3},
///                                                      ctnn::optim::ExponentialLR{opt, 0.9}}};
///
/// As PyTorch, it takes only the schedulers (by value, constructed in order over one
/// optimizer) and does not step them at construction. Every scheduler's base lr is the first
/// one's (PyTorch's `initial_lr`, which the first constructed scheduler records).
template <class... Scheds>
class ChainedScheduler {
  static_assert(sizeof...(Scheds) >= 1, "ctnn::optim::ChainedScheduler needs at least one scheduler.");

 public:
  using optimizer_type = typename std::tuple_element_t<0, std::tuple<Scheds...>>::optimizer_type;
  static_assert((detail::is_scheduler_over<Scheds, optimizer_type> && ...),
                "Every scheduler of a ctnn::optim::ChainedScheduler must be a ctnn::optim learning-rate scheduler "
                "over the same optimizer type.");

  explicit ChainedScheduler(std::tuple<Scheds...> schedulers)
      : schedulers_(std::move(schedulers)),
        optimizer_(detail::SchedulerAccess::optimizer(std::get<0>(schedulers_))) {
    const double initial_lr = std::get<0>(schedulers_).base_lr();
    detail::for_each_indexed(schedulers_, [&](std::size_t i, auto& s) {
      detail::require(detail::SchedulerAccess::optimizer(s) == optimizer_,
                      "ctnn::optim::ChainedScheduler expects all schedulers to belong to the same optimizer, but "
                      "scheduler " +
                          std::to_string(i) + " was constructed over another one than scheduler 0");
      detail::SchedulerAccess::set_base_lr(s, initial_lr);
    });
    last_lr_ = optimizer_->lr();
  }

  /// Steps every scheduler, in order.
  void step() {
    detail::for_each_indexed(schedulers_, [](std::size_t, auto& s) { s.step(); });
    last_lr_ = optimizer_->lr();
  }
  double get_last_lr() const { return last_lr_; }
  /// The I-th scheduler.
  template <std::size_t I>
  auto& scheduler() {
    return std::get<I>(schedulers_);
  }

  /// PyTorch's state_dict: "_last_lr.0" and each scheduler's state under "_schedulers.<i>.".
  template <class F>
  void named_state(F&& f) {
    f(std::string_view("_last_lr.0"), last_lr_);
    detail::named_state_of_schedulers(schedulers_, f);
  }

 private:
  std::tuple<Scheds...> schedulers_;
  const optimizer_type* optimizer_;
  double last_lr_ = 0.0;
};

}  // namespace ctnn::optim
