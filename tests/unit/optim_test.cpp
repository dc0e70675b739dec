// Optimizers, schedulers and gradient clipping: training trajectories against PyTorch
// (tests/reference/data/train_*.txt: the loss at every step, the parameters and the
// optimizer's state after the last) in float and double; named_state names; frozen
// parameters; errors.
#include <catch2/catch.hpp>
#include <cstdint>
#include <limits>
#include <ctnn/ctnn.hpp>
#include <map>
#include <string>
#include <vector>

#include "../../examples/seed_layers.hpp"
#include "training_reference.hpp"

using namespace ctnn_train_test;
using ctnn::Reduction;

namespace {

/// One tensor of PyTorch's against ctnn's value (as a double matrix): not a template, so the
/// many trajectories below share it.
void compare_tensor(const Reference& ref, const std::string& name, const Eigen::MatrixXd& value, double tol) {
  INFO("tensor " << name);
  CHECK(relative_error(value, parameter_from<Eigen::MatrixXd>(ref.tensor(name), value.rows(), value.cols())) < tol);
}

/// named_state's visitor: compares what PyTorch's state_dict holds and notes its names.
struct StateComparer {
  const Reference& ref;
  double tol;
  std::map<std::string, bool>& seen;
  template <class V>
  void operator()(std::string_view name, V& v) const {
    const std::string n(name);
    if (!ref.has(n)) return;  // ctnn's extra state (SGD's step), or a frozen parameter's zeros
    seen[n] = true;
    if constexpr (std::is_same_v<V, std::int64_t>) {
      INFO("state " << n);
      CHECK(static_cast<double>(v) == ref.tensor(n).values[0]);
    } else if constexpr (std::is_same_v<V, double>) {
      INFO("state " << n);
      CHECK(relative_error(v, ref.tensor(n).values[0]) < 1e-12);
    } else {
      compare_tensor(ref, n, v.template cast<double>(), tol);
    }
  }
};

/// Every state tensor of PyTorch's was visited by named_state.
void check_all_seen(const Reference& ref, const std::map<std::string, bool>& seen) {
  for (const auto& [name, tensor] : ref.tensors)
    if (name.rfind("state.", 0) == 0 || name.rfind("param_groups.", 0) == 0) {
      INFO("PyTorch's state " << name << " is visited by named_state");
      CHECK(seen.count(name) == 1);
    }
}

/// Trains net as PyTorch did for `case_name` and compares everything the case holds.
/// Target is the ctnn type of the targets; make_scheduler(opt) returns a scheduler or nullptr.
template <class S, class Net, class Target, class Loss, class MakeOpt, class MakeScheduler>
void check_trajectory(const std::string& case_name, Net& net, const Loss& loss, MakeOpt make_opt,
                      MakeScheduler make_scheduler, const std::vector<std::string>& frozen = {}) {
  INFO("case " << case_name << " in " << (std::is_same_v<S, float> ? "float" : "double"));
  const Reference ref = ctnn_test::load_reference(case_name);
  const double tol = tolerance<S>;
  using X = Eigen::Matrix<S, Net::in_features, Target::ColsAtCompileTime>;
  const X x = batch_of<X>(ref.tensor("x"));
  const Target target = batch_of<Target>(ref.tensor("target"));
  load_parameters(net, ref, "init.");
  ctnn::named_parameters(net, [&](std::string_view name, auto& p) {
    for (const auto& f : frozen)
      if (f == name) p.requires_grad = false;
  });
  auto opt = make_opt(net);
  auto scheduler = make_scheduler(opt);

  const Tensor& losses = ref.tensor("losses");
  const Tensor& lrs = ref.tensor("lrs");
  std::vector<double> ctnn_losses, ctnn_lrs;
  for (std::size_t t = 0; t < losses.numel(); ++t) {
    ctnn_lrs.push_back(opt.lr());
    auto y = net.forward(x);
    ctnn_losses.push_back(loss(y, target));
    opt.zero_grad();
    net.backward(loss.grad(y, target));
    opt.step();
    if constexpr (!std::is_same_v<decltype(scheduler), std::nullptr_t>) scheduler.step();
  }
  compare_tensor(ref, "losses", Eigen::Map<Eigen::MatrixXd>(ctnn_losses.data(), 1, losses.numel()), tol);
  compare_tensor(ref, "lrs", Eigen::Map<Eigen::MatrixXd>(ctnn_lrs.data(), 1, lrs.numel()), 1e-12);

  ctnn::named_parameters(net, [&](std::string_view name, auto& p) {
    compare_tensor(ref, "final." + std::string(name), p.value.template cast<double>(), tol);
  });
  // every piece of PyTorch's state is visited under its name and agrees
  std::map<std::string, bool> seen;
  opt.named_state(StateComparer{ref, tol, seen});
  check_all_seen(ref, seen);
}

auto no_scheduler = [](auto&) { return nullptr; };

template <class S>
using MLP = ctnn::Sequential<ctnn::Linear<4, 8, true, S>, ctnn::Tanh, ctnn::Linear<8, 2, true, S>>;

template <class S>
void seed002() {
  // --8<-- [start:seed002]
  // Seed 002's loop: MyNet, MSELoss(reduction='sum'), Adam(lr=1e-4), 10 steps.
  seeds::BasicMyNet<S> model;
  ctnn::MSELoss loss_fn{ctnn::Reduction::Sum};
  auto make_optimizer = [](auto& m) { return ctnn::optim::Adam{m, {.lr = 1e-4}}; };
  // --8<-- [end:seed002]
  check_trajectory<S, seeds::BasicMyNet<S>, Eigen::Matrix<S, 3, 10>>("train_seed002_adam", model, loss_fn,
                                                                     make_optimizer, no_scheduler);
}

template <class S>
void mlps() {
  using Y = Eigen::Matrix<S, 2, 6>;
  {
    MLP<S> net;
    check_trajectory<S, MLP<S>, Y>(
        "train_mlp_sgd_nesterov", net, ctnn::MSELoss{},
        [](auto& m) { return ctnn::optim::SGD{m, {.lr = 0.1, .momentum = 0.9, .weight_decay = 1e-3, .nesterov = true}}; },
        no_scheduler);
  }
  {
    MLP<S> net;
    check_trajectory<S, MLP<S>, Y>(
        "train_mlp_sgd_dampening_frozen", net, ctnn::MSELoss{},
        [](auto& m) { return ctnn::optim::SGD{m, {.lr = 0.05, .momentum = 0.8, .dampening = 0.3, .weight_decay = 1e-2}}; },
        [](auto& opt) { return ctnn::optim::StepLR{opt, 3, 0.5}; }, {"0.bias"});
  }
  {
    MLP<S> net;
    check_trajectory<S, MLP<S>, Y>(
        "train_mlp_adamw_amsgrad", net, ctnn::MSELoss{},
        [](auto& m) {
          return ctnn::optim::AdamW{m, {.lr = 1e-2, .betas = {0.8, 0.99}, .weight_decay = 0.1, .amsgrad = true}};
        },
        no_scheduler);
  }
  {
    MLP<S> net;
    check_trajectory<S, MLP<S>, Y>(
        "train_mlp_adam_wd", net, ctnn::L1Loss{Reduction::Sum},
        [](auto& m) { return ctnn::optim::Adam{m, {.lr = 1e-2, .eps = 1e-6, .weight_decay = 1e-2}}; }, no_scheduler);
  }
  {
    MLP<S> net;
    check_trajectory<S, MLP<S>, Y>(
        "train_mlp_adam_maximize_amsgrad", net, ctnn::MSELoss{},
        [](auto& m) {
          return ctnn::optim::Adam{m, {.lr = 1e-2, .weight_decay = 1e-2, .amsgrad = true, .maximize = true}};
        },
        no_scheduler);
  }
  {
    MLP<S> net;
    check_trajectory<S, MLP<S>, Y>(
        "train_mlp_rmsprop", net, ctnn::MSELoss{},
        [](auto& m) {
          return ctnn::optim::RMSprop{
              m, {.lr = 1e-2, .alpha = 0.9, .eps = 1e-6, .weight_decay = 1e-3, .momentum = 0.5, .centered = true}};
        },
        no_scheduler);
  }
  {
    MLP<S> net;
    check_trajectory<S, MLP<S>, Y>("train_mlp_rmsprop_plain", net, ctnn::MSELoss{},
                                   [](auto& m) { return ctnn::optim::RMSprop{m}; }, no_scheduler);
  }
  {
    MLP<S> net;
    check_trajectory<S, MLP<S>, Y>(
        "train_mlp_adagrad", net, ctnn::HuberLoss{0.5},
        [](auto& m) {
          return ctnn::optim::Adagrad{
              m, {.lr = 0.1, .lr_decay = 0.01, .weight_decay = 1e-3, .initial_accumulator_value = 0.1}};
        },
        no_scheduler);
  }
  {
    using Classifier = ctnn::Sequential<ctnn::Linear<2, 16, true, S>, ctnn::ReLU, ctnn::Linear<16, 3, true, S>>;
    Classifier net;
    check_trajectory<S, Classifier, ctnn::ClassIndices<12>>(
        "train_classifier_cross_entropy", net, ctnn::CrossEntropyLoss{Reduction::Mean, {.label_smoothing = 0.05}},
        [](auto& m) { return ctnn::optim::Adam{m, {.lr = 1e-2}}; },
        [](auto& opt) { return ctnn::optim::CosineAnnealingLR{opt, 6}; });
  }
}

}  // namespace

