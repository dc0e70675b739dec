// A Conv1d whose kernel is longer than its (padded) input: the kernel, its dilated extent and
// the padded length are named.
#include <ctnn/ctnn.hpp>

#ifdef CTNN_SHOULD_FAIL
using Net = ctnn::with_input<ctnn::Sequential<ctnn::Conv1d<1, 2, 7>, ctnn::ReLU>, 1, 5>;
#else
using Net = ctnn::with_input<ctnn::Sequential<ctnn::Conv1d<1, 2, 7>, ctnn::ReLU>, 1, 7>;
#endif

int main() {
  Net net;
  return net.out_features == 2 ? 0 : 1;
}
