// PReLU(4) has one slope per channel: it takes samples of 4 channels, not 3.
#include <ctnn/core/sequential.hpp>
#include <ctnn/layers/prelu.hpp>

#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::with_input<ctnn::Sequential<ctnn::PReLU<4>>, 3, 10>;
#else
using Net = ctnn::with_input<ctnn::Sequential<ctnn::PReLU<3>>, 3, 10>;
#endif

int main() {
  Net net;
  return net(ctnn::Sample<float, 30>::Zero()).size() == 30 ? 0 : 1;
}
