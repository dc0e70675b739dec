// forward given a sample with the wrong number of features.
#include <ctnn/ctnn.hpp>

int main() {
  ctnn::Sequential<ctnn::Linear<8, 16>, ctnn::Tanh, ctnn::Linear<16, 1>> net;
#ifdef CTNN_SHOULD_FAIL
  const ctnn::Batch<float, 7, 4> x = ctnn::Batch<float, 7, 4>::Zero();
#else
  const ctnn::Batch<float, 8, 4> x = ctnn::Batch<float, 8, 4>::Zero();
#endif
  return net.forward(x).cols() == 4 ? 0 : 1;
}
