// The networks the firmware runs, named once for the firmware (ctnn-embed --type mcu::NetB)
// and for the host program that writes their weights and checks the firmware's outputs
// (tests/cross/mcu_reference.cpp). Nets A-D are the MLPs of docs/performance.md.
#pragma once

#include <ctnn/inference.hpp>

namespace mcu {

// --8<-- [start:nets]
using NetA = ctnn::Sequential<ctnn::Linear<8, 128>, ctnn::ReLU, ctnn::Linear<128, 128>, ctnn::ReLU, ctnn::Linear<128, 1>>;
using NetB = ctnn::Sequential<ctnn::Linear<1, 8>, ctnn::Tanh, ctnn::Linear<8, 8>, ctnn::Tanh, ctnn::Linear<8, 1>>;
using NetC = ctnn::Sequential<ctnn::Linear<64, 8>, ctnn::ReLU, ctnn::Linear<8, 1>>;
using NetD = ctnn::Sequential<ctnn::Linear<16, 64>, ctnn::Tanh, ctnn::Linear<64, 64>, ctnn::Tanh, ctnn::Linear<64, 64>,
                              ctnn::Tanh, ctnn::Linear<64, 4>>;
// --8<-- [end:nets]
// When ctnn has Conv1d and GRU layers, a small model of each goes here (NetConv1d, NetGRU),
// run sample by sample with step() once streaming exists, and in the `nets` list of
// examples/mcu/CMakeLists.txt and tests/cross/CMakeLists.txt.

/// Samples each firmware runs.
inline constexpr int samples = 4;

/// Input k of a net with W features: exact multiples of 1/64 in [-1, 1), computed with
/// integers, so the host and the microcontroller start from the same bits.
template <int W>
ctnn::Sample<float, W> input(int k) {
  ctnn::Sample<float, W> x;
  for (int i = 0; i < W; ++i) x(i) = static_cast<float>((i * 37 + k * 23 + 5) % 128 - 64) / 64.0f;
  return x;
}

}  // namespace mcu