TEST_CASE("seed 002's training loop matches PyTorch step for step") {
  seed002<float>();
  seed002<double>();
}

template <class S>
using SharedNet = ctnn::Sequential<ctnn::Linear<4, 8, true, S>, ctnn::ReLU, ctnn::Linear<8, 8, true, S>, ctnn::ReLU,
                                   ctnn::Shared<2>, ctnn::ReLU, ctnn::Linear<8, 1, true, S>>;

template <class S>
void shared_trajectories() {
  using Y = Eigen::Matrix<S, 1, 6>;
  {
    SharedNet<S> net;
    check_trajectory<S, SharedNet<S>, Y>(
        "train_shared_sgd_momentum", net, ctnn::MSELoss{},
        [](auto& m) { return ctnn::optim::SGD{m, {.lr = 0.05, .momentum = 0.9}}; }, no_scheduler);
  }
  {
    SharedNet<S> net;
    check_trajectory<S, SharedNet<S>, Y>("train_shared_adam", net, ctnn::MSELoss{},
                                          [](auto& m) { return ctnn::optim::Adam{m, {.lr = 1e-2}}; }, no_scheduler);
  }
}

TEST_CASE("a shared layer (ctnn::Shared) trains as PyTorch's shared module: updated once per step", "[optim][shared]") {
  shared_trajectories<float>();
  shared_trajectories<double>();
}

