// ctnn::LSTM against PyTorch's nn.LSTM (tests/reference/generate.py recurrent): output
// sequences, the input's and every parameter's gradient, in float and double, over layers, bias
// and bidirectional options. One program a cell, so that the cells compile in parallel.
#include "recurrent_compare.hpp"

using namespace ctnn_test::recurrent;

TEST_CASE("LSTM gives PyTorch's output sequences and gradients", "[recurrent][torch]") {
  compare_both<6, 3, ctnn::LSTM<3, 5>>("lstm");
  compare_both<5, 2, ctnn::LSTM<2, 4, l3>>("lstm_l3");
  compare_both<3, 3, ctnn::LSTM<3, 4, l2_bi_nobias>>("lstm_l2_bi_nobias");
}
