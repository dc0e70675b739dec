// Layer 1 has no step and maps (4, 50) to (2, 48), not one time step of 50 features to one:
// the network computes on whole samples, but asking it for a step names that layer.
#include <ctnn/ctnn.hpp>

#include "toy_conv.hpp"

#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::with_input<ctnn::Sequential<ctnn::Linear<50, 50>, ToyConv<4, 2>>, 4, 50>;
#else
using Net = ctnn::with_input<ctnn::Sequential<ctnn::Linear<50, 50>, ctnn::ReLU>, 4, 50>;
#endif

int main() {
  Net net;
  return net.step(ctnn::Sample<float, 50>::Zero()).size() > 0 ? 0 : 1;
}
