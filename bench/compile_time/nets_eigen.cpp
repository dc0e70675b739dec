// Compile-time benchmark: networks A-D written by hand with fixed-size Eigen (bench's
// yardstick), with inference, a training step (forward, MSE, backward, Adam) on a batch of 32.
#include "../yardstick.hpp"

namespace {
template <class Net, int In, int Out>
float exercise() {
  auto net = std::make_unique<Net>();
  auto cache = std::make_unique<typename Net::template Cache<32>>();
  Eigen::Matrix<float, In, 1> x = Eigen::Matrix<float, In, 1>::Ones();
  yardstick::Mat<In, 32> xb = yardstick::Mat<In, 32>::Ones();
  yardstick::Mat<Out, 32> t = yardstick::Mat<Out, 32>::Zero();
  float s = net->infer(x)(0);
  s += net->step(xb, t, *cache);
  return s;
}
}  // namespace

int main() {
  using namespace yardstick;
  return exercise<NetA, 8, 1>() + exercise<NetB, 1, 1>() + exercise<NetC, 64, 1>() + exercise<NetD, 16, 4>() > 1e30f;
}
