// Learns two interleaved half-moons (a 2-D, two-class problem generated here) with an MLP:
// CrossEntropyLoss, SGD with Nesterov momentum, a step schedule and gradient clipping, in
// shuffled mini-batches of a fixed size. Prints accuracy per epoch; returns non-zero unless the
// accuracy on fresh test points exceeds 95%.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <numeric>
#include <vector>

#include <ctnn/ctnn.hpp>

namespace {

constexpr int M = 512;  // points per set
constexpr double pi = 3.14159265358979323846;

/// Two moons: class 0 on the upper half circle, class 1 on a lower one shifted right and down,
/// with Gaussian noise, as sklearn's make_moons.
void make_moons(ctnn::Generator& gen, ctnn::Batch<float, 2, M>& points, ctnn::ClassIndices<M>& labels) {
  for (int j = 0; j < M; ++j) {
    const int c = j % 2;
    const double t = pi * gen.uniform01();
    const double px = c == 0 ? std::cos(t) : 1 - std::cos(t);
    const double py = c == 0 ? std::sin(t) : 0.5 - std::sin(t);
    points(0, j) = static_cast<float>(px + gen.normal(0.0, 0.1));
    points(1, j) = static_cast<float>(py + gen.normal(0.0, 0.1));
    labels(j) = c;
  }
}

template <class Net>
double accuracy(const Net& net, const ctnn::Batch<float, 2, M>& points, const ctnn::ClassIndices<M>& labels) {
  const ctnn::Batch<float, 2, M> logits = net.infer(points);
  int right = 0;
  for (int j = 0; j < M; ++j) {
    Eigen::Index predicted;
    logits.col(j).maxCoeff(&predicted);
    right += predicted == labels(j);
  }
  return static_cast<double>(right) / M;
}

}  // namespace

int main() {
  ctnn::Generator gen(7);
  ctnn::Batch<float, 2, M> train_x, test_x;
  ctnn::ClassIndices<M> train_y, test_y;
  make_moons(gen, train_x, train_y);
  make_moons(gen, test_x, test_y);

  // --8<-- [start:setup]
  using Net = ctnn::Sequential<ctnn::Linear<2, 32>, ctnn::ReLU,
                               ctnn::Linear<32, 32>, ctnn::ReLU,
                               ctnn::Linear<32, 2>>;   // two logits per point
  Net net;
  ctnn::init::reset_parameters(net, /*seed=*/3);

  ctnn::CrossEntropyLoss loss{ctnn::Reduction::Mean, {.label_smoothing = 0.05}};
  ctnn::optim::SGD opt{net, {.lr = 0.1, .momentum = 0.9, .weight_decay = 1e-4, .nesterov = true}};
  ctnn::optim::StepLR scheduler{opt, /*step_size=*/10, /*gamma=*/0.5};   // per epoch
  // --8<-- [end:setup]

  constexpr int B = 32, epochs = 30;
  std::vector<int> order(M);
  std::iota(order.begin(), order.end(), 0);
  ctnn::Batch<float, 2, B> xb;
  ctnn::ClassIndices<B> yb;
  const auto start = std::chrono::steady_clock::now();
  std::printf("%6s %10s %10s %10s %8s\n", "epoch", "loss", "train acc", "lr", "ms");
  for (int epoch = 0; epoch < epochs; ++epoch) {
    for (int i = M - 1; i > 0; --i)                  // Fisher-Yates shuffle, seeded
      std::swap(order[i], order[gen.next_u64() % static_cast<std::uint64_t>(i + 1)]);
    double epoch_loss = 0;
    // --8<-- [start:epoch]
    for (int first = 0; first + B <= M; first += B) {
      for (int k = 0; k < B; ++k) {                  // gather a mini-batch: column k = one point
        xb.col(k) = train_x.col(order[first + k]);
        yb(k) = train_y(order[first + k]);
      }
      auto logits = net.forward(xb);                 // 2 x B
      epoch_loss += loss(logits, yb) / (M / B);
      opt.zero_grad();
      net.backward(loss.grad(logits, yb));
      ctnn::clip_grad_norm(net, /*max_norm=*/5.0);   // torch.nn.utils.clip_grad_norm_
      opt.step();
    }
    scheduler.step();                                // once per epoch, as StepLR expects
    // --8<-- [end:epoch]
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    std::printf("%6d %10.5f %9.1f%% %10.2e %8.1f\n", epoch, epoch_loss, 100 * accuracy(net, train_x, train_y),
                opt.lr(), ms);
  }

  const double test_accuracy = accuracy(net, test_x, test_y);
  const bool ok = test_accuracy > 0.95;
  std::printf("\naccuracy on %d fresh points: %.1f%% (target > 95%%): %s\n", M, 100 * test_accuracy,
              ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