TEST_CASE("SGD, Adam, AdamW, RMSprop and Adagrad trajectories match PyTorch") {
  mlps<float>();
  mlps<double>();
}

TEST_CASE("schedulers give PyTorch's learning rates") {
  const Reference ref = ctnn_test::load_reference("lr_schedulers");
  auto check = [&](const std::string& name, auto make) {
    INFO("scheduler " << name);
    ctnn::Linear<1, 1, false, double> net;
    ctnn::optim::SGD opt{net, {.lr = 0.5}};
    auto scheduler = make(opt);
    const Tensor& expected = ref.tensor(name);
    CHECK(relative_error(opt.lr(), expected.values[0]) < 1e-14);
    for (std::size_t t = 1; t < expected.numel(); ++t) {
      opt.step();
      scheduler.step();
      INFO("epoch " << t);
      CHECK(relative_error(opt.lr(), expected.values[t]) < 1e-14);
      CHECK(scheduler.get_last_lr() == opt.lr());
      if constexpr (requires { scheduler.last_epoch(); })  // ChainedScheduler has none, as in PyTorch
        CHECK(scheduler.last_epoch() == static_cast<std::int64_t>(t));
    }
  };
  check("step_lr", [](auto& o) { return ctnn::optim::StepLR{o, 3, 0.5}; });
  check("exponential_lr", [](auto& o) { return ctnn::optim::ExponentialLR{o, 0.9}; });
  check("cosine_annealing_lr", [](auto& o) { return ctnn::optim::CosineAnnealingLR{o, 5, 0.01}; });
  check("linear_lr", [](auto& o) { return ctnn::optim::LinearLR{o, 0.25, 1.0, 4}; });
  check("linear_lr_default", [](auto& o) { return ctnn::optim::LinearLR{o}; });
  check("sequential_lr", [](auto& o) {
    return ctnn::optim::SequentialLR{
        o, std::tuple{ctnn::optim::LinearLR{o, 0.25, 1.0, 3}, ctnn::optim::CosineAnnealingLR{o, 6, 0.01}}, {3}};
  });
  check("sequential_lr_three", [](auto& o) {
    return ctnn::optim::SequentialLR{o,
                                     std::tuple{ctnn::optim::LinearLR{o, 0.5, 1.0, 2}, ctnn::optim::StepLR{o, 3, 0.5},
                                                ctnn::optim::ExponentialLR{o, 0.8}},
                                     {4, 9}};
  });
  check("chained_scheduler", [](auto& o) {
    return ctnn::optim::ChainedScheduler{std::tuple{ctnn::optim::LinearLR{o, 0.25, 1.0, 3}, ctnn::optim::ExponentialLR{o, 0.9}}};
  });
  check("chained_scheduler_cosine", [](auto& o) {
    return ctnn::optim::ChainedScheduler{
        std::tuple{ctnn::optim::LinearLR{o, 0.5, 1.0, 2}, ctnn::optim::CosineAnnealingLR{o, 3, 0.01}}};
  });

  // step(epoch): PyTorch's closed forms, epochs out of order.
  auto check_closed_form = [&](const std::string& name, auto make) {
    INFO("closed form of " << name);
    ctnn::Linear<1, 1, false, double> net;
    ctnn::optim::SGD opt{net, {.lr = 0.5}};
    auto scheduler = make(opt);
    const Tensor& expected = ref.tensor("closed_form." + name);
    const std::int64_t epochs[] = {3, 0, 7, 1, 12, 5, 20, 2};
    for (std::size_t i = 0; i < expected.numel(); ++i) {
      scheduler.step(epochs[i]);
      INFO("epoch " << epochs[i]);
      CHECK(relative_error(opt.lr(), expected.values[i]) < 1e-14);
      CHECK(scheduler.last_epoch() == epochs[i]);
    }
  };
  check_closed_form("step_lr", [](auto& o) { return ctnn::optim::StepLR{o, 3, 0.5}; });
  check_closed_form("exponential_lr", [](auto& o) { return ctnn::optim::ExponentialLR{o, 0.9}; });
  check_closed_form("cosine_annealing_lr", [](auto& o) { return ctnn::optim::CosineAnnealingLR{o, 5, 0.01}; });
  check_closed_form("linear_lr", [](auto& o) { return ctnn::optim::LinearLR{o, 0.25, 1.0, 4}; });
}

