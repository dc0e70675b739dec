// Types for the ctnn-embed test (tests/interop/embed_test.cpp): the models of
// tests/reference/data/io_nested, io_buffer, io_mlp_f64 and io_tensors.safetensors, written by
// PyTorch.
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

/// generate.py's Tensors: (8,3,3,3), (16,1,5) and 0-D parameters, a 0-D int64 buffer and a
/// non-persistent buffer (not in the file, not embedded).
using Tensors = ctnn_test::Tensors;

}  // namespace embed_test
