// backward given a gradient with the wrong number of features.
#include <ctnn/ctnn.hpp>

int main() {
  ctnn::Sequential<ctnn::Linear<8, 16>, ctnn::Tanh, ctnn::Linear<16, 2>> net;
  net.forward(ctnn::Batch<float, 8, 4>::Zero());
#ifdef CTNN_SHOULD_FAIL
  const ctnn::Batch<float, 3, 4> grad = ctnn::Batch<float, 3, 4>::Ones();
#else
  const ctnn::Batch<float, 2, 4> grad = ctnn::Batch<float, 2, 4>::Ones();
#endif
  return net.backward(grad).rows() == 8 ? 0 : 1;
}
