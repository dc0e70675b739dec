// Shared by every implementation of the convolutional and recurrent workloads (issues 12 and
// 13): the models' parameters, inputs and targets (the same numbers for every implementation),
// the workloads' sizes, and the cross-check of their outputs. The MLP workloads (nets A-E) keep
// common.hpp; this file follows the same rules.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

namespace bench::nn {

/// One tensor as PyTorch stores it: row-major, shape as torch.Size.
struct Tensor {
  std::string name;  // PyTorch's state_dict key
  std::vector<int> shape;
  std::vector<float> v;
  std::size_t numel() const { return v.size(); }
};

/// The parameters (and BatchNorm's running statistics) of a model, in PyTorch's state_dict
/// order without num_batches_tracked. Deterministic. Models:
///   "CNN1", "CNN2" (the issue-12 networks),
///   "GRU8".."GRU64", "LSTM8".."LSTM64" (input 1, hidden H, then Linear(H, 1); issue 13),
///   "GRUseq", "LSTMseq" (input 8, hidden 64, then Linear(64, 1)),
///   "TCN" (kTcnLayers causal Conv1d(16, 16, 3, dilation 2^l), each in a residual sum).
/// Weights and biases follow PyTorch's default bounds; BatchNorm's weight, bias and running
/// statistics are drawn away from their defaults so that they matter.
const std::vector<Tensor>& params(const std::string& model);

/// n deterministic numbers in [lo, hi), a stream per key.
std::vector<float> uniform(const std::string& key, std::size_t n, float lo = -1.0f, float hi = 1.0f);
/// n deterministic class labels in [0, classes).
std::vector<int> labels(const std::string& key, std::size_t n, int classes);

// ---- CNN workloads (issue 12) --------------------------------------------------------------
inline constexpr int kCnnRing = 64;    // W1: single samples taken from a ring of this many
inline constexpr int kCnnBatch = 64;   // W2: batch size (eval)
inline constexpr int kCnnTrain = 32;   // W3: batch size (training step)
inline constexpr int kCnn1In = 128;    // CNN1: input (1, 128)
inline constexpr int kCnn1Out = 4;
inline constexpr int kCnn2Side = 28;   // CNN2: input (1, 28, 28)
inline constexpr int kCnn2Classes = 10;
inline constexpr float kBnEps = 1e-5f, kBnMomentum = 0.1f;
/// Inputs are "<model>.ring", "<model>.batch", "<model>.x" (the training batch), targets
/// "CNN1.t" (MSE, 4 per sample) and labels "CNN2.labels"; samples in PyTorch's row-major order,
/// sample j after sample j-1 (the bytes of a (count, ...) tensor).

// ---- recurrent and streaming workloads (issue 13) -------------------------------------------
inline constexpr int kStreamRing = 4096;  // streaming inputs: "stream.x", one float per step
inline constexpr int kStreamCheck = 256;  // steps compared by the cross-check
inline constexpr int kSeqBatch = 16, kSeqT = 32, kSeqIn = 8, kSeqHidden = 64;  // "seq.x" (B, T, 8), "seq.t" (B, T, 1)
inline constexpr int kTcnChannels = 16, kTcnKernel = 3, kTcnLayers = 10, kTcnBlock = 64;
inline constexpr int kTcnBlocks = 32;  // "TCN.x": kTcnBlocks * kTcnBlock steps of 16 channels, step t = floats [16 t, 16 t + 16)
inline constexpr int tcn_dilation(int layer) { return 1 << layer; }
inline constexpr int kHiddens[] = {8, 16, 32, 64};

/// The training steps compared by the cross-check (their losses; the last one depends on the
/// parameters the previous steps produced).
inline constexpr int kNnCheckSteps = 4;

/// Registers what implementation `impl` computes for `case_name`, compared with the
/// yardstick's ("eigen") within `tolerance` times max(1, |yardstick's largest output|).
using CheckFn = std::function<std::vector<float>()>;
void register_check(const std::string& case_name, const std::string& impl, CheckFn fn, float tolerance);
/// Prints the largest difference from the yardstick per case; false when one is too large.
bool cross_check();

}  // namespace bench::nn
