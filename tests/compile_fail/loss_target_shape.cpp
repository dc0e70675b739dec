// A regression target must have the prediction's shape: 3 features x 4 samples here. With
// CTNN_SHOULD_FAIL the target has 2 features, and the diagnostic names the loss and both shapes.
#include <ctnn/loss/mse.hpp>

int main() {
  ctnn::MSELoss loss;
  Eigen::Matrix<float, 3, 4> pred = Eigen::Matrix<float, 3, 4>::Zero();
#ifdef CTNN_SHOULD_FAIL
  Eigen::Matrix<float, 2, 4> target = Eigen::Matrix<float, 2, 4>::Zero();
#else
  Eigen::Matrix<float, 3, 4> target = Eigen::Matrix<float, 3, 4>::Zero();
#endif
  return static_cast<int>(loss(pred, target));
}
