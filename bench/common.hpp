// Shared by every implementation in the benchmark: the networks A-E, their weights, inputs and
// targets (the same numbers for every implementation), the workloads' sizes, and the registry
// through which each implementation hands its outputs to the cross-check in main.cpp.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace bench {

enum class Act { relu, tanh };

/// A multilayer perceptron: widths[0] -> widths[1] -> ... with `act` between linear layers
/// (none after the last one), as the issue lists them.
struct NetSpec {
  char name;
  std::vector<int> widths;
  Act act;
};

/// The networks A-E.
const NetSpec& spec(char net);
inline constexpr std::array<char, 5> kNets = {'A', 'B', 'C', 'D', 'E'};

/// One linear layer's parameters as PyTorch stores them: W row-major (out, in), b (out).
struct LayerWeights {
  int in, out;
  std::vector<float> W, b;
};
/// Deterministic weights of a network (PyTorch's default bounds, U(-1/sqrt(in), 1/sqrt(in))).
const std::vector<LayerWeights>& weights(char net);

/// Samples of a network's input (or target) width, column-major (sample j = column j), the same
/// bytes as a PyTorch (count, width) tensor. Deterministic.
std::vector<float> inputs(char net, int count);
std::vector<float> targets(char net, int count);

inline constexpr int kRing = 64;         // W1: single samples taken from a ring of this many
inline constexpr int kBatch = 256;       // W2: batch size
inline constexpr int kTrainBatch = 32;   // W3: batch size
inline constexpr int kCheckSteps = 3;    // W3 cross-check: training steps before comparing
inline constexpr int kRestart = 100;     // W3: steps from the initial weights before a restart
inline constexpr float kLr = 1e-3f;      // Adam's learning rate (betas 0.9, 0.999, eps 1e-8)

enum class Workload { W1, W2, W3 };

/// What an implementation computes for the cross-check:
/// - W1: the outputs of the kRing single-sample calls, concatenated;
/// - W2: the output of one batch of kBatch samples;
/// - W3: the loss of each of kCheckSteps training steps, then the network's output on the
///   training batch after them.
using OutputsFn = std::function<std::vector<float>(char net, Workload w)>;
void register_outputs(const std::string& impl, OutputsFn fn);
struct Registered {
  std::string impl;
  OutputsFn fn;
};
const std::vector<Registered>& registered_outputs();

/// Heap allocations (malloc and relatives, so operator new and Eigen too) since the program
/// started; main.cpp counts them.
std::uint64_t allocations();

/// A float the compiler cannot see through: 0, hidden in a register by an empty asm, so that
/// `x + y * opaque_zero()` makes x depend on y without changing it.
inline float opaque_zero() {
  float z = 0.0f;
  asm volatile("" : "+x"(z));
  return z;
}

}  // namespace bench
