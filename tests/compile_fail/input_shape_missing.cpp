// A network whose first layer fixes only the channels needs its input shape, once.
#include <ctnn/ctnn.hpp>

#include "toy_conv.hpp"

#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::Sequential<ToyConv<1, 8>, ctnn::ReLU>;
#else
using Net = ctnn::with_input<ctnn::Sequential<ToyConv<1, 8>, ctnn::ReLU>, 1, 10>;
#endif

int main() {
  Net net;
  return net(ctnn::Sample<float, 10>::Zero()).size() == 64 ? 0 : 1;
}
