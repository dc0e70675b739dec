// ctnn::RNN against PyTorch's nn.RNN (tests/reference/generate.py recurrent): output
// sequences, the input's and every parameter's gradient, in float and double, over layers, bias
// and bidirectional options. One program a cell, so that the cells compile in parallel.
#include "recurrent_compare.hpp"

using namespace ctnn_test::recurrent;

TEST_CASE("RNN gives PyTorch's output sequences and gradients", "[recurrent][torch]") {
  compare_both<5, 3, ctnn::RNN<3, 4>>("rnn_tanh");
  compare_both<4, 3, ctnn::RNN<3, 4, relu_l2>>("rnn_relu_l2");
  compare_both<1, 2, ctnn::RNN<2, 3, bi_l2>>("rnn_bi_l2_t1");
}
