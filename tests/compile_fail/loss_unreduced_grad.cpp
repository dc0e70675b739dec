// A Reduction::None loss is a tensor, so its gradient needs the upstream gradient
// (loss.grad(pred, target, grad_out)); with CTNN_SHOULD_FAIL it is asked for without one.
#include <ctnn/loss/l1.hpp>

int main() {
  ctnn::L1Loss loss{ctnn::Reduction::None};
  Eigen::Matrix<double, 2, 3> pred = Eigen::Matrix<double, 2, 3>::Ones(), target = Eigen::Matrix<double, 2, 3>::Zero();
#ifdef CTNN_SHOULD_FAIL
  auto g = loss.grad(pred, target);
#else
  auto g = loss.grad(pred, target, Eigen::Matrix<double, 2, 3>::Ones());
#endif
  return g(0, 0) == 1.0 ? 0 : 1;
}
