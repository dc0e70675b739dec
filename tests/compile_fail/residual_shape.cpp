// The body of a Residual maps (4) to (5): x + f(x) cannot add them.
#include <ctnn/ctnn.hpp>
#include <ctnn/layers/residual.hpp>

#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ctnn::Linear<3, 4>, ctnn::Residual<ctnn::Linear<4, 8>, ctnn::ReLU, ctnn::Linear<8, 5>>>;
#else
using Net = ctnn::Sequential<ctnn::Linear<3, 4>, ctnn::Residual<ctnn::Linear<4, 8>, ctnn::ReLU, ctnn::Linear<8, 4>>>;
#endif

int main() {
  Net net;
  return net(ctnn::Sample<float, 3>::Zero()).size() == 4 ? 0 : 1;
}
