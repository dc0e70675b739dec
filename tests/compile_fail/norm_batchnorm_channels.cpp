// BatchNorm1d<8> after a Linear producing 6 features: the channel counts disagree.
#include <ctnn/core/sequential.hpp>
#include <ctnn/layers/batchnorm.hpp>
#include <ctnn/layers/linear.hpp>

#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Linear<4, 6>, ctnn::BatchNorm1d<8>>;
#else
using Net = ctnn::Sequential<ctnn::Linear<4, 6>, ctnn::BatchNorm1d<6>>;
#endif

int main() {
  Net net;
  return net.forward(ctnn::Batch<float, 4, 2>::Ones()).size() == 12 ? 0 : 1;
}
