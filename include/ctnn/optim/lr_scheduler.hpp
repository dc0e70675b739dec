/// @file Learning-rate schedulers, as torch.optim.lr_scheduler: StepLR, ExponentialLR,
/// CosineAnnealingLR and LinearLR (linear warm-up). Each follows PyTorch's recursive get_lr()
/// (the one `scheduler.step()` uses), so the learning rates agree with PyTorch's to rounding.
///
/// As in PyTorch, constructing a scheduler takes its first step (last_epoch becomes 0 and the
/// optimizer's lr is set for epoch 0); call `scheduler.step()` after each `optimizer.step()`.
#pragma once

#include <cmath>
#include <cstdint>
#include <string>
#include <string_view>

#include "ctnn/optim/optimizer_concepts.hpp"

namespace ctnn::optim {

namespace detail {

/// What every scheduler shares: base_lr (the optimizer's lr at construction), last_epoch,
/// PyTorch's _step_count and _last_lr, and step(), which asks Derived::next_lr().
template <class Derived, class Opt>
class LRScheduler {
 public:
  /// Advances one epoch and sets the optimizer's learning rate.
  void step() {
    ++step_count_;
    ++last_epoch_;
    const double lr = static_cast<Derived&>(*this).next_lr(optimizer_->lr());
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
  /// PyTorch's _initial_step(), called by Derived's constructor once its arguments are set.
  void initial_step() { step(); }

  Opt* optimizer_;
  double base_lr_;
  std::int64_t last_epoch_ = -1;
  std::int64_t step_count_ = 0;
  double last_lr_ = 0.0;
};

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

 private:
  double start_, end_;
  std::int64_t total_iters_;
};

}  // namespace ctnn::optim
