// Layer 1 takes 4 channels, layer 0 produces 8: (8, 50) where (4, 50) is expected.
#include <ctnn/ctnn.hpp>

#include "toy_conv.hpp"

#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::with_input<ctnn::Sequential<ToyConv<1, 8>, ctnn::ReLU, ToyConv<4, 2>>, 1, 52>;
#else
using Net = ctnn::with_input<ctnn::Sequential<ToyConv<1, 8>, ctnn::ReLU, ToyConv<8, 2>>, 1, 52>;
#endif

int main() {
  Net net;
  return net(ctnn::Sample<float, 52>::Zero()).size() == 96 ? 0 : 1;
}