TEST_CASE("SequentialLR: PyTorch's state, restoring it, and its checks") {
  using namespace ctnn::optim;
  ctnn::Linear<1, 1, false, double> net;
  SGD opt{net, {.lr = 0.5}};
  auto make = [](auto& o) {
    return SequentialLR{o, std::tuple{LinearLR{o, 0.25, 1.0, 3}, CosineAnnealingLR{o, 6, 0.01}}, {3}};
  };
  auto seq = make(opt);
  // PyTorch's state_dict after construction: the second scheduler's construction is undone.
  std::map<std::string, double> state;
  auto read = [&](auto& s) {
    state.clear();
    s.named_state([&](std::string_view name, auto& v, auto...) { state[std::string(name)] = static_cast<double>(v); });
  };
  read(seq);
  const std::map<std::string, double> after_construction = {
      {"last_epoch", 0},
      {"_last_lr.0", 0.125},
      {"_schedulers.0.last_epoch", 0},
      {"_schedulers.0.base_lrs.0", 0.5},
      {"_schedulers.0._step_count", 1},
      {"_schedulers.0._last_lr.0", 0.125},
      {"_schedulers.1.last_epoch", -1},
      {"_schedulers.1.base_lrs.0", 0.5},
      {"_schedulers.1._step_count", 1},
      {"_schedulers.1._last_lr.0", 0.125}};
  CHECK(state == after_construction);

  for (int t = 0; t < 5; ++t) seq.step();
  read(seq);
  CHECK(state["last_epoch"] == 5);
  CHECK(state["_schedulers.1.last_epoch"] == 2);  // step(0) at the milestone 3, then two steps
  CHECK(state["_schedulers.1._step_count"] == 4);

  // Restoring the state into a fresh SequentialLR (as load_checkpoint does) continues the schedule.
  ctnn::Linear<1, 1, false, double> net2;
  SGD opt2{net2, {.lr = 0.5}};
  auto seq2 = make(opt2);
  seq2.named_state([&](std::string_view name, auto& v, auto...) {
    v = static_cast<std::remove_cvref_t<decltype(v)>>(state.at(std::string(name)));
  });
  opt2.set_lr(opt.lr());
  for (int t = 0; t < 6; ++t) {
    seq.step();
    seq2.step();
    CHECK(opt2.lr() == opt.lr());
    CHECK(seq2.get_last_lr() == seq.get_last_lr());
  }

  // A scheduler over another optimizer (of the same type) is rejected, as in PyTorch.
  auto bad = [&] {
    return SequentialLR{opt, std::tuple{LinearLR{opt, 0.25, 1.0, 3}, CosineAnnealingLR{opt2, 6, 0.01}}, {3}};
  };
  CHECK_THROWS_AS(bad(), ctnn::Error);
  CHECK_THROWS_WITH(bad(), Catch::Contains("scheduler 1 was constructed over another one"));

  // A single scheduler needs no milestone.
  SGD opt3{net2, {.lr = 0.5}};
  SequentialLR single{opt3, std::tuple{StepLR{opt3, 2, 0.5}}};
  single.step();
  single.step();
  CHECK(opt3.lr() == 0.25);
  static_assert(decltype(seq)::milestone_count == 1);

  // ChainedScheduler: the same checks and state layout.
  {
    SGD opt4{net2, {.lr = 0.5}};
    SGD opt5{net2, {.lr = 0.5}};
    auto chain = [](auto& o) { return ChainedScheduler{std::tuple{LinearLR{o, 0.25, 1.0, 3}, ExponentialLR{o, 0.9}}}; };
    auto c4 = chain(opt4);
    auto c5 = chain(opt5);
    for (int t = 0; t < 2; ++t) c4.step();
    read(c4);
    CHECK(state.size() == 9);
    CHECK(state["_schedulers.1.base_lrs.0"] == 0.5);  // PyTorch's initial_lr, not the warm-up's lr
    CHECK(state["_schedulers.1.last_epoch"] == 2);
    c5.named_state([&](std::string_view name, auto& v, auto...) {
      v = static_cast<std::remove_cvref_t<decltype(v)>>(state.at(std::string(name)));
    });
    opt5.set_lr(opt4.lr());
    for (int t = 0; t < 4; ++t) {
      c4.step();
      c5.step();
      CHECK(opt5.lr() == opt4.lr());
      CHECK(c5.get_last_lr() == opt4.lr());
    }
    auto bad_chain = [&] { return ChainedScheduler{std::tuple{LinearLR{opt4, 0.25, 1.0, 3}, ExponentialLR{opt5, 0.9}}}; };
    CHECK_THROWS_WITH(bad_chain(), Catch::Contains("scheduler 1 was constructed over another one than scheduler 0"));
  }

  // The docs' example: three epochs of warm-up from a quarter of the lr, then a cosine.
  ctnn::Linear<1, 1, false, double> model;
  // --8<-- [start:sequential_lr]
  ctnn::optim::SGD optimizer{model, {.lr = 0.5}};
  ctnn::optim::SequentialLR scheduler{
      optimizer,
      std::tuple{ctnn::optim::LinearLR{optimizer, /*start_factor=*/0.25, /*end_factor=*/1.0, /*total_iters=*/3},
                 ctnn::optim::CosineAnnealingLR{optimizer, /*T_max=*/6, /*eta_min=*/0.01}},
      /*milestones=*/{3}};  // LinearLR for epochs 0-2, CosineAnnealingLR from epoch 3
  // --8<-- [end:sequential_lr]
  CHECK(optimizer.lr() == 0.125);
  for (int t = 0; t < 3; ++t) scheduler.step();
  CHECK(optimizer.lr() == 0.5);
}

