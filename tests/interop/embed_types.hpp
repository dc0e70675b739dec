// Types for the ctnn-embed test (tests/interop/embed_test.cpp): the models of
// tests/reference/data/io_nested, io_buffer, io_mlp_f64, io_tensors, io_cnn, io_gru and
// io_lstm.safetensors, written by PyTorch.
#pragma once

#include <ctnn/ctnn.hpp>

#include "tensors_module.hpp"

namespace embed_test {

/// nn.Sequential(Linear(4,6,bias=False), nn.Sequential(Linear(6,6), Tanh), Linear(6,2)).
using Nested = ctnn::Sequential<ctnn::Linear<4, 6, false>, ctnn::Sequential<ctnn::Linear<6, 6>, ctnn::Tanh>,
                                ctnn::Linear<6, 2>>;

/// nn.Sequential(Linear(8,128), ReLU, Linear(128,1)) in double (its file holds F64 values).
using Mlp64 = ctnn::Sequential<ctnn::Linear<8, 128, true, double>, ctnn::ReLU, ctnn::Linear<128, 1, true, double>>;

/// generate.py's Scaled: a Linear and a registered buffer.
struct Scaled {
  BOOST_HANA_DEFINE_STRUCT(Scaled, (ctnn::Linear<3, 2>, lin), (ctnn::Buffer<float, 2>, scale));
};

/// generate.py's io_cnn (group io_nets): a CNN with BatchNorm (running statistics and
/// num_batches_tracked from PyTorch's training) and a bias-free Conv2d, on (1, 8, 8).
using Cnn = ctnn::with_input<
    ctnn::Sequential<ctnn::Conv2d<1, 4, 3, ctnn::ConvOptions{.padding = 1}>, ctnn::BatchNorm2d<4>, ctnn::ReLU,
                     ctnn::MaxPool2d<2>, ctnn::Conv2d<4, 4, 3, ctnn::ConvOptions{.stride = 2, .padding = 1, .bias = false}>,
                     ctnn::BatchNorm2d<4>, ctnn::ReLU, ctnn::Flatten, ctnn::Linear<16, 3>>,
    1, 8, 8>;

/// io_gru: GRU(2, 8, num_layers=2) and a Linear on every step, on (T, F) = (6, 2).
using Gru = ctnn::with_input<ctnn::Sequential<ctnn::GRU<2, 8, ctnn::RNNOptions{.num_layers = 2}>, ctnn::Linear<8, 1>>, 6, 2>;

/// io_lstm: a bidirectional bias-free LSTM(2, 5), LastStep, Linear(10, 2), on (4, 2).
using Lstm = ctnn::with_input<ctnn::Sequential<ctnn::LSTM<2, 5, ctnn::RNNOptions{.bias = false, .bidirectional = true}>,
                                               ctnn::LastStep, ctnn::Linear<10, 2>>,
                              4, 2>;

/// generate.py's Tensors: (8,3,3,3), (16,1,5) and 0-D parameters, a 0-D int64 buffer and a
/// non-persistent buffer (not in the file, not embedded).
using Tensors = ctnn_test::Tensors;

}  // namespace embed_test
