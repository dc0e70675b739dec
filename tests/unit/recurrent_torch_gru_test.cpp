// ctnn::GRU against PyTorch's nn.GRU (tests/reference/generate.py recurrent): output
// sequences, the input's and every parameter's gradient, in float and double, over layers, bias
// and bidirectional options. One program a cell, so that the cells compile in parallel.
#include "recurrent_compare.hpp"

using namespace ctnn_test::recurrent;

TEST_CASE("GRU gives PyTorch's output sequences and gradients", "[recurrent][torch]") {
  compare_both<6, 3, ctnn::GRU<3, 5>>("gru");
  compare_both<3, 3, ctnn::GRU<3, 4, l2_nobias>>("gru_l2_nobias");
  compare_both<4, 2, ctnn::GRU<2, 3, bi>>("gru_bi");
  compare_both<2, 2, ctnn::GRU<2, 3, l3_bi>>("gru_l3_bi");
}
