// Two branches of a Concat on (3, 6) samples make (4, 4) and (2, 6): they differ in length,
// not only in channels, so they cannot be concatenated along the channels.
#include <ctnn/ctnn.hpp>
#include <ctnn/layers/concat.hpp>

#include "toy_conv.hpp"

#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::with_input<ctnn::Sequential<ctnn::Concat<ToyConv<3, 4>, ctnn::Linear<6, 6>>, ctnn::Flatten>, 3, 6>;
#else
using Net = ctnn::with_input<ctnn::Sequential<ctnn::Concat<ToyConv<3, 4>, ctnn::Linear<6, 4>>, ctnn::Flatten>, 3, 6>;
#endif

int main() {
  Net net;
  return net(ctnn::Sample<float, 18>::Zero()).size() == 28 ? 0 : 1;
}
