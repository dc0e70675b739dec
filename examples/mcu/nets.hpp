// The networks the firmware runs, named once for the firmware (ctnn-embed --type mcu::NetB)
// and for the host program that writes their weights and checks the firmware's outputs
// (tests/cross/mcu_reference.cpp). Nets A-D are the MLPs of docs/performance.md; E is a 1-D
// CNN run by infer, F (GRU) and G (a dilated causal TCN) are streamed one sample per step().
#pragma once

#include <ctnn/inference.hpp>
#include <ctnn/layers/conv.hpp>
#include <ctnn/layers/pooling.hpp>
#include <ctnn/layers/recurrent.hpp>
#include <ctnn/layers/residual.hpp>

namespace mcu {

// --8<-- [start:nets]
using NetA = ctnn::Sequential<ctnn::Linear<8, 128>, ctnn::ReLU, ctnn::Linear<128, 128>, ctnn::ReLU, ctnn::Linear<128, 1>>;
using NetB = ctnn::Sequential<ctnn::Linear<1, 8>, ctnn::Tanh, ctnn::Linear<8, 8>, ctnn::Tanh, ctnn::Linear<8, 1>>;
using NetC = ctnn::Sequential<ctnn::Linear<64, 8>, ctnn::ReLU, ctnn::Linear<8, 1>>;
using NetD = ctnn::Sequential<ctnn::Linear<16, 64>, ctnn::Tanh, ctnn::Linear<64, 64>, ctnn::Tanh, ctnn::Linear<64, 64>,
                              ctnn::Tanh, ctnn::Linear<64, 4>>;
// --8<-- [end:nets]

/// Time steps of a streamed net's signal; a streamed net's sample is the whole signal.
inline constexpr int steps = 48;

// --8<-- [start:nets_signal]
// A 1-D CNN over 64 samples of a signal (a sensor's or a keyword spotter's front end), by infer.
using NetE = ctnn::with_input<ctnn::Sequential<ctnn::Conv1d<1, 8, 5>, ctnn::ReLU, ctnn::MaxPool1d<2>,
                                               ctnn::Conv1d<8, 8, 3>, ctnn::ReLU, ctnn::AdaptiveAvgPool1d<1>,
                                               ctnn::Flatten, ctnn::Linear<8, 2>>,
                              1, 64>;
// A GRU audio model, one sample in and one out per step(); sequence mode's sample is (steps, 1).
using NetF = ctnn::with_input<ctnn::Sequential<ctnn::GRU<1, 8>, ctnn::Linear<8, 1>>, steps, 1>;
// A dilated causal convolution stack with residual sums, streamed: each causal Conv1d keeps a
// ring buffer of its last inputs (kernel-1 ones too are causal, so that they stream). Sequence
// mode's sample is (1, steps).
template <int D>
using CausalBlock = ctnn::Residual<ctnn::Conv1d<4, 4, 3, ctnn::ConvOptions{.padding = ctnn::causal, .dilation = D}>,
                                   ctnn::Tanh>;
using NetG = ctnn::with_input<ctnn::Sequential<ctnn::Conv1d<1, 4, 1, ctnn::ConvOptions{.padding = ctnn::causal}>,
                                               CausalBlock<1>, CausalBlock<2>, CausalBlock<4>,
                                               ctnn::Conv1d<4, 1, 1, ctnn::ConvOptions{.padding = ctnn::causal}>>,
                              1, steps>;
// --8<-- [end:nets_signal]

/// Whether the firmware runs a net with step(), one time step per call from a zero state,
/// instead of infer(): a net that keeps state between steps (F's GRU, G's causal
/// convolutions). The host checks those steps against infer() on the whole signal (sequence
/// mode), so the firmware's streaming and the host's sequence path must agree.
template <class Net>
inline constexpr bool streamed = ctnn::state_bytes<Net> > 0;

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
