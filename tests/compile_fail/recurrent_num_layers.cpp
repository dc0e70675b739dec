// num_layers = 0: a recurrent layer has at least one layer.
#include <ctnn/layers/recurrent.hpp>

int main() {
#ifdef CTNN_SHOULD_FAIL
  ctnn::GRU<3, 4, ctnn::RNNOptions{.num_layers = 0}> gru;
#else
  ctnn::GRU<3, 4, ctnn::RNNOptions{.num_layers = 1}> gru;
#endif
  (void)gru;
}
