// Trains the GRU audio effect of examples/audio_effect.cpp in ctnn itself: the same model,
// GRU(1, 16) + Linear(16, 1), learns the same effect (examples/audio_effect.hpp, the formula
// of audio_effect.py) from sines, chirps and noise bursts at 48 kHz, with Adam and truncated
// backpropagation through time over chunks of T = 256 samples in batches of 16 (each chunk from
// a zero state, the effect's as the model's). Then it streams a test signal through the trained
// model and measures the error-to-signal ratio (ESR) against the effect.
//
//   audio_effect_train              the short run ctest runs: 1,000 steps (at most 50 s; about
//                                   6 s at the Test build's -O1), ESR must be below 0.002
//   audio_effect_train --steps 10000 --max-esr 0.0001    a longer run for users
// Returns 1 when the ESR misses the threshold.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstdint>
#include <cstring>
#include <numbers>
#include <string>
#include <vector>

#include <ctnn/ctnn.hpp>

#include "audio_effect.hpp"

namespace {

constexpr int T = 256;  // samples per training chunk (BPTT length)
constexpr int B = 16;   // chunks per batch

/// One training chunk: a sine, a log chirp or a noise burst of random level, as audio_effect.py.
void chunk(ctnn::Generator& gen, float* x) {
  const double pi = std::numbers::pi, amp = gen.uniform(0.05, 1.0);
  const int kind = static_cast<int>(gen.uniform(0, 3));
  auto freq = [&] { return 50.0 * std::pow(120.0, gen.uniform01()); };  // 50 Hz .. 6 kHz
  if (kind == 0) {
    const double f = freq(), phase = gen.uniform(0, 2 * pi);
    for (int t = 0; t < T; ++t) x[t] = static_cast<float>(amp * std::sin(2 * pi * f * t / audio::rate + phase));
  } else if (kind == 1) {
    const double f0 = freq(), f1 = freq(), k = std::log(f1 / f0) / (T / audio::rate);
    for (int t = 0; t < T; ++t) {
      const double s = t / audio::rate;
      const double phase = std::fabs(k) > 1e-9 ? 2 * pi * f0 * (std::exp(k * s) - 1) / k : 2 * pi * f0 * s;
      x[t] = static_cast<float>(amp * std::sin(phase));
    }
  } else {
    const int on = static_cast<int>(gen.uniform(0, T / 2));
    for (int t = 0; t < T; ++t) {
      const double noise = gen.normal();
      x[t] = static_cast<float>(t >= on && t < on + T / 2 ? 0.5 * amp * noise : 0.0);
    }
  }
}

/// The test signal of audio_effect.py's kind, 0.2 s: a chirp 100 Hz -> 5 kHz, a 440 Hz sine, noise.
std::vector<float> test_signal() {
  const int n = static_cast<int>(audio::rate) / 5, third = n / 3;
  const double pi = std::numbers::pi, dur = third / audio::rate, k = std::log(5000.0 / 100.0) / dur;
  std::vector<float> x(static_cast<std::size_t>(n));
  ctnn::Generator gen(7);
  for (int t = 0; t < n; ++t) {
    const double s = (t % third) / audio::rate;
    x[static_cast<std::size_t>(t)] = static_cast<float>(
        t < third ? 0.5 * std::sin(2 * pi * 100.0 * (std::exp(k * s) - 1) / k)
                  : t < 2 * third ? 0.9 * std::sin(2 * pi * 440.0 * s) : 0.3 * gen.normal());
  }
  return x;
}

}  // namespace

int main(int argc, char** argv) {
  int steps = 1000, seed = 1;
  double time_budget = 50, max_esr = 0.002;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--steps") steps = std::atoi(argv[i + 1]);
    else if (a == "--time-budget") time_budget = std::atof(argv[i + 1]);
    else if (a == "--max-esr") max_esr = std::atof(argv[i + 1]);
    else if (a == "--seed") seed = std::atoi(argv[i + 1]);
    else {
      std::fprintf(stderr, "usage: %s [--steps N] [--time-budget seconds] [--max-esr E] [--seed S]\n", argv[0]);
      return 2;
    }
  }

  // --8<-- [start:setup]
  // The model of audio_effect.cpp; a sample is a chunk of T samples, (T, 1).
  using Net = ctnn::with_input<ctnn::Sequential<ctnn::GRU<1, 16>, ctnn::Linear<16, 1>>, T, 1>;
  Net net;
  ctnn::init::reset_parameters(net, seed);
  ctnn::MSELoss loss;
  ctnn::optim::Adam opt{net, {.lr = 1e-2}};
  ctnn::optim::CosineAnnealingLR scheduler{opt, steps, /*eta_min=*/1e-4};
  // --8<-- [end:setup]

  ctnn::Generator gen(2024 + static_cast<std::uint64_t>(seed));
  ctnn::Batch<float, T, B> x, y;  // chunk j in column j, sample t in row t
  const auto start = std::chrono::steady_clock::now();
  auto seconds = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(); };
  int step = 0;
  // --8<-- [start:loop]
  for (; step < steps && seconds() < time_budget; ++step) {
    for (int j = 0; j < B; ++j) {
      chunk(gen, x.col(j).data());
      audio::Effect effect;  // from a zero state, as the GRU
      for (int t = 0; t < T; ++t) y(t, j) = effect(x(t, j));
    }
    const auto y_pred = net.forward(x);  // (T, 1) per chunk: the whole output sequence
    const float l = loss(y_pred, y);
    opt.zero_grad();
    net.backward(loss.grad(y_pred, y));  // backpropagation through the T steps of each chunk
    opt.step();
    scheduler.step();
    if (step % 50 == 0) std::printf("step %4d  mse %.3e  lr %.2e  %5.1f s\n", step, l, opt.lr(), seconds());
  }
  // --8<-- [end:loop]
  std::printf("trained %d steps of %d chunks of %d samples in %.1f s\n", step, B, T, seconds());

  // --8<-- [start:evaluate]
  // Stream the test signal through the trained model, 64 samples per call, from a zero state.
  const std::vector<float> in = test_signal();
  std::vector<float> out(in.size());
  ctnn::reset_state(net);
  net.process<64>(in.data(), out.data(), static_cast<int>(in.size()));
  audio::Effect effect;
  double err = 0, energy = 0;
  for (std::size_t i = 0; i < in.size(); ++i) {
    const double target = effect(in[i]);
    err += (out[i] - target) * (out[i] - target);
    energy += target * target;
  }
  const double esr = err / energy;  // error-to-signal ratio: 0 is perfect, 1 is silence
  // --8<-- [end:evaluate]
  const bool ok = std::isfinite(esr) && esr < max_esr;
  std::printf("test signal (%zu samples): ESR against the effect %.2e (must be < %g): %s\n", in.size(), esr, max_esr,
              ok ? "ok" : "FAILED");
  return ok ? 0 : 1;
}
