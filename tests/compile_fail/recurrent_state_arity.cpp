// An LSTM's initial state is (h0, c0); set_initial_state(h0) alone is a compile error.
#include <ctnn/layers/recurrent.hpp>

int main() {
  ctnn::LSTM<3, 4> lstm;
  const Eigen::MatrixXf h0 = Eigen::MatrixXf::Zero(4, 2);
#ifdef CTNN_SHOULD_FAIL
  lstm.set_initial_state(h0);
#else
  lstm.set_initial_state(h0, h0);
#endif
}
