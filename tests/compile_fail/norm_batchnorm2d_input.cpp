// BatchNorm2d<8> first in a network whose samples are (4, 5, 5): 4 channels, not 8.
#include <ctnn/core/sequential.hpp>
#include <ctnn/layers/batchnorm.hpp>

#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::with_input<ctnn::Sequential<ctnn::BatchNorm2d<8>>, 4, 5, 5>;
#else
using Net = ctnn::with_input<ctnn::Sequential<ctnn::BatchNorm2d<4>>, 4, 5, 5>;
#endif

int main() {
  Net net;
  return net.forward(ctnn::Batch<float, 100, 2>::Ones()).size() == 200 ? 0 : 1;
}
