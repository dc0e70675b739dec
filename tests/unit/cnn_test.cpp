/// @file Deep convolutional nets against PyTorch (tests/reference group "cnn"): Conv2d,
/// BatchNorm2d, ReLU, MaxPool2d, AvgPool2d, Flatten, Linear<any, N> (and the 1-D family)
/// trained a few steps with SGD momentum and with Adam must follow PyTorch's trajectory:
/// losses, every parameter, BatchNorm's running statistics and num_batches_tracked, the
/// optimizer's state; then PyTorch's eval-mode outputs. Also their print(model) texts.
#include <catch2/catch.hpp>
#include <cstdint>
#include <ctnn/ctnn.hpp>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "source_dir.hpp"
#include "training_reference.hpp"

using namespace ctnn_train_test;

namespace {

using Cnn2d = ctnn::with_input<
    ctnn::Sequential<ctnn::Conv2d<1, 4, 3, ctnn::ConvOptions{.padding = 1, .bias = false}>, ctnn::BatchNorm2d<4>, ctnn::ReLU,
                     ctnn::MaxPool2d<2>, ctnn::Conv2d<4, 6, 3, ctnn::ConvOptions{.bias = false}>, ctnn::BatchNorm2d<6>, ctnn::ReLU, ctnn::AvgPool2d<2>,
                     ctnn::Flatten, ctnn::Linear<ctnn::any, 3>>,
    1, 12, 12>;
using Cnn1d = ctnn::with_input<
    ctnn::Sequential<ctnn::Conv1d<2, 4, 3, ctnn::ConvOptions{.padding = 1, .bias = false}>, ctnn::BatchNorm1d<4>, ctnn::ReLU,
                     ctnn::MaxPool1d<2>, ctnn::Conv1d<4, 5, 3, ctnn::ConvOptions{.dilation = 2}>, ctnn::ReLU,
                     ctnn::Flatten, ctnn::Linear<ctnn::any, 2>>,
    2, 16>;

void compare_tensor(const Reference& ref, const std::string& name, const Eigen::MatrixXd& value, double tol) {
  INFO("tensor " << name);
  CHECK(relative_error(value, parameter_from<Eigen::MatrixXd>(ref.tensor(name), value.rows(), value.cols())) < tol);
}

/// Loads (or compares with) PyTorch's state_dict entries under `prefix`: parameters and
/// buffers, num_batches_tracked as an exact integer.
template <class Net>
void load_state(Net& net, const Reference& ref, const std::string& prefix) {
  load_parameters(net, ref, prefix);
  ctnn::named_buffers(net, [&](std::string_view name, auto& b) {
    using M = std::remove_cvref_t<decltype(b.value)>;
    const auto v = parameter_from<Eigen::MatrixXd>(ref.tensor(prefix + std::string(name)), b.value.rows(), b.value.cols());
    b.value = v.template cast<typename M::Scalar>();
  });
}
template <class Net>
void compare_state(Net& net, const Reference& ref, const std::string& prefix, double tol) {
  ctnn::named_parameters(net, [&](std::string_view name, auto& p) {
    compare_tensor(ref, prefix + std::string(name), p.value.template cast<double>(), tol);
  });
  int buffers = 0;
  ctnn::named_buffers(net, [&](std::string_view name, auto& b) {
    ++buffers;
    using S = typename std::remove_cvref_t<decltype(b.value)>::Scalar;
    if constexpr (std::is_integral_v<S>) {
      INFO("buffer " << name);
      CHECK(static_cast<double>(b.value(0, 0)) == ref.tensor(prefix + std::string(name)).values[0]);
    } else {
      compare_tensor(ref, prefix + std::string(name), b.value.template cast<double>(), tol);
    }
  });
  CHECK(buffers > 0);
}

/// Trains net as PyTorch did for `case_name` and compares the whole trajectory, then eval().
template <class S, class Net, class Target, class Loss, class MakeOpt>
void check_cnn_trajectory(const std::string& case_name, const Loss& loss, MakeOpt make_opt) {
  INFO("case " << case_name << " in " << (std::is_same_v<S, float> ? "float" : "double"));
  using N = ctnn::with_scalar<Net, S>;
  auto net = ctnn::make_model<N>();
  const Reference ref = ctnn_test::load_reference(case_name);
  const double tol = tolerance<S>;
  constexpr int B = Target::ColsAtCompileTime;
  using X = ctnn::Matrix<S, N::in_features, B>;
  const X x = ctnn_test::batch_from<X>(ref.tensor("x"));
  Target target;
  if constexpr (std::is_integral_v<typename Target::Scalar>) {
    const auto& t = ref.tensor("target");
    for (int b = 0; b < B; ++b) target(0, b) = static_cast<int>(t.values[static_cast<std::size_t>(b)]);
  } else {
    target = ctnn_test::batch_from<Target>(ref.tensor("target"));
  }
  load_state(*net, ref, "init.");
  net->train();
  auto opt = make_opt(*net);
  const Tensor& losses = ref.tensor("losses");
  std::vector<double> ctnn_losses;
  for (std::size_t t = 0; t < losses.numel(); ++t) {
    auto y = net->forward(x);
    ctnn_losses.push_back(loss(y, target));
    opt.zero_grad();
    net->backward(loss.grad(y, target));
    opt.step();
  }
  compare_tensor(ref, "losses", Eigen::Map<Eigen::MatrixXd>(ctnn_losses.data(), 1, losses.numel()), tol);
  compare_state(*net, ref, "final.", tol);
  net->eval();
  using Y = ctnn::Matrix<S, N::out_features, B>;
  const Y y_torch = ctnn_test::batch_from<Y>(ref.tensor("eval_y"));
  const auto y_eval = net->forward(x);
  INFO("eval-mode forward");
  CHECK(relative_error(y_eval, y_torch) < tol);
  const auto y_infer = std::as_const(*net).infer(x);
  INFO("eval-mode infer");
  CHECK(relative_error(y_infer, y_torch) < tol);
}

template <class S>
void trajectories() {
  using Classes = ctnn::ClassIndices<5>;
  check_cnn_trajectory<S, Cnn2d, Classes>("train_cnn2d_sgd_momentum", ctnn::CrossEntropyLoss{},
                                          [](auto& m) { return ctnn::optim::SGD{m, {.lr = 0.1, .momentum = 0.9}}; });
  check_cnn_trajectory<S, Cnn2d, Classes>("train_cnn2d_adam", ctnn::CrossEntropyLoss{},
                                          [](auto& m) { return ctnn::optim::Adam{m, {.lr = 1e-2}}; });
  using Y = Eigen::Matrix<S, 2, 4>;
  check_cnn_trajectory<S, Cnn1d, Y>("train_cnn1d_adam", ctnn::MSELoss{},
                                    [](auto& m) { return ctnn::optim::Adam{m, {.lr = 1e-2}}; });
  check_cnn_trajectory<S, Cnn1d, Y>("train_cnn1d_sgd_momentum", ctnn::MSELoss{},
                                    [](auto& m) { return ctnn::optim::SGD{m, {.lr = 0.05, .momentum = 0.9}}; });
}

}  // namespace

TEST_CASE("Deep CNNs follow PyTorch's trajectory (SGD momentum, Adam), BatchNorm statistics included, and give its eval outputs") {
  trajectories<float>();
  trajectories<double>();
}

TEST_CASE("print(model) of deep CNNs is PyTorch's text") {
  auto golden = [](const std::string& name) {
    const std::string path = std::string(CTNN_REFERENCE_DIR) + "/../prints/" + name + ".txt";
    std::ifstream in(path);
    REQUIRE(in);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  auto cnn2 = ctnn::make_model<Cnn2d>();
  auto cnn1 = ctnn::make_model<Cnn1d>();
  CHECK(ctnn::repr(*cnn2) + "\n" == golden("cnn2d"));
  CHECK(ctnn::repr(*cnn1) + "\n" == golden("cnn1d"));
}
