// BatchNorm1d<4> called on a sample of 6 rows, which is not 4 channels of equal length.
#include <ctnn/layers/batchnorm.hpp>

int main() {
  ctnn::BatchNorm1d<4> bn;
#ifdef CTNN_SHOULD_FAIL
  return bn.forward(ctnn::Batch<float, 6, 2>::Ones()).size() == 12 ? 0 : 1;
#else
  return bn.forward(ctnn::Batch<float, 8, 2>::Ones()).size() == 16 ? 0 : 1;
#endif
}
