// forward on a GRU<3, 4> bound to T = 5 (samples (5, 3)) given 14 rows instead of 15.
#include <ctnn/layers/recurrent.hpp>

int main() {
  ctnn::bound<ctnn::GRU<3, 4>, ctnn::Shape(5, 3)> gru;
#ifdef CTNN_SHOULD_FAIL
  const Eigen::Matrix<float, 14, 2> x = Eigen::Matrix<float, 14, 2>::Zero();
#else
  const Eigen::Matrix<float, 15, 2> x = Eigen::Matrix<float, 15, 2>::Zero();
#endif
  return gru.forward(x)(0, 0) > 1.0f;
}
