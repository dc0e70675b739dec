// A user's program, written from the docs: it includes <ctnn/ctnn.hpp> and touches every public
// feature (layers, losses, optimizers, schedulers, batches of fixed and run-time size, weights in
// heap storage, printing, summary, safetensors with options, checkpoints, gradcheck). The tests
// build it with the flags a user turns on, g++ -std=c++20 -O2 -Wall -Wextra -Werror, for the
// machine's own CPU (-march=native), for AVX-512 and for AVX2 (tests/CMakeLists.txt), and with
// Clang; any warning from ctnn's headers fails the build. Run, it returns non-zero when a check fails.
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <iostream>
#include <sstream>

#include <ctnn/ctnn.hpp>

namespace {

int failures = 0;
void check(bool ok, const char* what) {
  if (!ok) {
    std::printf("FAIL: %s\n", what);
    ++failures;
  }
}

}  // namespace

int main() {
  ctnn::manual_seed(1);
  const auto dir = std::filesystem::temp_directory_path() / "ctnn_user_program";
  std::filesystem::create_directories(dir);

  // a regression MLP trained with Adam and MSELoss on a fixed batch
  using Net = ctnn::Sequential<ctnn::Linear<8, 64>, ctnn::ReLU, ctnn::Dropout, ctnn::Linear<64, 32>, ctnn::Tanh,
                               ctnn::Centered, ctnn::Linear<32, 16>, ctnn::Sigmoid, ctnn::Linear<16, 1>>;
  auto net = std::make_unique<Net>();
  ctnn::init::reset_parameters(*net, /*seed=*/42);
  ctnn::Batch<float, 8, 32> x = ctnn::Batch<float, 8, 32>::Random();
  ctnn::Batch<float, 1, 32> target = x.colwise().sum() / 8;
  ctnn::MSELoss loss;
  ctnn::optim::Adam opt{*net, {.lr = 1e-3}};
  ctnn::optim::StepLR scheduler{opt, /*step_size=*/10, /*gamma=*/0.5};
  double first = 0, last = 0;
  for (int t = 0; t < 30; ++t) {
    const auto y = net->forward(x);
    last = loss(y, target);
    if (t == 0) first = last;
    opt.zero_grad();
    net->backward(loss.grad(y, target));
    ctnn::clip_grad_norm(*net, 1.0);
    opt.step();
    scheduler.step();
  }
  check(last < first, "Adam lowers the loss");
  net->eval();
  const auto y1 = net->infer(ctnn::Sample<float, 8>::Ones().eval());
  check(std::isfinite(y1(0)), "inference on one sample");
  Eigen::Matrix<float, 8, Eigen::Dynamic> xd = Eigen::Matrix<float, 8, Eigen::Dynamic>::Random(8, 13);
  check(net->infer(xd).cols() == 13, "a batch of run-time size");

  // a classifier trained with SGD and CrossEntropyLoss; weights in heap storage (GEMV)
  using Classifier = ctnn::Sequential<ctnn::Linear<300, 200>, ctnn::LeakyReLU, ctnn::Linear<200, 10>, ctnn::LogSoftmax>;
  auto clf = std::make_unique<Classifier>();
  ctnn::CrossEntropyLoss ce{ctnn::Reduction::Mean, {.label_smoothing = 0.05}};
  ctnn::optim::SGD sgd{*clf, {.lr = 0.1, .momentum = 0.9, .nesterov = true}};
  ctnn::Batch<float, 300, 4> xc = ctnn::Batch<float, 300, 4>::Random();
  ctnn::ClassIndices<4> labels;
  labels << 1, 3, 5, 7;
  for (int t = 0; t < 3; ++t) {
    const auto logits = clf->forward(xc);
    sgd.zero_grad();
    clf->backward(ce.grad(logits, labels));
    sgd.step();
  }
  const auto one = clf->infer(xc.col(0).eval());
  check(one.allFinite(), "GEMV on one sample");

  // printing, summary, safetensors (with options), checkpoints
  std::ostringstream printed;
  printed << *net << ctnn::summary<Net>() << ctnn::summary<Classifier, decltype(sgd)>();
  check(printed.str().find("Linear(in_features=8, out_features=64, bias=True)") != std::string::npos, "print(model)");
  ctnn::save_safetensors(*net, dir / "net.safetensors");
  ctnn::save_safetensors(*net, dir / "net_f16.safetensors", {.dtype = ctnn::Dtype::F16});
  ctnn::save_safetensors(*net, dir / "net_meta.safetensors", {.metadata = {{"author", "user"}}});
  auto copy = std::make_unique<Net>();
  copy->eval();
  ctnn::load_safetensors(*copy, dir / "net.safetensors");
  check(copy->infer(x).isApprox(net->infer(x)), "a saved and loaded model computes the same");
  ctnn::load_safetensors(*copy, dir / "net_f16.safetensors", {.reject_non_finite = true});
  ctnn::save_checkpoint(dir / "checkpoint.safetensors", *net, opt, scheduler);
  ctnn::load_checkpoint(dir / "checkpoint.safetensors", *net, opt, scheduler);

  // gradcheck in double
  ctnn::with_scalar<ctnn::Sequential<ctnn::Linear<4, 6>, ctnn::Tanh, ctnn::Linear<6, 2>>, double> small;
  const auto result = ctnn::testing::gradcheck(small, Eigen::Matrix<double, 4, 3>::Random().eval(), {.eps = 1e-6});
  check(result.ok, "gradcheck");

  std::filesystem::remove_all(dir);
  std::printf("%s\n", failures == 0 ? "user program: all checks passed" : "user program: FAILED");
  return failures == 0 ? 0 : 1;
}
