// step() on a bidirectional GRU: its reverse direction reads the sequence from the end, so
// it cannot stream; the twin streams the unidirectional one.
#include <ctnn/layers/recurrent.hpp>

int main() {
#ifdef CTNN_SHOULD_FAIL
  ctnn::GRU<1, 8, ctnn::RNNOptions{.bidirectional = true}> gru;
#else
  ctnn::GRU<1, 8> gru;
#endif
  const Eigen::Matrix<float, 1, 1> x = Eigen::Matrix<float, 1, 1>::Ones();
  return gru.step(x)(0, 0) > 2.0f;
}