TEST_CASE("clip_grad_norm matches torch.nn.utils.clip_grad_norm_") {
  const Reference ref = ctnn_test::load_reference("clip_grad");
  auto check = [&](auto scalar, const std::string& tag, double max_norm, double norm_type) {
    using S = decltype(scalar);
    INFO("norm " << tag << " in " << (std::is_same_v<S, float> ? "float" : "double"));
    ctnn::Linear<4, 3, true, S> net;
    using W = Eigen::Matrix<S, 3, 4>;
    using Bv = Eigen::Matrix<S, 3, 1>;
    net.weight.grad = parameter_from<W>(ref.tensor("grad.weight"), 3, 4);
    net.bias.grad = parameter_from<Bv>(ref.tensor("grad.bias"), 3, 1);
    const double total = ctnn::clip_grad_norm(net, max_norm, norm_type);
    CHECK(relative_error(total, ref.tensor("total_norm." + tag).values[0]) < tolerance<S>);
    CHECK(relative_error(net.weight.grad, parameter_from<W>(ref.tensor("clipped.weight." + tag), 3, 4)) < tolerance<S>);
    CHECK(relative_error(net.bias.grad, parameter_from<Bv>(ref.tensor("clipped.bias." + tag), 3, 1)) < tolerance<S>);
  };
  const double inf = std::numeric_limits<double>::infinity();
  for (auto [tag, max_norm, norm_type] : {std::tuple{"2", 1.0, 2.0}, std::tuple{"inf", 0.5, inf},
                                          std::tuple{"3", 1.5, 3.0}, std::tuple{"big", 100.0, 2.0}}) {
    check(0.0f, tag, max_norm, norm_type);
    check(0.0, tag, max_norm, norm_type);
  }
  ctnn::Linear<2, 2, true, double> net;
  net.weight.grad.setConstant(NAN);
  CHECK_THROWS_AS(ctnn::clip_grad_norm(net, 1.0, 2.0, /*error_if_nonfinite=*/true), ctnn::Error);
  net.weight.grad << 3, -4, 0.5, 0;
  ctnn::clip_grad_value(net, 1.0);
  CHECK(net.weight.grad == (Eigen::Matrix2d() << 1, -1, 0.5, 0).finished());
}

