// Compile-time benchmark: networks A-D written by hand with fixed-size Eigen (bench's
// yardstick), inference only (one sample and a batch of 64): nets_ctnn_infer.cpp's yardstick.
#include "../yardstick.hpp"

namespace {
template <class Net, int In>
float exercise() {
  static Net net;
  Eigen::Matrix<float, In, 1> x = Eigen::Matrix<float, In, 1>::Ones();
  yardstick::Mat<In, 64> xb = yardstick::Mat<In, 64>::Ones();
  return net.infer(x)(0) + net.infer(xb)(0, 63);
}
}  // namespace

int main() {
  using namespace yardstick;
  return exercise<NetA, 8>() + exercise<NetB, 1>() + exercise<NetC, 64>() + exercise<NetD, 16>() > 1e30f;
}
