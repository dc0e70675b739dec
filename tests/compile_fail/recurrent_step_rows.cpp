// step on a GRU<2, 8> given one input row per step instead of 2.
#include <ctnn/layers/recurrent.hpp>

int main() {
  ctnn::GRU<2, 8> gru;
#ifdef CTNN_SHOULD_FAIL
  const Eigen::Matrix<float, 1, 4> x = Eigen::Matrix<float, 1, 4>::Zero();
#else
  const Eigen::Matrix<float, 2, 4> x = Eigen::Matrix<float, 2, 4>::Zero();
#endif
  return gru.step(x)(0, 0) > 1.0f;
}
