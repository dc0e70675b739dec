// generate.py's and torch_check.py's `Tensors`: parameters and buffers of the ranks the next
// layers need, for the io, init, embed and PyTorch round-trip tests.
#pragma once

#include <cstdint>

#include <ctnn/ctnn.hpp>

namespace ctnn_test {

// --8<-- [start:tensors]
struct Tensors {
  BOOST_HANA_DEFINE_STRUCT(Tensors,
                           // a Conv2d weight (out, in / groups, kH, kW), stored 8 x 27
                           (ctnn::TensorParameter<float, 8, 3, 3, 3>, conv2d),
                           // a Conv1d weight (out, in, k), stored 16 x 5
                           (ctnn::TensorParameter<float, 16, 1, 5>, conv1d),
                           // nn.Parameter(torch.tensor(1.)): a learnable temperature, shape ()
                           (ctnn::ScalarParameter<float>, temperature),
                           // BatchNorm's counter: an int64 tensor of shape ()
                           (ctnn::ScalarBuffer<std::int64_t>, num_batches_tracked),
                           // register_buffer("hidden", torch.zeros(2, 4), persistent=False)
                           (ctnn::NonPersistentBuffer<float, 2, 4>, hidden));
};
// --8<-- [end:tensors]

}  // namespace ctnn_test