TEST_CASE("named_state visits PyTorch's state_dict names") {
  MLP<double> net;  // parameters 0.weight, 0.bias, 2.weight, 2.bias: indices 0..3
  auto names = [](auto& visitable) {
    std::vector<std::string> out;
    visitable.named_state([&](std::string_view n, auto&) { out.emplace_back(n); });
    return out;
  };
  using V = std::vector<std::string>;
  auto first = [&](auto& visitable, std::size_t n) {
    const V all = names(visitable);
    return V(all.begin(), all.begin() + static_cast<std::ptrdiff_t>(std::min(n, all.size())));
  };
  ctnn::optim::Adam adam{net};
  auto a = names(adam);
  REQUIRE(a.size() == 4 * 3 + 1);
  CHECK(first(adam, 3) == V{"state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq"});
  CHECK(a[11] == "state.3.exp_avg_sq");
  CHECK(a.back() == "param_groups.0.lr");
  ctnn::optim::AdamW amsgrad{net, {.amsgrad = true}};
  CHECK(names(amsgrad)[3] == "state.0.max_exp_avg_sq");
  ctnn::optim::SGD sgd{net, {.lr = 0.1, .momentum = 0.9}};
  CHECK(first(sgd, 2) == V{"state.0.momentum_buffer", "state.0.step"});
  ctnn::optim::SGD plain{net, {.lr = 0.1}};
  CHECK(names(plain) == V{"param_groups.0.lr"});
  ctnn::optim::RMSprop rms{net, {.momentum = 0.5, .centered = true}};
  CHECK(first(rms, 4) ==
        V{"state.0.step", "state.0.square_avg", "state.0.momentum_buffer", "state.0.grad_avg"});
  ctnn::optim::Adagrad ada{net};
  CHECK(first(ada, 2) == V{"state.0.step", "state.0.sum"});
  ctnn::optim::StepLR sched{adam, 10};
  CHECK(names(sched) == V{"last_epoch", "base_lrs.0", "_step_count", "_last_lr.0"});

  // the state is the optimizer's own: writing through named_state changes it (a checkpoint load)
  adam.named_state([](std::string_view n, auto& v) {
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(v)>, double>) {
      if (n == "param_groups.0.lr") v = 0.25;
    } else if constexpr (std::is_same_v<std::remove_cvref_t<decltype(v)>, std::int64_t>) {
      v = 7;
    }
  });
  CHECK(adam.lr() == 0.25);
  adam.named_state([](std::string_view n, auto& v) {
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(v)>, std::int64_t>) {
      if (n == "state.2.step") CHECK(v == 7);
    }
  });
  // state shapes mirror the parameters at compile time
  adam.named_state([](std::string_view, auto& v) {
    using V2 = std::remove_cvref_t<decltype(v)>;
    if constexpr (!std::is_arithmetic_v<V2>) STATIC_REQUIRE(V2::SizeAtCompileTime != Eigen::Dynamic);
  });
}

