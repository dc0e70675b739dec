// nonlinearity = relu is an option of RNN only; GRU and LSTM have fixed nonlinearities.
#include <ctnn/layers/recurrent.hpp>

int main() {
#ifdef CTNN_SHOULD_FAIL
  ctnn::LSTM<3, 4, ctnn::RNNOptions{.nonlinearity = ctnn::Nonlinearity::relu}> lstm;
#else
  ctnn::RNN<3, 4, ctnn::RNNOptions{.nonlinearity = ctnn::Nonlinearity::relu}> lstm;
#endif
  (void)lstm;
}
