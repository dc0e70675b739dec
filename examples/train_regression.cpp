// Fits a noisy 1-D function, y = sin(x) + 0.3 sin(3x) + noise, with a small MLP: MSELoss,
// Adam, a cosine learning-rate schedule. Prints step, loss and elapsed time as it trains, then
// the fit as a text plot. Returns non-zero if the fit misses the function it learned from.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include <ctnn/ctnn.hpp>

namespace {
constexpr int N = 128;  // training points: one fixed-size batch
double truth(double x) { return std::sin(x) + 0.3 * std::sin(3 * x); }
}  // namespace

int main() {
  // Noisy samples of truth on [-3, 3]: x is 1 x N (one feature, N samples).
  ctnn::Generator gen(2024);
  ctnn::Batch<float, 1, N> x, y;
  for (int j = 0; j < N; ++j) {
    x(0, j) = static_cast<float>(-3.0 + 6.0 * j / (N - 1));
    y(0, j) = static_cast<float>(truth(x(0, j)) + gen.normal(0.0, 0.1));
  }

  // --8<-- [start:setup]
  using Net = ctnn::Sequential<ctnn::Linear<1, 32>, ctnn::Tanh,
                               ctnn::Linear<32, 32>, ctnn::Tanh,
                               ctnn::Linear<32, 1>>;
  Net net;
  ctnn::init::reset_parameters(net, /*seed=*/1);

  constexpr int steps = 1500;
  ctnn::MSELoss loss;                                       // reduction='mean'
  ctnn::optim::Adam opt{net, {.lr = 1e-2}};
  ctnn::optim::CosineAnnealingLR scheduler{opt, steps};     // lr: 1e-2 down to 0
  // --8<-- [end:setup]

  const auto start = std::chrono::steady_clock::now();
  auto elapsed_ms = [&] {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  };
  std::printf("%6s %12s %10s %10s\n", "step", "loss", "lr", "ms");
  // --8<-- [start:loop]
  for (int step = 0; step < steps; ++step) {
    auto y_pred = net.forward(x);               // 1 x N, kept for backward
    float l = loss(y_pred, y);
    opt.zero_grad();
    net.backward(loss.grad(y_pred, y));         // dLoss/dy_pred, through every layer
    opt.step();
    scheduler.step();
    if (step % 150 == 0 || step == steps - 1)
      std::printf("%6d %12.6f %10.2e %10.1f\n", step, l, opt.lr(), elapsed_ms());
  }
  // --8<-- [end:loop]

  // The fit against the noise-free function on a finer grid.
  constexpr int G = 61;
  ctnn::Batch<float, 1, G> grid;
  for (int j = 0; j < G; ++j) grid(0, j) = static_cast<float>(-3.0 + 6.0 * j / (G - 1));
  const ctnn::Batch<float, 1, G> fit = net.infer(grid);
  double mse = 0;
  for (int j = 0; j < G; ++j) mse += std::pow(fit(0, j) - truth(grid(0, j)), 2) / G;

  // Text plot: '.' the true function, '*' the network, '#' where they share a cell.
  constexpr int H = 15;
  std::vector<std::string> rows(H, std::string(G, ' '));
  auto row_of = [](double v) { return std::clamp(static_cast<int>(std::lround((1.5 - v) / 3.0 * (H - 1))), 0, H - 1); };
  for (int j = 0; j < G; ++j) {
    const int t = row_of(truth(grid(0, j))), f = row_of(fit(0, j));
    rows[static_cast<std::size_t>(t)][static_cast<std::size_t>(j)] = '.';
    rows[static_cast<std::size_t>(f)][static_cast<std::size_t>(j)] = t == f ? '#' : '*';
  }
  std::printf("\n  y  (x from -3 to 3; '.' sin(x) + 0.3 sin(3x), '*' the network, '#' both)\n");
  for (int r = 0; r < H; ++r) std::printf("%5.1f |%s\n", 1.5 - 3.0 * r / (H - 1), rows[static_cast<std::size_t>(r)].c_str());

  const bool ok = mse < 0.01;  // the noise alone has variance 0.01
  std::printf("\nmean squared error against the noise-free function: %.5f (target < 0.01): %s\n", mse,
              ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