TEST_CASE("frozen parameters are skipped and lr can be changed between steps") {
  MLP<double> net;
  ctnn::init::reset_parameters(net, 3);
  ctnn::layer<0>(net).weight.requires_grad = false;
  const Eigen::Matrix<double, 8, 4> frozen = ctnn::layer<0>(net).weight.value;
  const Eigen::Matrix<double, 2, 1> bias_before = ctnn::layer<2>(net).bias.value;
  ctnn::optim::Adam opt{net, {.lr = 1e-2}};
  Eigen::Matrix<double, 4, 3> x = Eigen::Matrix<double, 4, 3>::Ones();
  const Eigen::Matrix<double, 2, 3> target = Eigen::Matrix<double, 2, 3>::Zero();
  ctnn::MSELoss loss;
  for (int t = 0; t < 3; ++t) {
    auto y = net.forward(x);
    opt.zero_grad();
    net.backward(loss.grad(y, target));
    opt.step();
  }
  CHECK(ctnn::layer<0>(net).weight.value == frozen);
  CHECK(ctnn::layer<2>(net).bias.value != bias_before);
  opt.named_state([](std::string_view n, auto& v) {
    if constexpr (std::is_same_v<std::remove_cvref_t<decltype(v)>, std::int64_t>)
      CHECK(v == (n == "state.0.step" ? 0 : 3));
  });

  // SGD with lr set between steps: p -= lr g, with the new lr
  ctnn::optim::SGD sgd{net, {.lr = 0.1}};
  CHECK(sgd.lr() == 0.1);
  sgd.set_lr(0.5);
  CHECK(sgd.options().lr == 0.5);
  auto y = net.forward(x);
  sgd.zero_grad();
  net.backward(loss.grad(y, target));
  const Eigen::Matrix<double, 2, 1> before = ctnn::layer<2>(net).bias.value;
  const Eigen::Matrix<double, 2, 1> g = ctnn::layer<2>(net).bias.grad;
  sgd.step();
  CHECK(ctnn::layer<2>(net).bias.value.isApprox(before - 0.5 * g));
  CHECK_THROWS_AS(sgd.set_lr(-1.0), ctnn::Error);
}

TEST_CASE("optimizers reject bad hyper-parameters as PyTorch does") {
  MLP<float> net;
  CHECK_THROWS_WITH((ctnn::optim::SGD{net, {.lr = 0.1, .nesterov = true}}),
                    Catch::Contains("Nesterov momentum requires a momentum and zero dampening"));
  CHECK_THROWS_AS((ctnn::optim::Adam{net, {.lr = -1}}), ctnn::Error);
  CHECK_THROWS_AS((ctnn::optim::Adam{net, {.betas = {1.0, 0.999}}}), ctnn::Error);
  CHECK_THROWS_AS((ctnn::optim::RMSprop{net, {.momentum = -0.5}}), ctnn::Error);
  CHECK_THROWS_AS((ctnn::optim::Adagrad{net, {.lr_decay = -1}}), ctnn::Error);
  ctnn::optim::SGD sgd{net, {.lr = 0.1}};
  CHECK_THROWS_AS((ctnn::optim::StepLR{sgd, 0}), ctnn::Error);
  CHECK_THROWS_AS((ctnn::optim::LinearLR{sgd, 0.0}), ctnn::Error);
  STATIC_REQUIRE(ctnn::optim::Optimizer<ctnn::optim::Adam<MLP<float>>>);
  STATIC_REQUIRE(ctnn::optim::Optimizer<ctnn::optim::RMSprop<MLP<float>>>);
  STATIC_REQUIRE(!ctnn::optim::Optimizer<MLP<float>>);
  STATIC_REQUIRE(ctnn::optim::Adam<MLP<float>>::parameter_count == 4);
}
