// Types for the ctnn-embed test (tests/interop/embed_test.cpp): the models of
// tests/reference/data/io_nested, io_buffer and io_mlp_f64.safetensors, written by PyTorch.
#pragma once

#include <ctnn/ctnn.hpp>

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

}  // namespace embed_test
